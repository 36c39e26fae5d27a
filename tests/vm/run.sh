#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh - boot the test guest under QEMU (TCG) and report what it did
#
# Usage: tests/vm/run.sh check|demo|bench|debug|modular|unsupported|absent
# Environment: BUILD (default build), VM_TIMEOUT (seconds, default 600),
#              QEMU (default qemu-system-x86_64), VM_APPEND (more kernel
#              command line, e.g. flushd.bench=quick), VM_KERNEL (the
#              bzImage to boot instead of the mode's own), VM_INITRD_EXTRA
#              (a cpio archive appended to the image, e.g. modules)
#
# Boots BUILD/kernel/bzImage with BUILD/vm/initramfs.cpio.gz under a hard
# timeout, keeps the whole serial console in BUILD/vm/MODE.log, and turns
# the guest's "FLUSHD-VM-RESULT passed=N failed=M" line into the exit status
# and BUILD/results/vm.counts ("PASSED FAILED"). No result line, a timeout,
# or a kernel BUG/WARNING/Oops/panic in the log each count as a failure.
# check: prints each guest test's verdict as it arrives, and on failure
# flushd's stderr and the tail of the kernel log. demo: prints the table.
# debug: like check, on BUILD/kernel-debug/bzImage (kernel tests only),
# into BUILD/results/vm-debug.counts; RCU stalls and kmemleak reports
# count as kernel splats too. modular, unsupported, absent: the kernel build
# variants kernel/series-check.sh makes (VM_KERNEL, VM_INITRD_EXTRA; kernel
# tests only, tests/vm/guest/variants.sh), into BUILD/results/vm-MODE.counts.
# `quiet loglevel=5` keeps the boot chatter off the console but still prints
# KERN_WARNING and worse live, so a splat before a hang is in the log too.
set -uo pipefail

mode=${1:-}
case "$mode" in
check|demo|bench|debug|modular|unsupported|absent) ;;
*) echo "Usage: $0 check|demo|bench|debug|modular|unsupported|absent" >&2; exit 2 ;;
esac

build=${BUILD:-build}
timeout_s=${VM_TIMEOUT:-600}
qemu=${QEMU:-qemu-system-x86_64}
kernel=$build/kernel/bzImage
initrd=$build/vm/initramfs.cpio.gz
log=$build/vm/$mode.log
counts=$build/results/vm.counts
append=
if [ "$mode" = debug ]; then
        kernel=$build/kernel-debug/bzImage
        append="flushd.stress=${VM_STRESS_SECONDS:-60}"
fi
# Every mode but bench and demo is a test run: it reports into the suite
# results (vm.counts for check, vm-MODE.counts for the others).
testing=true
case "$mode" in
bench|demo) testing=false ;;
check) ;;
*) counts=$build/results/vm-$mode.counts ;;
esac
kernel=${VM_KERNEL:-$kernel}

mkdir -p "$build/vm" "$build/results"
rm -f "$log"
report() {              # PASSED FAILED
        ! "$testing" || echo "$1 $2" > "$counts"
}

for f in "$kernel" "$initrd" ${VM_INITRD_EXTRA:+"$VM_INITRD_EXTRA"}; do
        if [ ! -r "$f" ]; then
                echo "vm: $f is missing" >&2
                report 0 1
                exit 1
        fi
done
# The kernel unpacks concatenated archives in turn, later files on top.
if [ -n "${VM_INITRD_EXTRA:-}" ]; then
        cat "$initrd" "$VM_INITRD_EXTRA" > "$build/vm/$mode-initramfs.cpio.gz"
        initrd=$build/vm/$mode-initramfs.cpio.gz
fi

# Only the marked lines reach the terminal while the guest runs.
live_filter() {
        if "$testing"; then
                sed -un -e 's/\r$//' \
                        -e 's/^FLUSHD-TEST PASS \(.*\)/  PASS  \1/p' \
                        -e 's/^FLUSHD-TEST FAIL \(.*\)/  FAIL  \1/p'
        elif [ "$mode" = bench ]; then
                # tests/bench/run.sh reads the results from the log.
                sed -un -e 's/\r$//' -e 's/^FLUSHD-BENCH-STEP \(.*\)/  bench: \1/p' \
                        -e 's/^FLUSHD-TEST FAIL \(.*\)/  FAIL  \1/p'
        else
                sed -un -e 's/\r$//' -e 's/^FLUSHD-DEMO //p' \
                        -e 's/^FLUSHD-TEST FAIL \(.*\)/  FAIL  \1/p'
        fi
}

if [ "$mode" != demo ]; then
        echo "vm: booting $kernel (QEMU TCG, 4 CPUs) in $mode mode, serial log: $log"
else
        policy=$(grep -E '^(Rate|Burst|AllowAllCPUs)=' "$(dirname "$0")/guest/flushd-demo.conf" | paste -sd' ')
        echo "flushd demo: alice's workload (threads tracked on CPUs 1 and 3) asks for 8 write-backs in a row,"
        echo "then one of all CPUs; its cgroup's policy: $policy."
        echo "QEMU TCG runs WBINVD as a no-op: kernel time is bookkeeping and IPIs. Serial log: $log"
fi
start=$(date +%s)
for attempt in 1 2; do
        timeout --kill-after=10 "$timeout_s" \
                "$qemu" -accel tcg -smp 4 -m 1G -nographic -no-reboot -nic none \
                -kernel "$kernel" -initrd "$initrd" \
                -append "console=ttyS0 panic=-1 quiet loglevel=5 flushd.mode=$mode $append ${VM_APPEND:-}" \
                < /dev/null 2>&1 | tee "$log" | live_filter
        qemu_rc=${PIPESTATUS[0]}
        # A known QEMU TCG crash while the kernel boots, before any test:
        # boot once more (tcg-boot-crash.sh).
        [ "$attempt" = 1 ] && "$(dirname "$0")/tcg-boot-crash.sh" "$log" || break
        mv "$log" "$log.tcg-crash"
        echo "vm: the kernel crashed while booting (Oops: int3, a known QEMU TCG fragility, before any test; $log.tcg-crash); booting again"
done
elapsed=$(( $(date +%s) - start ))

clean=$(sed -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' "$log")
section() {             # NAME: the guest's FLUSHD-LOG-BEGIN NAME ... END dump
        awk -v n="$1" '$0 == "FLUSHD-LOG-END " n { p = 0 } p { print } $0 == "FLUSHD-LOG-BEGIN " n { p = 1 }' <<< "$clean"
}
# Kernel messages only: the console minus the daemon/bus dumps and the test
# output (marker lines, indented detail), plus the guest's dmesg dump.
kernel_lines=$(awk '/^FLUSHD-LOG-BEGIN (flushd|dbus-daemon)$/ { p = 1 }
                    !p && !/^(FLUSHD-|--- |[ \t])/ { print }
                    /^FLUSHD-LOG-END (flushd|dbus-daemon)$/ { p = 0 }' <<< "$clean")

problems=()
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
        problems+=("guest did not finish within ${timeout_s} s (killed; hung or too slow)")
elif [ "$qemu_rc" -ne 0 ]; then
        problems+=("QEMU exited with status $qemu_rc")
fi
splats=$(grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection fault|KASAN|detected stalls|unreferenced object' <<< "$kernel_lines" | sort -u)
[ -z "$splats" ] || problems+=("kernel log shows: $(head -n 3 <<< "$splats" | tr '\n' ' ')")

result=$(grep -E '^FLUSHD-VM-RESULT passed=[0-9]+ failed=[0-9]+$' <<< "$clean" | tail -n 1)
if [ -n "$result" ]; then
        passed=${result#*passed=}
        passed=${passed%% *}
        failed=${result##*failed=}
else
        problems+=("guest printed no FLUSHD-VM-RESULT line")
        passed=$(grep -c '^FLUSHD-TEST PASS ' <<< "$clean")
        failed=$(grep -c '^FLUSHD-TEST FAIL ' <<< "$clean")
fi
failed=$(( failed + ${#problems[@]} ))
report "$passed" "$failed"

for p in "${problems[@]}"; do
        echo "  FAIL  vm: $p"
done
# FLUSHD-VM-TIME lines carry key=value pairs: booted, ready, done, kernel.
guest_value() {
        local v

        v=$(grep '^FLUSHD-VM-TIME ' <<< "$clean" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1)
        echo "${v:-?}"
}
times="kernel $(guest_value kernel): booted at $(guest_value booted), flushd ready at $(guest_value ready), done at $(guest_value "done")"
if [ "$failed" -ne 0 ]; then
        echo "---- flushd stderr (last 40 lines) ----"
        section flushd | tail -n 40
        echo "---- dbus-daemon stderr (last 10 lines) ----"
        section dbus-daemon | tail -n 10
        echo "---- kernel log (last 25 lines) ----"
        if [ -n "$(section dmesg)" ]; then
                section dmesg | tail -n 25
        else
                tail -n 25 <<< "$kernel_lines"
        fi
        echo "----"
fi
if "$testing"; then
        echo "vm: $passed passed, $failed failed in ${elapsed} s ($times)"
        echo "vm: WBINVD is a no-op under TCG: this proves bookkeeping, policy and lifetimes, not memory contents"
fi
[ "$failed" -eq 0 ]

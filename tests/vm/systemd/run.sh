#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh - boot the systemd guest twice under QEMU (TCG) and report what it did
#
# Usage: tests/vm/systemd/run.sh
# Environment: BUILD (default build), SDVM_TIMEOUT (seconds per boot,
#              default 1500), QEMU (default qemu-system-x86_64),
#              SDVM_BOOTS (default "dbus-daemon:full dbus-broker:full"; for
#              debugging e.g. "dbus-broker:service,unit"; tests/bench/run.sh
#              boots "BUS:bench"), SDVM_APPEND (more kernel command line),
#              SDVM_COUNTS (default BUILD/results/sdvm.counts)
#
# Boots BUILD/kernel/bzImage with BUILD/sdvm/initramfs.cpio.gz twice, with
# every case (flushd.suite=full): first with dbus-daemon as the system bus,
# then with dbus-broker.
# Each boot's serial console is kept in BUILD/sdvm/BUS.log (BUS-SUITE.log
# for a suite other than full); its "FLUSHD-SDVM-RESULT bus=B passed=N
# failed=M" line is added into the counts file ("PASSED FAILED"). A boot without that line, a
# timeout, or a kernel BUG/WARNING/Oops/panic in its log counts as a failure.
set -uo pipefail

build=${BUILD:-build}
timeout_s=${SDVM_TIMEOUT:-1500}
qemu=${QEMU:-qemu-system-x86_64}
kernel=$build/kernel/bzImage
initrd=$build/sdvm/initramfs.cpio.gz
counts=${SDVM_COUNTS:-$build/results/sdvm.counts}

mkdir -p "$build/sdvm" "$(dirname "$counts")"
total_passed=0
total_failed=0
report() { echo "$total_passed $total_failed" > "$counts"; }

for f in "$kernel" "$initrd"; do
        if [ ! -r "$f" ]; then
                echo "sdvm: $f is missing" >&2
                total_failed=1
                report
                exit 1
        fi
done

boot() {                # BUS SUITE
        local bus=$1 suite=$2 log=$build/sdvm/$1.log start qemu_rc elapsed clean result passed failed
        local problems=()

        [ "$suite" = full ] || log=$build/sdvm/$bus-${suite//,/-}.log
        rm -f "$log"
        echo "sdvm: booting $kernel with systemd, $bus as the system bus ($suite), serial log: $log"
        start=$(date +%s)
        for attempt in 1 2; do
                timeout --kill-after=10 "$timeout_s" \
                        "$qemu" -accel tcg -smp 4 -m 1G -nographic -no-reboot -nic none \
                        -kernel "$kernel" -initrd "$initrd" \
                        -append "console=ttyS0 panic=-1 quiet loglevel=5 systemd.show_status=error flushd.bus=$bus flushd.suite=$suite${SDVM_APPEND:+ $SDVM_APPEND}" \
                        < /dev/null 2>&1 | tee "$log" |
                        sed -un -e 's/\r$//' -e 's/^FLUSHD-TEST PASS \(.*\)/  PASS  \1/p' \
                                -e 's/^FLUSHD-TEST FAIL \(.*\)/  FAIL  \1/p' \
                                -e 's/^FLUSHD-BENCH-STEP \(.*\)/  bench: \1/p'
                qemu_rc=${PIPESTATUS[0]}
                # A known QEMU TCG crash while the kernel boots, before any
                # test: boot once more (../tcg-boot-crash.sh).
                [ "$attempt" = 1 ] && "$(dirname "$0")/../tcg-boot-crash.sh" "$log" || break
                mv "$log" "$log.tcg-crash"
                echo "sdvm: $bus: the kernel crashed while booting (Oops: int3, a known QEMU TCG fragility, before any test; $log.tcg-crash); booting again"
        done
        elapsed=$(( $(date +%s) - start ))

        clean=$(sed -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' "$log")
        if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
                problems+=("$bus: guest did not finish within ${timeout_s} s (killed)")
        elif [ "$qemu_rc" -ne 0 ]; then
                problems+=("$bus: QEMU exited with status $qemu_rc")
        fi
        splats=$(awk '/^FLUSHD-LOG-BEGIN/ { p = 1 } !p && !/^(FLUSHD-|--- |[ \t])/ { print } /^FLUSHD-LOG-END/ { p = 0 }' <<< "$clean" |
                 grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection fault' | sort -u)
        [ -z "$splats" ] || problems+=("$bus: kernel log shows: $(head -n 3 <<< "$splats" | tr '\n' ' ')")
        result=$(grep -E '^FLUSHD-SDVM-RESULT bus=[a-z-]+ passed=[0-9]+ failed=[0-9]+$' <<< "$clean" | tail -n 1)
        if [ -n "$result" ]; then
                passed=${result#*passed=}
                passed=${passed%% *}
                failed=${result##*failed=}
        else
                problems+=("$bus: guest printed no FLUSHD-SDVM-RESULT line")
                passed=$(grep -c '^FLUSHD-TEST PASS ' <<< "$clean")
                failed=$(grep -c '^FLUSHD-TEST FAIL ' <<< "$clean")
        fi
        failed=$(( failed + ${#problems[@]} ))
        for p in "${problems[@]}"; do
                echo "  FAIL  sdvm: $p"
        done
        if [ "$failed" -ne 0 ]; then
                echo "---- $bus: journal of flushd, the bus and polkit (last 40 lines) ----"
                awk '$0 == "FLUSHD-LOG-END journal" { p = 0 } p { print } $0 == "FLUSHD-LOG-BEGIN journal" { p = 1 }' <<< "$clean" | tail -n 40
                echo "----"
        fi
        times=$(grep '^FLUSHD-VM-TIME ' <<< "$clean" | sed 's/^FLUSHD-VM-TIME //' | cut -d' ' -f1 | paste -sd' ')
        echo "sdvm: $bus: $passed passed, $failed failed in ${elapsed} s (guest: $times)"
        total_passed=$(( total_passed + passed ))
        total_failed=$(( total_failed + failed ))
        report
}

for b in ${SDVM_BOOTS:-dbus-daemon:full dbus-broker:full}; do
        boot "${b%%:*}" "${b#*:}"
done
echo "sdvm: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]

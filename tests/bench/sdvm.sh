#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sdvm.sh - boot the systemd guest in bench mode on one bus daemon
#
# Usage: tests/bench/sdvm.sh dbus-broker|dbus-daemon [KERNEL_ARGS...]
# Environment: BUILD (default build), SDVM_TIMEOUT (seconds, default 1200),
#              QEMU (default qemu-system-x86_64)
#
# Boots BUILD/kernel/bzImage with the systemd guest's image
# (BUILD/sdvm/initramfs.cpio.gz, tests/vm/systemd/) and flushd.suite=bench,
# where tests/vm/systemd/guest/bench.sh runs goal 3 against the packaged
# flushd on that bus. The console goes to BUILD/sdvm/bench-BUS.log, whose
# FLUSHD-BENCH lines tests/bench/run.sh reads. Prints each step and
# verdict as it arrives, then "sdvm-bench: BUS passed=N failed=M". Exit
# status 0 when the guest reported failed=0 and nothing else went wrong
# (a timeout, no result line, a kernel BUG/WARNING/Oops/panic).
set -uo pipefail

bus=${1:-}
case "$bus" in
dbus-broker|dbus-daemon) ;;
*) echo "Usage: $0 dbus-broker|dbus-daemon [KERNEL_ARGS...]" >&2; exit 2 ;;
esac
shift
build=${BUILD:-build}
timeout_s=${SDVM_TIMEOUT:-1200}
qemu=${QEMU:-qemu-system-x86_64}
kernel=$build/kernel/bzImage
initrd=$build/sdvm/initramfs.cpio.gz
log=$build/sdvm/bench-$bus.log
problems=0

for f in "$kernel" "$initrd"; do
        if [ ! -r "$f" ]; then
                echo "sdvm-bench: $f is missing" >&2
                echo "sdvm-bench: $bus passed=0 failed=1"
                exit 1
        fi
done
mkdir -p "$build/sdvm"
rm -f "$log"
echo "sdvm-bench: booting the systemd guest, $bus as the system bus, serial log: $log"
start=$(date +%s)
timeout --kill-after=10 "$timeout_s" \
        "$qemu" -accel tcg -smp 4 -m 1G -nographic -no-reboot -nic none \
        -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0 panic=-1 quiet loglevel=5 systemd.show_status=error flushd.bus=$bus flushd.suite=bench $*" \
        < /dev/null 2>&1 | tee "$log" |
        sed -un -e 's/\r$//' -e 's/^FLUSHD-BENCH-STEP \(.*\)/  bench: \1/p' \
                -e 's/^FLUSHD-TEST FAIL \(.*\)/  FAIL  \1/p'
qemu_rc=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))

clean=$(sed -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' "$log")
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
        echo "  FAIL  sdvm-bench: $bus: guest did not finish within ${timeout_s} s (killed)"
        problems=$((problems + 1))
elif [ "$qemu_rc" -ne 0 ]; then
        echo "  FAIL  sdvm-bench: $bus: QEMU exited with status $qemu_rc"
        problems=$((problems + 1))
fi
splats=$(awk '/^FLUSHD-LOG-BEGIN/ { p = 1 } !p && !/^(FLUSHD-|--- |[ \t])/ { print } /^FLUSHD-LOG-END/ { p = 0 }' <<< "$clean" |
         grep -E 'BUG:|WARNING:|Oops|Kernel panic|general protection fault' | sort -u)
if [ -n "$splats" ]; then
        echo "  FAIL  sdvm-bench: $bus: kernel log shows: $(head -n 3 <<< "$splats" | tr '\n' ' ')"
        problems=$((problems + 1))
fi
result=$(grep -E '^FLUSHD-SDVM-RESULT bus=[a-z-]+ passed=[0-9]+ failed=[0-9]+$' <<< "$clean" | tail -n 1)
if [ -n "$result" ]; then
        passed=${result#*passed=}
        passed=${passed%% *}
        failed=${result##*failed=}
else
        echo "  FAIL  sdvm-bench: $bus: guest printed no FLUSHD-SDVM-RESULT line"
        passed=$(grep -c '^FLUSHD-TEST PASS ' <<< "$clean")
        failed=$(( $(grep -c '^FLUSHD-TEST FAIL ' <<< "$clean") + 1 ))
fi
failed=$((failed + problems))
if [ "$failed" -ne 0 ]; then
        echo "---- $bus: journal of flushd and the bus (last 40 lines) ----"
        awk '$0 == "FLUSHD-LOG-END journal" { p = 0 } p { print } $0 == "FLUSHD-LOG-BEGIN journal" { p = 1 }' <<< "$clean" | tail -n 40
        echo "----"
fi
echo "sdvm-bench: $bus passed=$passed failed=$failed in ${elapsed} s"
[ "$failed" -eq 0 ]

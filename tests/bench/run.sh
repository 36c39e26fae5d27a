#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh - make bench: the guest benchmarks, the host ones, one table and one JSON
#
# Usage: tests/bench/run.sh [--check] [--quick]
# Environment: BUILD (default build), VM_TIMEOUT (seconds, default 2400),
#              BENCH_SDVM_BUSES (the systemd guest's boots, default
#              "dbus-broker dbus-daemon"; empty: none)
#
# 1. Boots the guest in bench mode (tests/vm/run.sh bench; 4 vCPUs, TCG),
#    where tests/vm/guest/bench.sh runs every guest benchmark against flushd
#    and the bus floor on the same bus; their FLUSHD-BENCH lines land in
#    BUILD/vm/bench.log. Then (full run only) tests/vm/systemd/run.sh boots the
#    systemd guest once per bus daemon for goal 3 on dbus-broker and
#    dbus-daemon (SDVM_BOOTS=BUS:bench; console in BUILD/sdvm/BUS-bench.log).
# 2. On the host: bench-policy (policy load and lookup, the daemon's own
#    objects) and bench-local (the local write-back loop against a floor
#    round trip on a private dbus-daemon, where CLFLUSHOPT is real).
# 3. report.awk prints the table and writes BUILD/bench/bench.json
#    (bench-quick.json for --quick; results*.txt keep the raw lines).
#
# Exit status: 0 unless the bench itself broke (a step failed, a figure is
# missing, the guest timed out); with --check also non-zero when a goal is
# missed. --quick shrinks every step to seconds and judges no number:
# `make check` runs it and counts it as the suite "bench" in
# BUILD/results/bench.counts ("PASSED FAILED": the steps that ran, and
# those that broke).
set -uo pipefail

check=0
quick=0
for a in "$@"; do
        case "$a" in
        --check) check=1 ;;
        --quick) quick=1 ;;
        *) echo "Usage: $0 [--check] [--quick]" >&2; exit 2 ;;
        esac
done

here=$(dirname "$(realpath "$0")")
top=$(realpath "$here/../..")
build=${BUILD:-build}
out=$build/bench
mkdir -p "$out" "$build/results"
# The quick run (make check) keeps its own files, so it never overwrites
# the figures of the last full run.
suffix=
[ "$quick" = 0 ] || suffix=-quick
lines=$out/results$suffix.txt
json=$out/bench$suffix.json
table=$out/table$suffix.txt
: > "$lines"
start=$(date +%s)
broken=0
ran=0

if [ "$quick" = 1 ]; then
        mode=quick append=flushd.bench=quick pol="2 100" loc="2 10"
else
        mode=full append= pol="7 1000" loc="15 200"
fi

# 1. The guest.
echo "bench: $mode run; guest figures come from QEMU TCG (not hardware timings; WBINVD is a no-op there)"
BUILD=$build VM_TIMEOUT=${VM_TIMEOUT:-2400} VM_APPEND=$append "$top/tests/vm/run.sh" bench
vm_rc=$?
log=$build/vm/bench.log
sed -n 's/\r$//; /^FLUSHD-BENCH /p' "$log" >> "$lines" 2>/dev/null
vm_result=$(sed -n 's/\r$//; s/^FLUSHD-VM-RESULT passed=\([0-9]*\) failed=\([0-9]*\)$/\1 \2/p' "$log" 2>/dev/null | tail -n 1)
read -r vm_passed vm_failed <<< "${vm_result:-0 1}"
ran=$((ran + vm_passed))
broken=$((broken + vm_failed))
[ "$vm_rc" -eq 0 ] || [ "$vm_failed" -gt 0 ] || broken=$((broken + 1))

sdvm_buses=
# 1b. Goal 3 again in the systemd guest, on dbus-broker and on dbus-daemon:
# the packaged flushd under its unit, on a distribution's bus (full run
# only: each boot costs minutes of systemd under TCG).
if [ "$quick" = 0 ]; then
        sdvm_buses=${BENCH_SDVM_BUSES-dbus-broker dbus-daemon}
        for bus in $sdvm_buses; do
                rm -f "$out/sdvm-$bus.counts"
                BUILD=$build SDVM_BOOTS="$bus:bench" SDVM_TIMEOUT=${SDVM_TIMEOUT:-1200} \
                        SDVM_COUNTS="$out/sdvm-$bus.counts" "$here/../vm/systemd/run.sh"
                sdvm_rc=$?
                sed -n 's/\r$//; /^FLUSHD-BENCH /p' "$build/sdvm/$bus-bench.log" >> "$lines" 2>/dev/null
                read -r sdvm_passed sdvm_failed < "$out/sdvm-$bus.counts" || sdvm_failed=
                [ -n "$sdvm_failed" ] || { sdvm_passed=0; sdvm_failed=1; }
                ran=$((ran + sdvm_passed))
                broken=$((broken + sdvm_failed))
                [ "$sdvm_rc" -eq 0 ] || [ "$sdvm_failed" -gt 0 ] || broken=$((broken + 1))
        done
fi
guest_s=$(( $(date +%s) - start ))

# 2. The host.
host_step() {           # NAME CMD...
        local name=$1
        shift
        echo "  bench: host $name: $*"
        if "$@" >> "$lines" 2> "$out/$name.err"; then
                ran=$((ran + 1))
        else
                echo "  FAIL  bench-host-$name: $(head -n 1 "$out/$name.err")"
                broken=$((broken + 1))
        fi
}

# shellcheck disable=SC2086
host_step policy "$build/bench/bench-policy" $pol

tmp=$(mktemp -d)
cleanup() {
        [ -z "${floor_pid:-}" ] || kill "$floor_pid" 2>/dev/null
        [ -z "${bus_pid:-}" ] || kill "$bus_pid" 2>/dev/null
        wait 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
address=unix:path=$tmp/bus
dbus-daemon --session --nofork --nopidfile --address="$address" 2> "$out/dbus.err" &
bus_pid=$!
for _ in $(seq 50); do [ -S "$tmp/bus" ] && break; sleep 0.1; done
"$build/vm/progs/bench-floor" --address="$address" 2> "$out/floor.err" &
floor_pid=$!
sleep 0.3
# shellcheck disable=SC2086
LD_LIBRARY_PATH=$build host_step local "$build/bench/bench-local" $loc "$address"
cleanup
trap - EXIT

# 3. The table and the JSON.
elapsed=$(( $(date +%s) - start ))
meta="$(date -u +%Y-%m-%dT%H:%M:%SZ) $(git -C "$top" describe --always --dirty 2>/dev/null); host: $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs; guest: QEMU TCG, 4 vCPUs; ${elapsed} s (guest ${guest_s} s)"
echo
echo "flushd bench ($mode): every figure against its baseline in the same run, medians of rounds."
echo "Guest rows: QEMU TCG, 4 vCPUs: TCG timings are not hardware timings and WBINVD is a no-op;"
echo "goal 8 and the policy rows run on the host. $meta"
awk -f "$here/report.awk" -v json="$json" -v mode="$mode" -v meta="$meta" -v sdvm="$sdvm_buses" "$lines" | tee "$table"
report_rc=${PIPESTATUS[0]}
missing=$(sed -n 's/^bench: .* \([0-9]*\) missing$/\1/p' "$table")
broken=$((broken + ${missing:-1}))
echo "bench: JSON in $json, guest log in $log; ${elapsed} s in all"

if [ "$quick" = 1 ]; then
        echo "$ran $broken" > "$build/results/bench.counts"
        echo "bench (quick): $ran steps ran, $broken broke; numbers are not judged in quick mode"
fi
[ "$broken" -eq 0 ] || exit 1
[ "$check" = 0 ] || exit "$report_rc"
exit 0

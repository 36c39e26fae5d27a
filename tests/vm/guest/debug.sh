# SPDX-License-Identifier: LGPL-2.1-or-later
# debug.sh - the debug kernel's guest run, sourced by /init (flushd.mode=debug)
#
# Runs on the debug kernel (kernel/config/debug/: KASAN, lockdep, PREEMPT,
# DEBUG_ATOMIC_SLEEP, DEBUG_LIST, kmemleak, JUMP_LABEL, IOMMUFD_TEST) with
# the same image as the check run, without flushd and the bus:
#   - the series' kselftests (every executable in kselftests/),
#   - cwb-stress, the lifetime stress, for CWB_STRESS_SECONDS,
#   - the upstream iommufd selftests (upstream-selftests/), whose results
#     must be exactly the recorded ones (expected-fail list),
#   - a kmemleak scan at the end: any unreferenced object fails the run.
# The host (tests/vm/run.sh debug) fails the run on any BUG, WARNING,
# KASAN report, lockdep splat or RCU stall in the kernel log.
# Expects PASSED and FAILED from /init; uses run_test and test_kselftest
# from tests.sh.

# shellcheck source=SCRIPTDIR/tests.sh
. "$LIBEXEC/tests.sh"

KMEMLEAK=/sys/kernel/debug/kmemleak
DEBUG_STRESS_SECONDS=$(sed -n 's/.*flushd\.stress=\([0-9]*\).*/\1/p' /proc/cmdline)
# flushd.debug=upstream runs the upstream selftests only: how their
# expected-failure lists are measured on a kernel without the series
# (kernel/upstream-selftests/README.md).
DEBUG_ONLY=$(sed -n 's/.*flushd\.debug=\([a-z]*\).*/\1/p' /proc/cmdline)
# The upstream dirty-tracking tests map up to 128 MiB (64 huge pages of
# 2 MiB) with MAP_HUGETLB; the VFIO-compat and access tests 2 at a time.
UPSTREAM_HUGEPAGES=72

# stamp: each line of stdin prefixed with the guest's uptime, so that the
# console shows how long each upstream test took.
stamp() {
        while IFS= read -r line; do
                read -r up _ < /proc/uptime
                echo "[$up] $line"
        done
}

test_stress() {
        cwb-stress "${DEBUG_STRESS_SECONDS:-60}" > /run/stress.out 2>&1
        RC=$?
        sed 's/^/    /' /run/stress.out
        [ "$RC" -eq 0 ] || fail "cwb-stress exit $RC: $(tail -n 1 /run/stress.out)"
}

# test_upstream NAME: run the upstream selftest NAME; the set of failing
# tests must be exactly the one recorded in NAME.xfail (one name a line).
test_upstream() {
        dir=$LIBEXEC/upstream-selftests
        [ -x "$dir/$1" ] || fail "$1 is not in the image" || return
        [ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$UPSTREAM_HUGEPAGES" ] ||
                fail "$(cat /proc/sys/vm/nr_hugepages) huge pages reserved, want $UPSTREAM_HUGEPAGES" || return
        # Live on the console: under TCG with KASAN this takes minutes, and
        # a run cut short by the host's timeout shows how far it got.
        { "$dir/$1" 2>&1; echo $? > /run/up.rc; } | tee /run/up.out | stamp | sed 's/^/    /'
        RC=$(cat /run/up.rc)
        sed -n 's/^not ok [0-9]* \([^ ]*\).*/\1/p' /run/up.out | sort > /run/up.fail
        grep -v '^#' "$dir/$1.xfail" | sed '/^$/d' | sort > /run/up.want
        passed=$(grep -c '^ok ' /run/up.out)
        echo "    $1: exit $RC, $passed passed, $(wc -l < /run/up.fail) failed," \
             "$(wc -l < /run/up.want) expected to fail"
        [ "$passed" -gt 0 ] || fail "$1: nothing passed" || return
        grep -q '^# SKIP\|^ok .* # SKIP' /run/up.out && { fail "$1: tests skipped"; return; }
        if ! cmp -s /run/up.fail /run/up.want; then
                fail "$1: failing tests differ from $1.xfail: $(diff -u /run/up.want /run/up.fail | grep '^[-+][^-+]' | head -n 3 | tr '\n' ' ')"
                return
        fi
}

test_kmemleak() {
        [ -w "$KMEMLEAK" ] || fail "no $KMEMLEAK (kernel without DEBUG_KMEMLEAK?)" || return
        # Objects younger than 5 s are never reported; scan twice.
        sleep 6
        echo scan > "$KMEMLEAK"
        sleep 1
        echo scan > "$KMEMLEAK"
        cat "$KMEMLEAK" > /run/kmemleak.out
        if [ -s /run/kmemleak.out ]; then
                sed 's/^/    /' /run/kmemleak.out | head -n 60
                fail "kmemleak: $(grep -c 'unreferenced object' /run/kmemleak.out) unreferenced objects"
                return
        fi
}

debug_run() {
        mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
        [ -c /dev/iommu ] || { echo "FLUSHD-TEST FAIL setup: /dev/iommu missing"; FAILED=$((FAILED + 1)); return; }
        # Leaks from boot are not ours.
        [ ! -w "$KMEMLEAK" ] || echo clear > "$KMEMLEAK"
        if [ "$DEBUG_ONLY" != upstream ]; then
                # stop_window: 20000 rounds on the production kernel
                # (vm-check); here its point is KASAN and lockdep. Every
                # case runs here, fail_nth included.
                KSELFTEST_EXCLUDE=
                for t in "$LIBEXEC"/kselftests/*; do
                        [ -x "$t" ] || continue
                        CWB_STOP_WINDOW_ITERS=${DEBUG_STOP_WINDOW_ITERS:-2000} \
                                run_test "debug-kselftest-${t##*/}" test_kselftest "$t"
                done
                run_test debug-cwb-stress test_stress
        fi
        echo "$UPSTREAM_HUGEPAGES" > /proc/sys/vm/nr_hugepages 2>/dev/null
        for t in iommufd iommufd_fail_nth; do
                run_test "debug-upstream-$t" test_upstream "$t"
        done
        run_test debug-kmemleak test_kmemleak
}

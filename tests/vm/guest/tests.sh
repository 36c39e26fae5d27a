# SPDX-License-Identifier: LGPL-2.1-or-later
# tests.sh - the guest test cases, sourced by /init in check mode
#
# Every case runs its callers as unprivileged users (alice 1000, bob 1001,
# carol 1002, all in group iommu) inside real cgroups, through runas, and
# asserts on exit status, stdout and stderr of what they ran. A case prints
# "FLUSHD-TEST PASS name" or "FLUSHD-TEST FAIL name: why"; the policy they
# run under is /etc/flushd/check.conf (tests/vm/guest/flushd-check.conf).
# Expects FLUSHD_PID, PASSED and FAILED from /init.

# The helpers (run_test, fail, call, expect_error, ...) are testlib.sh's,
# which /init sources.

# The harness itself: runas really yields an unprivileged user in iommu,
# in the requested cgroup, and /dev/iommu is open to that group only.
test_harness_identity() {
        call alice /A sh -c 'id -u; id -G; cat /proc/self/cgroup; stat -c "%a %G" /dev/iommu'
        [ "$RC" -eq 0 ] || fail "exit $RC" || return
        # shellcheck disable=SC2086
        set -- $OUT
        [ "$1" = 1000 ] || fail "uid $1, want 1000" || return
        case " $* " in
        *" 990 "*) ;;
        *) fail "not in group iommu (990): $*" || return ;;
        esac
        echo "$OUT" | grep -qx '0::/A' || fail "not in cgroup /A" || return
        echo "$OUT" | grep -qx '660 iommu' || fail "/dev/iommu is not 0660 group iommu" || return
}

# The first line in which a test program said what went wrong.
first_failure() {
        line=$(echo "$OUT" | grep -m 1 'FAILED:')
        [ -n "$line" ] || line=$(echo "$OUT" | grep -m 1 -E 'want |failed|cannot|needs|: open ')
        echo "${line:-exit $RC, see the serial log}"
}

# (a) two tracked threads on CPUs 1 and 3: libflushd and flushctl both get 2.
test_tracked_threads() {
        call alice /A track-flush
        [ "$RC" -eq 0 ] || fail "$(first_failure)"
}

# (b) denied by an explicit Allow=no section, and by [Default] Allow=no.
# The verdict is the policy's alone, so the fds are not even tracked.
test_access_denied() {
        call bob /D sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        expect_error 3 AccessDenied || return
        call carol /N sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        expect_error 3 AccessDenied || return
}

# (c) Rate=1/min Burst=3, and buckets start empty: whatever the bucket
# holds when this runs (less than a token, or more if the run is slow),
# flushing in a row must hit QuotaExceeded (exit 4, with a retry-after)
# after at most Burst grants, and within Burst + 2 calls (one more token
# can arrive meanwhile on a very slow machine).
test_quota_exceeded() {
        granted=0
        for i in 1 2 3 4 5; do
                call carol /Q sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
                [ "$RC" -eq 0 ] || break
                expect_flushed || return
                granted=$((granted + 1))
        done
        expect_error 4 QuotaExceeded || return
        [ "$granted" -le 4 ] || fail "$granted grants before QuotaExceeded, want at most Burst (3) + 1" || return
        echo "$ERR" | grep -qi retry || fail "QuotaExceeded message does not mention retry"
}

# (d) the ioctl itself: EPERM without CAP_SYS_RAWIO although TRACK works;
# root (with the capability) succeeds on the same calls.
test_direct_ioctl_eperm() {
        call alice /A wb-direct eperm
        [ "$RC" -eq 0 ] || fail "as alice: $(first_failure)" || return
        call root / wb-direct granted
        [ "$RC" -eq 0 ] || fail "as root: $(first_failure)" || return
}

# (e) a pipe is not an iommufd; the daemon says so and keeps serving.
test_invalid_fd() {
        call alice /A sh -c ': | flushctl flush --fd=0'
        expect_error 5 InvalidFd || return
        call bob /E sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        # Nothing is tracked on this fresh iommufd, so nothing is dirty.
        expect_flushed 0 || fail "flush after InvalidFd: $WHY" || return
}

# flushctl track-exec: the tracked thread ran only on CPU 2 (taskset), so
# exactly that CPU is written back.
test_track_exec() {
        call bob /E taskset -c 2 flush-tracked
        expect_flushed 1 || return
}

# (f) --all-cpus only where AllowAllCPUs=yes; then every CPU is written back.
test_all_cpus() {
        ncpus=$(nproc)
        [ "$ncpus" -eq 4 ] || fail "guest has $ncpus CPUs, want 4" || return
        call bob /F flush-tracked --all-cpus
        expect_flushed 4 || return
        call alice /A flush-tracked --all-cpus
        expect_error 3 AccessDenied || return
}

# The production kernels have no fault injection: the series' fail_nth
# case runs on the debug kernel (debug.sh empties this), and is left out
# here by name rather than left to skip.
KSELFTEST_EXCLUDE="-T fail_nth"

# test_kselftest PROG [EXIT]: a kernel selftest binary (kselftest harness),
# minus KSELFTEST_EXCLUDE, must exit EXIT (default 0, a pass). A skip is a
# failure unless EXIT says 4 (the whole program skipped): of the whole
# program (exit 4) or of any case, the guest kernel is built for them.
test_kselftest() {
        # shellcheck disable=SC2086
        "$1" $KSELFTEST_EXCLUDE > /run/ks.out 2>&1
        RC=$?
        sed 's/^/    /' /run/ks.out
        if [ "${2:-0}" -ne 4 ] && grep -q '^ok .* # SKIP' /run/ks.out; then
                fail "$(basename "$1") skipped: $(grep -m 1 '^ok .* # SKIP' /run/ks.out)"
                return
        fi
        [ "$RC" -ne "${2:-0}" ] || return 0
        [ "$RC" -ne 4 ] || fail "$(basename "$1") skipped (exit 4)" || return
        fail "$(basename "$1") exit $RC, want ${2:-0}: $(grep -m 1 -E '^not ok|FAIL' /run/ks.out)"
}

# Started as root, flushd confines itself: the flushd user, CAP_SYS_RAWIO
# alone (bit 17) in every set that can hold it, NO_NEW_PRIVS, and a
# seccomp filter (mode 2) in every thread.
test_daemon_confined() {
        st=/proc/$FLUSHD_PID/status
        [ -r "$st" ] || fail "no $st" || return
        grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st" | sed 's/^/    /'
        grep -Eq '^Uid:[[:space:]]+999[[:space:]]+999[[:space:]]+999[[:space:]]+999$' "$st" ||
                fail "not running as flushd (999): $(grep ^Uid: "$st")" || return
        for set in CapEff CapPrm CapBnd; do
                grep -q "^$set:[[:space:]]*0000000000020000$" "$st" ||
                        fail "$(grep "^$set:" "$st"), want 0000000000020000 (CAP_SYS_RAWIO only)" || return
        done
        grep -q '^CapAmb:[[:space:]]*0000000000000000$' "$st" || fail "$(grep ^CapAmb: "$st")" || return
        grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || fail "NoNewPrivs is not 1" || return
        for t in /proc/$FLUSHD_PID/task/*/status; do
                grep -q '^Seccomp:[[:space:]]*2$' "$t" || fail "thread ${t%/status}: $(grep ^Seccomp: "$t")" || return
        done
}

test_daemon_alive() {
        kill -0 "$FLUSHD_PID" 2>/dev/null || fail "flushd (pid $FLUSHD_PID) has exited" || return
        bus-wait org.flushd.Flush1 0 || fail "org.flushd.Flush1 is no longer owned" || return
}

# Last: SIGTERM ends flushd within 10 s with status 0 (under SANITIZE=1 a
# leak or sanitizer report makes it non-zero) and releases its name.
test_daemon_shutdown() {
        kill -TERM "$FLUSHD_PID" || fail "cannot signal flushd" || return
        i=0
        while kill -0 "$FLUSHD_PID" 2>/dev/null && [ "$i" -lt 100 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        if kill -0 "$FLUSHD_PID" 2>/dev/null; then
                kill -KILL "$FLUSHD_PID"
                fail "flushd still running 10 s after SIGTERM"
                return
        fi
        wait "$FLUSHD_PID"
        RC=$?
        FLUSHD_PID=
        [ "$RC" -eq 0 ] || fail "flushd exited with status $RC after SIGTERM" || return
        ! bus-wait org.flushd.Flush1 0 2>/dev/null || fail "org.flushd.Flush1 still owned" || return
}

# kselftests_exit EXIT: every kselftest in the image exits EXIT.
kselftests_exit() {
        for t in "$LIBEXEC"/kselftests/*; do
                [ -x "$t" ] || continue
                test_kselftest "$t" "$1" || return
        done
}

# test_unsupported unsupported|absent|disabled: where the kernel cannot
# serve the series' calls, the kselftest skips as a whole and wb-direct in
# that mode (EOPNOTSUPP, ENOTTY without the ioctls, EOPNOTSUPP but for
# STOP when switched off) passes as root and as alice.
test_unsupported() {
        [ -c /dev/iommu ] || fail "/dev/iommu missing (kernel without CONFIG_IOMMUFD?)" || return
        kselftests_exit 4 || return
        call root / wb-direct "$1"
        [ "$RC" -eq 0 ] || fail "as root: $(first_failure)" || return
        call alice /A wb-direct "$1"
        [ "$RC" -eq 0 ] || fail "as alice: $(first_failure)" || return
}

# With iommufd.cache_wb_enable=N (an administrator's off switch) this
# kernel says "unsupported": the kselftest skips, START and IOMMU_CACHE_WB
# are EOPNOTSUPP, to alice too (not EPERM), and STOP still works.
# Switched back on at the end.
test_disabled() {
        param=/sys/module/iommufd/parameters/cache_wb_enable
        echo N > "$param" || fail "cannot write $param" || return
        test_unsupported disabled
        rc=$?
        echo Y > "$param" || fail "cannot switch $param back on" || return
        return "$rc"
}

tests_run() {
        run_test harness-identity test_harness_identity
        run_test tracked-threads-cpus-1-3 test_tracked_threads
        run_test access-denied test_access_denied
        run_test quota-exceeded test_quota_exceeded
        run_test direct-ioctl-eperm test_direct_ioctl_eperm
        run_test invalid-fd test_invalid_fd
        run_test track-exec-cpu-2 test_track_exec
        run_test all-cpus-policy test_all_cpus
        # The image always carries the series' kselftests; none is a failure.
        run_test kselftests-present test -x "$LIBEXEC/kselftests/iommufd_cache_wb"
        for t in "$LIBEXEC"/kselftests/*; do
                [ -x "$t" ] || continue
                run_test "kselftest-${t##*/}" test_kselftest "$t"
        done
        run_test kselftest-skips-when-disabled test_disabled
        . "$LIBEXEC/tests-request.sh" && tests_request_run
        # shellcheck source=SCRIPTDIR/tests-admin.sh
        . "$LIBEXEC/tests-admin.sh" && tests_admin_run
        run_test daemon-confined test_daemon_confined
        run_test daemon-alive test_daemon_alive
        run_test daemon-shutdown test_daemon_shutdown
}

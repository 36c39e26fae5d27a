# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-e2e.sh - the end-to-end flush suite against the packaged service
#
# Run on both system buses (run-tests: one boot each). Callers are alice,
# bob and carol (group iommu) in cgroups under /sdvm, whose sections are in
# flushd-sdvm.conf; buckets start empty, so bounds, not exact counts, are
# asserted where a bucket fills over time.

# flush_fd5 USER CGROUP [OPTION...]: flushctl flush on a fresh iommufd.
flush_fd5() {
        u=$1 cg=$2
        shift 2
        call "$u" "$cg" sh -c 'exec flushctl flush "$@" --fd=5 5<>/dev/iommu' flush "$@"
}

# A thread tracked on CPU 2 only (taskset): exactly that CPU written back.
test_e2e_granted() {
        call alice /sdvm/A taskset -c 2 flush-tracked
        expect_flushed 1
}

# Denied by an Allow=no section, and by the shipped [Default] Allow=no.
test_e2e_denied() {
        flush_fd5 bob /sdvm/D
        expect_error 3 AccessDenied || return
        flush_fd5 carol /sdvm/nowhere
        expect_error 3 AccessDenied || return
}

# Rate=1/min Burst=3 from empty: QuotaExceeded, with a retry-after, after at
# most Burst + 1 grants.
test_e2e_throttled() {
        granted=0
        for i in 1 2 3 4 5; do
                flush_fd5 carol /sdvm/Q
                [ "$RC" -eq 0 ] || break
                granted=$((granted + 1))
        done
        expect_error 4 QuotaExceeded || return
        [ "$granted" -le 4 ] || fail "$granted grants before QuotaExceeded, want at most 4" || return
        echo "$ERR" | grep -qi retry || fail "QuotaExceeded does not mention retry"
}

# Explain: who flushd sees and which section decides, without flushing.
test_e2e_explain() {
        call alice /sdvm/A flushctl explain --json
        [ "$(json_get verdict)" = granted ] || problem "alice in /sdvm/A: verdict '$(json_get verdict)', want granted"
        [ "$(json_get decider)" = sdvm-alpha ] || problem "decider '$(json_get decider)', want sdvm-alpha"
        [ "$(json_get uid)" = 1000 ] || problem "uid '$(json_get uid)', want 1000"
        [ "$(json_get cgroup)" = /sdvm/A ] || problem "cgroup '$(json_get cgroup)', want /sdvm/A"
        call bob /sdvm/D flushctl explain --json
        [ "$(json_get verdict)" = denied ] || problem "bob in /sdvm/D: verdict '$(json_get verdict)', want denied"
        call carol /sdvm/Q flushctl explain --json
        [ "$(json_get verdict)" = throttled ] || problem "carol in /sdvm/Q: verdict '$(json_get verdict)', want throttled"
        verdict
}

# Quota: the deciding section, its bucket's burst, admitted or not.
test_e2e_quota() {
        call carol /sdvm/Q flushctl quota --json
        [ "$RC" -eq 0 ] || problem "quota: exit $RC$(err_first)"
        [ "$(json_get decider)" = sdvm-quota ] || problem "decider '$(json_get decider)', want sdvm-quota"
        [ "$(json_get allow)" = true ] || problem "allow '$(json_get allow)', want true"
        echo "$OUT" | grep -q '"section":[[:space:]]*"sdvm-quota"[^}]*"burst":[[:space:]]*3[,}]' ||
                problem "no sdvm-quota bucket with burst 3"
        [ "$(json_get tokens)" -le 0 ] 2>/dev/null || problem "tokens '$(json_get tokens)' right after QuotaExceeded, want <= 0"
        call bob /sdvm/D flushctl quota --json
        [ "$(json_get allow)" = false ] || problem "bob in /sdvm/D: allow '$(json_get allow)', want false"
        verdict
}

# RatePerUser=1/s BurstPerUser=3 inside Rate=10/s Burst=10: alice asking in
# a row is throttled after at most 3 + her window x 1/s + 1 grants (below
# the section's 10), and carol is granted right after.
test_e2e_per_user() {
        call alice /sdvm/U victim flush --count=20 --timeout=10 --until-throttled
        [ "$RC" -eq 0 ] || fail "victim exit $RC$(err_first)" || return
        max=$(calc "3 + (e - s) + 1" -v e="$(kv end)" -v s="$(kv start)")
        [ "$(kv quota)" = 1 ] || problem "alice was not throttled in 20 calls ($(kv granted) granted)"
        [ "$(kv granted)" -le "$max" ] || problem "alice got $(kv granted) > $max"
        call carol /sdvm/U victim flush --count=1 --timeout=10
        [ "$(kv granted)" = 1 ] || problem "carol was not granted right after alice's throttle ($(kv first))"
        verdict
}

# --all-cpus: where AllowAllCPUs=yes every CPU, elsewhere AccessDenied.
test_e2e_all_cpus() {
        call bob /sdvm/F flush-tracked --all-cpus
        expect_flushed "$(nproc)" || return
        call alice /sdvm/A flush-tracked --all-cpus
        expect_error 3 AccessDenied
}

tests_e2e_run() {
        run_test "e2e-granted-$BUS" test_e2e_granted
        run_test "e2e-denied-$BUS" test_e2e_denied
        run_test "e2e-throttled-$BUS" test_e2e_throttled
        run_test "e2e-explain-$BUS" test_e2e_explain
        run_test "e2e-quota-$BUS" test_e2e_quota
        run_test "e2e-per-user-$BUS" test_e2e_per_user
        run_test "e2e-all-cpus-$BUS" test_e2e_all_cpus
}

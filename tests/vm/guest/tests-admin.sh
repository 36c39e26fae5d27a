# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-admin.sh - the admin's and the workload's surface in the guest, sourced by tests.sh
#
# flushctl explain, quota, stats, top and reload against the real daemon:
# nested sections with different quotas, Explain from a denied, a throttled
# and an admitted caller, Reload while a client flushes (nothing lost,
# nothing refilled), a broken drop-in that keeps the old policy, Reload and
# ListCgroups refused by flushd itself to non-root callers (no polkit
# here), members the bus policy does not list refused by the bus, top
# under load, and libflushd(3)'s example program built against the
# installed library. flushd runs with admin.conf and drop-ins from
# /run/flushd-admin.d, started as /init starts it (flushd_start of
# tests-request.sh); the last case restores check.conf. Needs fail,
# run_test, call, expect_error (tests.sh), flushd_start/flushd_stop,
# problem/verdict, kv (tests-request.sh).

ADMIN_CONF=/etc/flushd/admin.conf
ADMIN_DROPINS=/run/flushd-admin.d

test_admin_setup() {
        flushd_stop
        mkdir -p "$ADMIN_DROPINS"
        rm -f "$ADMIN_DROPINS"/*
        flushd_start --config="$ADMIN_CONF" --dropin-dir="$ADMIN_DROPINS" \
                --state-file=/run/flushd/admin.state || fail "$START_WHY"
}

# Explain from an admitted, a denied (own section, and [Default]) and a
# throttled caller; Flush then answers what Explain said.
test_admin_explain() {
        PROBLEMS=
        call alice /O flushctl explain --json
        [ "$RC" -eq 0 ] || problem "explain as alice in /O: exit $RC$(err_first)"
        [ "$(json_get verdict)" = granted ] || problem "alice in /O: verdict $(json_get verdict), want granted"
        call alice /O sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        [ "$RC" -eq 0 ] || problem "alice's flush in /O: exit $RC$(err_first)"

        call alice /T/batch flushctl explain --json
        [ "$(json_get verdict)" = denied ] || problem "alice in /T/batch: verdict $(json_get verdict), want denied"
        [ "$(json_get decider)" = team-batch ] || problem "decider $(json_get decider), want team-batch"
        call alice /T/batch sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        [ "$RC" -eq 3 ] || problem "alice's flush in /T/batch: exit $RC, want 3 (AccessDenied)"

        call bob /elsewhere flushctl explain --json
        [ "$(json_get verdict)" = denied ] || problem "bob in /elsewhere: verdict $(json_get verdict), want denied"
        [ "$(json_get decider)" = "[Default]" ] || problem "bob's decider $(json_get decider), want [Default]"

        # team (Rate=1/h) started empty: /T/gpu is throttled by its parent.
        call alice /T/gpu flushctl explain --json
        [ "$(json_get verdict)" = throttled ] || problem "alice in /T/gpu: verdict $(json_get verdict), want throttled"
        [ "$(json_get decider)" = team-gpu ] || problem "decider $(json_get decider), want team-gpu"
        echo "$OUT" | grep -q '"team-gpu"[^]]*"team"' || problem "sections lack team-gpu, then team"
        [ "$(json_get retry_after_usec)" != 0 ] || problem "throttled without a retry-after"
        # Refills exactly as written: 1/h is not rounded to 0 per second.
        echo "$OUT" | grep -q '"section":"team","kind":"rate","tokens":0,"burst":2,"refill":1,"refill_period_usec":3600000000,' ||
                problem "team's bucket does not report its 1/h refill: $OUT"
        echo "$OUT" | grep -q '"section":"team-gpu","kind":"rate",[^}]*"refill":100,"refill_period_usec":1000000,' ||
                problem "team-gpu's bucket does not report its 100/s refill: $OUT"
        call alice /T/gpu sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        [ "$RC" -eq 4 ] || problem "alice's flush in /T/gpu: exit $RC, want 4 (QuotaExceeded)"
        # The human tables, for the record.
        call alice /T/gpu flushctl explain
        call alice /T/gpu flushctl quota
        [ "$RC" -eq 0 ] || problem "quota: exit $RC$(err_first)"
        verdict
}

# Reload while alice flushes: every one of her calls is answered (nothing
# lost), and team is still throttled afterwards (nothing refilled).
test_admin_reload_under_load() {
        PROBLEMS=
        runas alice /O victim flush --duration=4 --timeout=10 > /run/a.out 2>&1 &
        vpid=$!
        for i in 1 2 3; do
                sleep 1
                call root / flushctl reload
                [ "$RC" -eq 0 ] || problem "reload $i: exit $RC$(err_first)"
        done
        wait "$vpid"
        OUT=$(cat /run/a.out)
        echo "    $OUT"
        [ "$(kv granted)" -gt 0 ] && [ "$(kv timeout)" = 0 ] && [ "$(kv other)" = 0 ] && [ "$(kv busy)" = 0 ] ||
                problem "calls lost during the reloads: $OUT"
        call alice /T/gpu flushctl explain --json
        [ "$(json_get verdict)" = throttled ] || problem "after 3 reloads: verdict $(json_get verdict): team was refilled"
        verdict
}

# A broken drop-in: reload fails with FILE:LINE:KEY and exit 11, the old
# policy stays whole (alice in /T/batch is still denied, not admitted by
# the broken file's Allow=yes).
test_admin_broken_dropin() {
        PROBLEMS=
        printf '[Cgroup team-batch]\nAllow=yes\nRate=often\n' > "$ADMIN_DROPINS/50-broken.conf"
        call root / flushctl reload
        [ "$RC" -eq 11 ] || problem "reload with a broken drop-in: exit $RC, want 11 (InvalidPolicy)"
        echo "$ERR" | grep -q '50-broken.conf:3:Rate' || problem "the error does not name 50-broken.conf:3:Rate"
        call alice /T/batch flushctl explain --json
        [ "$(json_get verdict)" = denied ] || problem "after the failed reload: verdict $(json_get verdict), want denied"
        rm -f "$ADMIN_DROPINS/50-broken.conf"
        # A good drop-in applies, and status lists it.
        printf '[Cgroup team-batch]\nAllow=yes\n' > "$ADMIN_DROPINS/60-batch.conf"
        call root / flushctl reload
        [ "$RC" -eq 0 ] || problem "reload with a good drop-in: exit $RC$(err_first)"
        call alice /T/batch flushctl explain --json
        [ "$(json_get verdict)" != denied ] || problem "the good drop-in did not apply"
        call alice / flushctl status
        echo "$OUT" | grep -q "$ADMIN_DROPINS/60-batch.conf" || problem "status does not list the drop-in"
        rm -f "$ADMIN_DROPINS/60-batch.conf"
        call root / flushctl reload
        verdict
}

# Reload and ListCgroups: the bus lets anyone through and flushd itself
# refuses non-root callers (root or polkit decide; this guest has no
# polkit, so the answer must say so). Members the bus policy does not list
# are refused by the bus. Exit 3 each.
test_admin_root_only() {
        PROBLEMS=
        for verb in reload stats; do
                for who in alice bob; do
                        call "$who" / flushctl "$verb"
                        [ "$RC" -eq 3 ] || problem "$who: flushctl $verb exit $RC, want 3"
                        echo "$ERR" | grep -q 'org.flushd.Flush1.Error.AccessDenied:.*polkit is not running' ||
                                problem "$who: flushctl $verb not refused by flushd itself$(err_first)"
                done
        done
        for method in Frobnicate Set; do
                call bob / victim call "$method"
                [ "$OUT" = org.freedesktop.DBus.Error.AccessDenied ] ||
                        problem "bob's call of $method: '$OUT', want the bus policy's AccessDenied$(err_first)"
        done
        call root / flushctl stats
        [ "$RC" -eq 0 ] || problem "root: stats exit $RC$(err_first)"
        echo "$OUT" | grep -q team-gpu || problem "stats lacks the team-gpu section"
        verdict
}

# flushctl top over a pipe, while alice flushes: exactly N JSON lines.
test_admin_top() {
        PROBLEMS=
        runas alice /O victim flush --duration=4 --timeout=10 > /dev/null 2>&1 &
        vpid=$!
        call root / flushctl top --iterations=2 --json
        wait "$vpid"
        [ "$RC" -eq 0 ] || problem "top: exit $RC$(err_first)"
        [ "$(echo "$OUT" | wc -l)" -eq 2 ] || problem "top printed $(echo "$OUT" | wc -l) lines, want 2"
        [ "$(echo "$OUT" | grep -c '^{.*}$')" -eq 2 ] || problem "top's lines are not JSON objects"
        verdict
}

# libflushd(3)'s EXAMPLE, built against the installed library (make
# install-client), runs as alice and gets a write-back.
test_admin_man_example() {
        call alice /O libflushd-example
        [ "$RC" -eq 0 ] || fail "libflushd(3) example: exit $RC$(err_first)" || return
        echo "$OUT" | grep -q '^flushed [0-9]* CPUs' || fail "example printed: $OUT"
}

test_admin_restore() {
        flushd_stop
        flushd_start --config=/etc/flushd/check.conf || fail "$START_WHY"
}

tests_admin_run() {
        run_test admin-setup test_admin_setup
        run_test admin-explain test_admin_explain
        run_test admin-reload-under-load test_admin_reload_under_load
        run_test admin-broken-dropin test_admin_broken_dropin
        run_test admin-root-only test_admin_root_only
        run_test admin-top test_admin_top
        run_test admin-man-example test_admin_man_example
        run_test admin-restore test_admin_restore
}

# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-restart.sh - systemd brings flushd back, and the buckets stay as they were
#
# kill -9 while a client is asking: the unit restarts (Restart=), the
# client's every call is answered or refused within its timeout, and
# sdvm-restart's bucket (Rate=2/s, Burst=100000: it holds what it gained
# since the daemon started) neither starts empty again (state lost) nor
# refills (Burst): /run/flushd/state survived. SIGSTOP: the watchdog
# (WatchdogSec=, WATCHDOG=1 from the daemon's loop) restarts it.

# TOKENS: sdvm-restart's level now (flushctl stats, root only).
restart_tokens() {
        OUT=$(flushctl stats --json 2>&1)
        TOKENS=$(section_get sdvm-restart tokens)
}

tokens_at_least() {
        restart_tokens
        [ "$TOKENS" -ge "$1" ] 2>/dev/null
}

# restarted OLD_PID: the unit is active with another MainPID.
restarted() {
        p=$(prop MainPID)
        [ "$p" != 0 ] && [ "$p" != "$1" ] && flushd_active
}

test_restart_kill9() {
        old=$(prop MainPID)
        n0=$(prop NRestarts)
        [ -f /run/flushd/state ] || problem "no /run/flushd/state before the kill"
        # Let the bucket gain something, then read its level.
        wait_for 30 tokens_at_least 10 || problem "sdvm-restart did not reach 10 tokens (${TOKENS:-none})"
        t0=$(uptime_s)
        # One grant, so that the section's bucket has a level of its own.
        call alice /sdvm/R sh -c 'exec flushctl flush --fd=5 5<>/dev/iommu'
        [ "$RC" -eq 0 ] || problem "flush in /sdvm/R: exit $RC$(err_first)"
        restart_tokens
        before=$TOKENS
        runas alice /sdvm/A victim flush --duration=8 --timeout=15 > /run/sdvm-victim.out 2>&1 &
        vpid=$!
        sleep 2
        kill -KILL "$old"
        wait_for 60 restarted "$old" || problem "not restarted within 60 s: $(systemctl is-active flushd.service), MainPID $(prop MainPID)"
        [ "$(prop NRestarts)" -gt "$n0" ] || problem "NRestarts $(prop NRestarts), was $n0"
        restart_tokens
        after=$TOKENS
        t1=$(uptime_s)
        # Bounded wait for the client: duration + timeout + slack.
        i=0
        while kill -0 "$vpid" 2>/dev/null && [ "$i" -lt 60 ]; do
                sleep 1
                i=$((i + 1))
        done
        if kill -0 "$vpid" 2>/dev/null; then
                kill -KILL "$vpid"
                problem "the client still waits 60 s after its last call should have ended"
        fi
        OUT=$(cat /run/sdvm-victim.out)
        show victim "$OUT"
        # The call in flight when the daemon died gets the bus's NoReply
        # error at once (victim counts it with timeouts); a hang would
        # take the whole 15 s timeout.
        [ "$(kv max_ms)" -lt 15000 ] 2>/dev/null ||
                problem "a call waited $(kv max_ms) ms, its whole timeout (15 s): no answer, no error"
        [ "$(kv other)" = 0 ] && [ "$(kv busy)" = 0 ] || problem "calls refused otherwise: $(kv other_name)"
        [ "$(kv granted)" -gt 0 ] 2>/dev/null || problem "no call granted"
        max=$(calc "b + (t1 - t0) * 2 + 2" -v b="$before" -v t0="$t0" -v t1="$t1")
        echo "    sdvm-restart tokens: $before before, $after after ($t0 s -> $t1 s; at most $max)"
        [ -n "$after" ] && [ "$after" -ge "$before" ] 2>/dev/null ||
                problem "tokens $after after the restart < $before before: the state was lost"
        [ -n "$after" ] && [ "$after" -le "$max" ] 2>/dev/null ||
                problem "tokens $after after the restart > $max: refilled"
        verdict
}

# SIGSTOP: no WATCHDOG=1 any more; systemd aborts and restarts the unit.
test_restart_watchdog() {
        wd=$(prop WatchdogUSec)
        case "$wd" in
        0|infinity|"") fail "flushd.service has no watchdog (WatchdogUSec=$wd)" || return ;;
        esac
        old=$(prop MainPID)
        kill -STOP "$old"
        wait_for 180 restarted "$old" || problem "not restarted within 180 s of SIGSTOP (WatchdogUSec=$wd)"
        journalctl -b --no-pager -u flushd.service | grep -i watchdog | tail -n 2 | sed 's/^/    /'
        journalctl -b --no-pager -u flushd.service | grep -qi 'watchdog timeout' ||
                problem "the journal shows no watchdog timeout"
        call alice /sdvm/A flushctl quota --json
        [ "$RC" -eq 0 ] || problem "the restarted daemon does not answer: exit $RC$(err_first)"
        verdict
}

tests_restart_run() {
        run_test restart-kill9-state-kept test_restart_kill9
        run_test restart-watchdog-sigstop test_restart_watchdog
}

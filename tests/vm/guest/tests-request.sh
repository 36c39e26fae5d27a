# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-request.sh - issue 14's guest tests of flushd's request path, sourced by tests.sh
#
# What a hostile local user can do to the request path, and what flushd must
# do about it: survive floods of Flush calls with fds attached whose replies
# are never read, from a user it admits and from one it denies, while a
# second user's in-quota requests are all granted within their timeout;
# hold 200 processes in 50 sibling cgroups of a delegated subtree to that
# subtree's Rate × time + Burst; keep bucket levels across kill -9 and a
# restart; split [Default] per user (RatePerUser=/BurstPerUser=) and the
# global limit too (GlobalRatePerUser=/GlobalBurstPerUser=).
#
# The cases run flushd with their own policies (request.conf, peruser.conf,
# globaluser.conf from tests/vm/guest/flushd-*.conf), started as /init starts it (stderr
# appended to /run/flushd.log, FLUSHD_PID updated), and the last case
# restores check.conf so tests.sh's daemon-alive and daemon-shutdown still
# see the daemon /init would have. A case that finds flushd dead (a previous
# case killed it) starts it again first. Every wait is bounded. Needs
# testlib.sh (fail, problem, verdict, run_test, call, kv, calc, ...).
#
# Buckets start empty when flushd starts without saved state, so a case that
# needs a full burst first waits Burst/Rate seconds after the start
# (req_filled). Assertions on counts are bounds from the policy, stated at
# each case; none is on latency.

REQ_CONF=/etc/flushd/request.conf
REQ_STATE=/run/flushd/request.state
REQ_STATE_ARG=          # --state-file=$REQ_STATE once flushd has accepted it
REQ_STATE_WHY=          # why not, otherwise
REQ_RUNNING=            # yes while FLUSHD_PID is a flushd serving REQ_CONF
REQ_STARTED=0           # its start, in uptime seconds
START_WHY=

# conf_get FILE LABEL KEY: KEY's value in [Cgroup LABEL] (or [LABEL]) of FILE.
conf_get() {
        awk -v a="[Cgroup $2]" -v b="[$2]" -v k="$3=" '
                /^\[/ { in_s = ($0 == a || $0 == b) }
                in_s && index($0, k) == 1 { print substr($0, length(k) + 1) }' "$1"
}

# per_second RATE: "N/s", "N/min" or "N/h" as tokens per second (awk number).
per_second() {
        echo "$1" | awk -F/ '{ d = $2 == "s" ? 1 : $2 == "min" ? 60 : $2 == "h" ? 3600 : 0; print d ? $1 / d : 0 }'
}

# pid_wait PID TENTHS: wait up to TENTHS/10 s for PID to exit; 1 if it has not.
pid_wait() {
        i=0
        while kill -0 "$1" 2>/dev/null; do
                [ "$i" -lt "$2" ] || return 1
                sleep 0.1
                i=$((i + 1))
        done
}

# name_gone TENTHS: wait until org.flushd.Flush1 has no owner.
name_gone() {
        i=0
        while bus-wait org.flushd.Flush1 0 2>/dev/null; do
                [ "$i" -lt "$1" ] || return 1
                sleep 0.1
                i=$((i + 1))
        done
}

flushd_alive() {
        [ -n "$FLUSHD_PID" ] && kill -0 "$FLUSHD_PID" 2>/dev/null && bus-wait org.flushd.Flush1 0 2>/dev/null
}

# flushd_stop: SIGTERM, up to 10 s, then SIGKILL; reap; wait for the name to go.
flushd_stop() {
        REQ_RUNNING=
        [ -n "$FLUSHD_PID" ] || return 0
        kill -TERM "$FLUSHD_PID" 2>/dev/null
        pid_wait "$FLUSHD_PID" 100 || kill -KILL "$FLUSHD_PID" 2>/dev/null
        wait "$FLUSHD_PID" 2>/dev/null
        FLUSHD_PID=
        name_gone 50
}

# flushd_start ARG...: start flushd as /init does and wait up to 30 s for its
# name. If it exits (or never takes the name), returns 1 with START_WHY
# naming its exit status and the last line it logged.
flushd_start() {
        mkdir -p /run/flushd            # as /init makes it
        echo "--- tests-request.sh: flushd $* (t=$(uptime_s)s)" >> /run/flushd.log
        flushd "$@" 2>>/run/flushd.log &
        FLUSHD_PID=$!
        i=0
        while ! bus-wait org.flushd.Flush1 0 2>/dev/null; do
                if ! kill -0 "$FLUSHD_PID" 2>/dev/null || [ "$i" -ge 300 ]; then
                        kill -KILL "$FLUSHD_PID" 2>/dev/null
                        wait "$FLUSHD_PID"
                        START_WHY="flushd $* exited with status $?: $(tail -n 1 /run/flushd.log)"
                        [ "$i" -lt 300 ] || START_WHY="flushd $* did not take org.flushd.Flush1 within 30 s"
                        FLUSHD_PID=
                        echo "  $START_WHY"
                        return 1
                fi
                sleep 0.1
                i=$((i + 1))
        done
        echo "  flushd $* -> pid $FLUSHD_PID"
}

req_start() {
        flushd_start --config="$REQ_CONF" $REQ_STATE_ARG || return
        REQ_RUNNING=yes
        REQ_STARTED=$(uptime_s)
}

# req_daemon: flushd serving request.conf, restarted if a case left it dead.
req_daemon() {
        if [ "$REQ_RUNNING" = yes ] && flushd_alive; then
                return 0
        fi
        [ "$REQ_RUNNING" != yes ] || echo "  flushd (pid $FLUSHD_PID) is gone; starting it again"
        flushd_stop
        req_start || fail "cannot start flushd with $REQ_CONF: $START_WHY"
}

# req_filled S: sleep until the request-policy flushd has run S seconds.
req_filled() {
        left=$(awk -v now="$(uptime_s)" -v t0="$REQ_STARTED" -v s="$1" \
                'BEGIN { d = t0 + s - now; if (d > 0) printf "%.2f\n", d; else print 0 }')
        [ "$left" = 0 ] || sleep "$left"
}

# check_serving WHEN: flushd still runs, owns its name and grants bob in /V.
check_serving() {
        if ! kill -0 "$FLUSHD_PID" 2>/dev/null; then
                problem "flushd (pid $FLUSHD_PID) exited $1"
                return 1
        fi
        bus-wait org.flushd.Flush1 0 2>/dev/null || { problem "org.flushd.Flush1 not owned $1"; return 1; }
        call bob /V victim flush --count=1 --timeout=5
        if [ "$RC" -ne 0 ] || [ "$(kv granted)" != 1 ]; then
                problem "bob's flush $1 was not granted ($(kv first)$(err_first))"
        fi
}

# The cases ------------------------------------------------------------------

# Start flushd with request.conf and a fresh state file. A flushd that does
# not know --state-file gets a second try without it, so the flood and
# subtree cases still run; restart-keeps-levels then fails, naming why.
test_request_setup() {
        flushd_stop
        rm -f "$REQ_STATE"
        REQ_STATE_ARG=--state-file=$REQ_STATE
        req_start && return
        REQ_STATE_ARG=
        REQ_STATE_WHY=$START_WHY
        echo "  retrying without --state-file"
        req_start || fail "cannot start flushd with $REQ_CONF: $START_WHY"
}

# flood_case CGROUP VERDICT: alice floods from 8 connections in CGROUP, 1000
# Flush calls each with an iommufd, /dev/null or a pipe attached, never
# reading a reply; once she is connected, bob (/V, Rate=100/s Burst=50, in
# quota) makes 20 sequential flushes with a 5 s timeout each. All 20 must be
# granted and none may time out (bob's connection never has more than one
# request in flight, so neither bound can be his: Busy is no excuse either);
# flushd must still run, own its name and grant bob again afterwards, and
# all 8000 calls must have been written (else the flood proved nothing).
flood_case() {
        req_daemon || return
        req_filled 1
        PROBLEMS=
        flood_busy0=$(victim get Busy 2>/dev/null)
        flood_denied0=$(victim get Denied 2>/dev/null)

        # Emptied here, not by the redirection below: the background child
        # truncates the file only once it runs, and the loop must not read
        # the previous case's "connected" line before that.
        : > /run/flood.out
        runas alice "$1" flood --connections=8 --calls=1000 --fds=mix --hold=120 >>/run/flood.out 2>&1 &
        fpid=$!
        i=0
        while ! grep -q '^flood: connected' /run/flood.out && kill -0 "$fpid" 2>/dev/null && [ "$i" -lt 300 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        grep -q '^flood: connected' /run/flood.out ||
                problem "the flooder did not connect: $(tail -n 1 /run/flood.out)"

        # --ping-bus: bus_max_ms in the log tells a starved bus from a slow
        # flushd. The timeout is D-Bus's default: under QEMU TCG the bus
        # daemon itself, routing every flood call, is the slow part.
        call bob /V victim flush --count=10 --timeout=25 --duration=100 --ping-bus
        if [ "$RC" -ne 0 ]; then
                problem "victim exit $RC$(err_first)"
        else
                [ "$(kv granted)" = 10 ] ||
                        problem "bob: $(kv granted) of 10 granted during the flood ($(echo "$OUT" | cut -d' ' -f2-9) $(kv other_name))"
                [ "$(kv timeout)" = 0 ] ||
                        problem "bob: $(kv timeout) of his flushes timed out (a GetId to the bus itself took up to $(kv bus_max_ms) ms)"
        fi

        # Let the flooder finish writing (bounded), then end it.
        i=0
        while ! grep -q '^flood: sent=' /run/flood.out && kill -0 "$fpid" 2>/dev/null && [ "$i" -lt 300 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        kill -TERM "$fpid" 2>/dev/null
        pid_wait "$fpid" 100 || kill -KILL "$fpid" 2>/dev/null
        wait "$fpid"
        frc=$?
        sed 's/^/    /' /run/flood.out
        [ "$frc" -eq 0 ] || problem "flood exit $frc: $(grep -m 1 -v '^flood: connected' /run/flood.out)"

        check_serving "after the flood"

        if [ "$2" = admitted ]; then
                # Past 16 requests in flight on one connection, flushd says
                # Busy - if the flood outpaces it, which depends on the
                # host's speed: the bound itself is the unit tests' (Busy
                # past each bound, the fd closed). Here: what Busy answers
                # there were are counted where the man page says, in
                # [Daemon] (refused on arrival, before a cgroup was read).
                busy=$(victim get Busy 2>/run/t.err)
                flushctl stats --json > /run/t.stats 2>&1 || problem "flushctl stats: $(cat /run/t.stats)"
                if [ -z "$busy" ] || [ -z "$flood_busy0" ]; then
                        problem "cannot read flushd's Busy property: $(cat /run/t.err)"
                elif [ "$busy" -gt "$flood_busy0" ]; then
                        echo "  Busy $flood_busy0 -> $busy"
                        grep -q '"label":"\[Daemon\]","path":"","granted":[0-9]*,"denied":[0-9]*,"throttled":[0-9]*,"busy":[1-9]' /run/t.stats ||
                                problem "[Daemon]'s busy counter did not count the flood's Busy answers: $(cat /run/t.stats)"
                else
                        echo "  Busy $flood_busy0 -> $busy: flushd kept up with the flood, no connection reached its bound"
                fi
        else
                denied=$(victim get Denied 2>/run/t.err)
                echo "  Denied ${flood_denied0:-?} -> ${denied:-?}"
                if [ -z "$denied" ] || [ -z "$flood_denied0" ] || [ "$denied" -le "$flood_denied0" ]; then
                        problem "Denied did not grow (${flood_denied0:-?} -> ${denied:-?}$(cat /run/t.err)): the flood never reached flushd"
                fi
        fi
        verdict
}

test_flood_unread() {
        flood_case /FL admitted
}

test_flood_denied() {
        flood_case /FD denied
}

# 200 processes of alice in 50 sibling cgroups /S/c1 ... /S/c50, section
# Path=/S, each flushing flat out for 3 s from one start (swarm; a child
# that has had no verdict yet, only Busy or timeouts, goes on up to 30 s
# more, so a starved guest still tests something). The bucket
# of /S holds at most Burst when they start and gains Rate per second, so
# over the window W from the start to the last reply (every grant counted
# was admitted inside it): granted <= Burst + floor(Rate × W) + 1 (the 1
# for rounding between flushd's clock and ours). And granted > 0.
test_subtree_swarm() {
        req_daemon || return
        burst=$(conf_get "$REQ_CONF" subtree Burst)
        rate=$(per_second "$(conf_get "$REQ_CONF" subtree Rate)")
        req_filled 1
        PROBLEMS=
        call root / swarm alice /S/c 50 200 3
        [ "$RC" -eq 0 ] || fail "swarm exit $RC$(err_first) ($OUT)" || return
        granted=$(kv granted)
        window=$(kv window_ms)
        max=$(calc "b + r * w / 1000 + 1" -v b="$burst" -v r="$rate" -v w="$window")
        echo "  granted $granted in ${window} ms; bound Burst $burst + Rate $rate/s x window + 1 = $max"
        [ "$granted" -gt 0 ] || problem "nothing granted to the subtree"
        [ "$granted" -le "$max" ] ||
                problem "$granted granted > $max = Burst $burst + $rate/s x ${window} ms + 1: the subtree escaped its limit"
        check_serving "after the swarm"
        verdict
}

# kill -9 in the middle of a flood, restart with the same state file: the
# bucket of /K (Rate=2/s Burst=20) must come back as it was (empty), not
# full. First alice drains it flat out until the first QuotaExceeded: she
# must have got at least the burst (the bucket had Burst/Rate + 1 s to fill
# since flushd started empty), so a refill would show as >= Burst grants
# after the restart. Then she keeps flushing flat out in the background and
# flushd is killed 1 s into that, so the bucket holds less than a token or
# two when it dies. After the restart, in 1 s of flat-out flushing, she may
# get only what Rate refills from the kill to her last reply (E), plus 1 s
# in case flushd saved its state up to a second before the kill, plus 2 (a
# token refilled between two of her calls, and rounding):
#   granted <= floor(Rate × (E - kill + 1)) + 2, which must stay < Burst.
# (Whether the downtime is credited is the daemon's choice; the bound allows
# it, so "the first flush after the restart is throttled" is implied only
# when the restart is quicker than 1/Rate.)
test_restart_levels() {
        [ -n "$REQ_STATE_ARG" ] || fail "flushd does not take --state-file: $REQ_STATE_WHY" || return
        req_daemon || return
        burst=$(conf_get "$REQ_CONF" kill Burst)
        rate=$(per_second "$(conf_get "$REQ_CONF" kill Rate)")
        req_filled "$(calc "b / r + 1" -v b="$burst" -v r="$rate")"
        PROBLEMS=

        call alice /K victim flush --until-throttled --duration=30 --timeout=5
        pre=$(kv granted)
        if [ "$(kv quota)" != 1 ] || [ -z "$pre" ] || [ "$pre" -lt "$burst" ]; then
                problem "the drain got ${pre:-no} grants and $(kv quota) QuotaExceeded, want >= Burst $burst then 1"
        fi

        runas alice /K victim flush --duration=3 --timeout=2 >/run/k.out 2>&1 &
        kpid=$!
        sleep 1
        t_kill=$(uptime_s)
        kill -KILL "$FLUSHD_PID"
        wait "$FLUSHD_PID" 2>/dev/null
        FLUSHD_PID=
        REQ_RUNNING=
        pid_wait "$kpid" 100 || kill -KILL "$kpid" 2>/dev/null
        wait "$kpid"
        echo "  [alice in /K, flushd killed at ${t_kill}s] $(cat /run/k.out)"
        name_gone 50

        req_start || fail "restart with the same state: $START_WHY" || return
        call alice /K victim flush --duration=1 --timeout=2
        [ "$RC" -eq 0 ] || fail "victim exit $RC$(err_first)" || return
        post=$(kv granted)
        max=$(calc "r * (e - k + 1) + 2" -v r="$rate" -v e="$(kv end)" -v k="$t_kill")
        echo "  after the restart: $post granted, first $(kv first); bound $max (Burst $burst)"
        [ "$max" -lt "$burst" ] ||
                problem "the restart took too long (bound $max >= Burst $burst) to tell kept from refilled"
        [ "$post" -le "$max" ] ||
                problem "$post granted after the restart > $max: the restart refilled the bucket"
        check_serving "after the restart"
        verdict
}

# [Default] Allow=yes Rate=10/s Burst=10 RatePerUser=2/s BurstPerUser=4
# (peruser.conf): alice and carol each poll until a flush is granted (their
# buckets start empty), wait BurstPerUser/RatePerUser + 0.5 s to fill, then
# alice flushes flat out for 2 s: she must be throttled at least once and
# get at most BurstPerUser + floor(RatePerUser × her window) + 1; then carol
# asks BurstPerUser times in a row and must get every one. Without a split
# alice would take the section's 10 + 10/s and throttle carol.
#
# per_user_share CONF SECTION KEY_PREFIX: that check for the split that
# CONF's SECTION sets with KEY_PREFIX{Rate,Burst}PerUser=.
per_user_share() {
        conf=$1
        bpu=$(conf_get "$conf" "$2" "${3}BurstPerUser")
        rpu=$(per_second "$(conf_get "$conf" "$2" "${3}RatePerUser")")
        [ -n "$bpu" ] && [ "$rpu" != 0 ] || fail "$conf sets no ${3}RatePerUser= and ${3}BurstPerUser= in [$2]" ||
                return
        flushd_stop
        rm -f /run/flushd/peruser.state
        flushd_start --config="$conf" ${REQ_STATE_ARG:+--state-file=/run/flushd/peruser.state} ||
                fail "cannot start flushd with $conf: $START_WHY" || return
        PROBLEMS=
        for who in alice carol; do
                n=0
                while :; do
                        call "$who" /U victim flush --count=1 --timeout=5
                        [ "$(kv granted)" != 1 ] || break
                        n=$((n + 1))
                        [ "$n" -lt 20 ] || fail "$who: no flush granted in 10 s ($(kv first) $(kv other_name))" || return
                        sleep 0.5
                done
        done
        sleep "$(awk -v b="$bpu" -v r="$rpu" 'BEGIN { print b / r + 0.5 }')"

        call alice /U victim flush --duration=2 --timeout=5
        [ "$RC" -eq 0 ] || fail "victim exit $RC$(err_first)" || return
        ag=$(kv granted)
        max=$(calc "b + r * (e - s) + 1" -v b="$bpu" -v r="$rpu" -v e="$(kv end)" -v s="$(kv start)")
        [ "$(kv quota)" -ge 1 ] 2>/dev/null || problem "alice was never throttled ($ag granted): her share is not limited"
        [ "$ag" -le "$max" ] || problem "alice got $ag > $max = BurstPerUser + RatePerUser x her window + 1"

        call carol /U victim flush --count="$bpu" --timeout=5
        if [ "$RC" -ne 0 ] || [ "$(kv granted)" != "$bpu" ]; then
                problem "carol got $(kv granted) of $bpu right after alice drained hers ($(kv first)$(err_first))"
        fi
        verdict
}

test_per_user_default() {
        per_user_share /etc/flushd/peruser.conf Default ""
}

# The same for the machine-wide limit (globaluser.conf): [Daemon]
# GlobalRate=10/s GlobalBurst=10 GlobalRatePerUser=2/s GlobalBurstPerUser=4
# over an unlimited [Default], so only the global split can throttle alice.
test_per_user_global() {
        per_user_share /etc/flushd/globaluser.conf Daemon Global
}

# Back to the daemon /init started: check.conf, no state-file argument.
test_request_restore() {
        flushd_stop
        flushd_start --config=/etc/flushd/check.conf || fail "$START_WHY"
}

tests_request_run() {
        run_test request-setup test_request_setup
        run_test flood-unread-fds test_flood_unread
        run_test flood-denied test_flood_denied
        run_test subtree-200-procs test_subtree_swarm
        run_test restart-keeps-levels test_restart_levels
        run_test per-user-default test_per_user_default
        run_test per-user-global test_per_user_global
        run_test request-restore test_request_restore
}

# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh - what every test file of the systemd guest uses, sourced by run-tests
#
# A case is a shell function run by run_test; it prints
# "FLUSHD-TEST PASS name" or "FLUSHD-TEST FAIL name: why". Callers run as
# unprivileged users in cgroups under /sdvm through runas (tests/vm/progs),
# or in units of their own through systemd-run. Every wait is bounded.

ERR_PREFIX=org.flushd.Flush1.Error
WHY=
PROBLEMS=

uptime_s() { cut -d' ' -f1 /proc/uptime; }

fail() {
        WHY="$*"
        return 1
}

# problem WHY: note a failed assertion and go on; verdict fails with all.
problem() {
        echo "  problem: $*"
        PROBLEMS="${PROBLEMS:+$PROBLEMS; }$*"
}

verdict() {
        [ -z "$PROBLEMS" ] || fail "$PROBLEMS"
}

run_test() {
        name=$1
        shift
        WHY=
        PROBLEMS=
        echo "--- $name (t=$(uptime_s)s)"
        if "$@"; then
                echo "FLUSHD-TEST PASS $name"
                PASSED=$((PASSED + 1))
                [ -z "${PASS_LOG:-}" ] || echo "$name" >> "$PASS_LOG"
        else
                echo "FLUSHD-TEST FAIL $name: ${WHY:-returned failure}"
                FAILED=$((FAILED + 1))
        fi
}

# show LABEL TEXT: TEXT indented, for the log.
show() {
        [ -z "$2" ] || echo "$2" | sed "s/^/    $1: /"
}

# call USER CGROUP CMD...: run CMD as USER in /sys/fs/cgroup/CGROUP (made if
# missing); sets RC, OUT, ERR.
call() {
        who="$1 in $2"
        runas "$@" >/run/sdvm-t.out 2>/run/sdvm-t.err
        RC=$?
        shift 2
        OUT=$(cat /run/sdvm-t.out)
        ERR=$(cat /run/sdvm-t.err)
        echo "  [$who] $* -> exit $RC"
        show out "$OUT"
        show err "$ERR"
}

# sh_call CMD...: run CMD as root here; sets RC, OUT, ERR.
sh_call() {
        "$@" >/run/sdvm-t.out 2>/run/sdvm-t.err
        RC=$?
        OUT=$(cat /run/sdvm-t.out)
        ERR=$(cat /run/sdvm-t.err)
        echo "  [root] $* -> exit $RC"
        show out "$OUT"
        show err "$ERR"
}

err_first() {
        [ -z "$ERR" ] || echo ": $(echo "$ERR" | head -n 1)"
}

# expect_error RC NAME: flushctl's exit code RC and error NAME on stderr.
expect_error() {
        [ "$RC" -eq "$1" ] || fail "[$who] exit $RC, want $1 ($2)$(err_first)" || return
        case "$ERR" in
        *"$ERR_PREFIX.$2"*) ;;
        *) fail "[$who] stderr lacks $ERR_PREFIX.$2" || return ;;
        esac
}

# expect_flushed [N]: one flushctl result line, N CPUs if given.
expect_flushed() {
        [ "$RC" -eq 0 ] || fail "[$who] exit $RC, want 0$(err_first)" || return
        echo "$OUT" | grep -Eqx 'flushed=[0-9]+ coalesced=[0-9]+ nsec=[0-9]+' ||
                fail "[$who] output '$OUT' is not flushctl's result line" || return
        [ -z "${1:-}" ] || [ "${OUT%% *}" = "flushed=$1" ] || fail "[$who] ${OUT%% *}, want flushed=$1" || return
}

# kv KEY: KEY=VALUE's value in the last line of $OUT that has it.
kv() {
        echo "$OUT" | sed -n "s/.*\(^\|[ :]\)$1=\([^ ]*\).*/\2/p" | tail -n 1
}

# json_get KEY: the first "KEY": value in $OUT (string quotes removed).
json_get() {
        echo "$OUT" | tr ',{}' '\n\n\n' |
                sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" | head -n 1
}

# section_get LABEL KEY: KEY of section LABEL in `flushctl stats --json` ($OUT).
section_get() {
        echo "$OUT" | tr '{}' '\n\n' | grep "\"label\":[[:space:]]*\"$1\"" | tr ',' '\n' |
                sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" | head -n 1
}

# prop NAME: a property of flushd.service.
prop() {
        systemctl show -P "$1" flushd.service
}

# wait_for SECONDS CMD...: poll CMD every 0.5 s until it succeeds; 1 on timeout.
wait_for() {
        n=$(( $1 * 2 ))
        shift
        while ! "$@" >/dev/null 2>&1; do
                n=$((n - 1))
                [ "$n" -gt 0 ] || return 1
                sleep 0.5
        done
}

flushd_active() {
        [ "$(systemctl is-active flushd.service)" = active ]
}

# calc EXPR VAR=VALUE...: awk arithmetic, as an integer.
calc() {
        expr=$1
        shift
        awk "$@" "BEGIN { print int($expr) }"
}

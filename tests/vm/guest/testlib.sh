# SPDX-License-Identifier: LGPL-2.1-or-later
# testlib.sh - the test helpers both guests use (the busybox guest's /init,
# the systemd guest's lib.sh source it)
#
# A case is a shell function run by run_test; it prints
# "FLUSHD-TEST PASS name" or "FLUSHD-TEST FAIL name: why", and counts into
# PASSED and FAILED (the caller's). With PASS_LOG set, each passing case's
# name is appended to that file. A case fails through fail (at once) or
# collects problems and ends with verdict. Callers run as unprivileged users
# in cgroups through runas (tests/vm/progs/runas.c).

ERR_PREFIX=org.flushd.Flush1.Error
WHY=
PROBLEMS=

uptime_s() { cut -d' ' -f1 /proc/uptime; }

fail() {
        WHY="$*"
        return 1
}

# problem WHY: note a failed assertion and go on checking; verdict then
# fails the case with all of them.
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

# call USER CGROUP CMD...: run CMD as USER in CGROUP (made if missing);
# sets RC, OUT, ERR.
call() {
        who="$1 in $2"
        runas "$@" >/run/t.out 2>/run/t.err
        RC=$?
        shift 2
        OUT=$(cat /run/t.out)
        ERR=$(cat /run/t.err)
        echo "  [$who] $* -> exit $RC"
        show out "$OUT"
        show err "$ERR"
}

# ": <first line of stderr>" of the last call, if it printed any.
err_first() {
        [ -z "$ERR" ] || echo ": $(echo "$ERR" | head -n 1)"
}

# expect_error RC NAME: the last call failed with flushctl's exit code RC and
# printed the D-Bus error name NAME on stderr.
expect_error() {
        [ "$RC" -eq "$1" ] || fail "[$who] exit $RC, want $1 ($2)$(err_first)" || return
        case "$ERR" in
        *"flushctl: $ERR_PREFIX.$2:"*) ;;
        *) fail "[$who] stderr lacks 'flushctl: $ERR_PREFIX.$2:'" || return ;;
        esac
}

# expect_flushed [N]: the last call succeeded and printed exactly one result
# line in flushctl's format; N (if given) is the expected CPU count.
expect_flushed() {
        [ "$RC" -eq 0 ] || fail "[$who] exit $RC, want 0$(err_first)" || return
        [ "$(echo "$OUT" | wc -l)" -eq 1 ] &&
                echo "$OUT" | grep -Eqx 'flushed=[0-9]+ coalesced=[0-9]+ nsec=[0-9]+' ||
                fail "[$who] output '$OUT' is not 'flushed=<u> coalesced=<u> nsec=<t>'" || return
        [ -z "${1:-}" ] || [ "${OUT%% *}" = "flushed=$1" ] ||
                fail "[$who] ${OUT%% *}, want flushed=$1" || return
}

# kv KEY: the value of KEY=VALUE in the last line of $OUT that has it (at
# the start of a line or after a space or a colon).
kv() {
        echo "$OUT" | sed -n -e "s/^$1=\([^ ]*\).*/\1/p" -e "t" -e "s/.*[ :]$1=\([^ ]*\).*/\1/p" | tail -n 1
}

# calc EXPR VAR=VALUE...: awk arithmetic, printed as an integer (int()).
calc() {
        expr=$1
        shift
        awk "$@" "BEGIN { print int($expr) }" </dev/null
}

# json_get KEY: the first "KEY": value in $OUT (string quotes removed).
json_get() {
        echo "$OUT" | tr ',{}' '\n\n\n' |
                sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" | head -n 1
}

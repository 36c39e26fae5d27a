# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh - what every test file of the systemd guest uses, sourced by run-tests
#
# The helpers both guests share (run_test, fail, problem, verdict, call,
# expect_error, expect_flushed, kv, calc, ...) are testlib.sh's
# (tests/vm/guest/testlib.sh); these are the systemd guest's own. Callers
# run as unprivileged users in cgroups under /sdvm through runas
# (tests/vm/progs), or in units of their own through systemd-run. Every
# wait is bounded.

# shellcheck source=../../guest/testlib.sh
. "$LIBEXEC/testlib.sh"

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


# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-polkit.sh - Reload for a non-root admin, through polkit
#
# flushd asks polkit (CheckAuthorization, action org.flushd.Flush1.manage)
# before Reload and ListCgroups from a caller other than root. The guest's
# rule (flushd-sdvm.rules) grants the action to group flushadm: dave is a
# member, bob is not. The bus policy lets both through (flushd decides),
# so the answer each gets is flushd's own.

test_polkit_reload() {
        [ -e /usr/share/polkit-1/actions/org.flushd.Flush1.policy ] ||
                problem "the package installed no polkit action file"
        call dave /sdvm/A flushctl reload
        [ "$RC" -eq 0 ] || problem "dave (flushadm): reload exit $RC, want 0$(err_first)"
        call dave /sdvm/A flushctl stats --json
        [ "$RC" -eq 0 ] || problem "dave (flushadm): stats (ListCgroups) exit $RC, want 0$(err_first)"
        call bob /sdvm/A flushctl reload
        [ "$RC" -eq 3 ] || problem "bob: reload exit $RC, want 3 (refused)"
        case "$ERR" in
        *"$ERR_PREFIX."*) ;;
        *) problem "bob's refusal is not flushd's own error (the bus refused?)$(err_first)" ;;
        esac
        verdict
}

tests_polkit_run() {
        run_test polkit-reload-by-group test_polkit_reload
}

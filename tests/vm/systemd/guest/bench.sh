# SPDX-License-Identifier: LGPL-2.1-or-later
# bench.sh - goal 3 (fairness) on a real system bus, sourced by run-tests
#
# flushd.suite=bench: the same victim and flooders as the busybox guest's
# fairness step (tests/bench/fairness.c), against the packaged flushd under
# its own unit, on this boot's bus (flushd.bus=dbus-broker|dbus-daemon):
# - the bench policy (tests/vm/guest/flushd-bench.conf) as a drop-in,
#   /etc/flushd/flushd.conf.d/90-bench.conf, then flushd restarted;
# - the bench bus policy (tests/vm/guest/bench-bus.conf, owning
#   org.flushd.Floor1) in /etc/dbus-1/system.d/, then the bus reloaded;
# - the bus floor (bench-floor) as a transient unit, Type=dbus.
# The figures are FLUSHD-BENCH lines on the console with ids
# fairness.TAG.p99/p50 and fairness.TAG.floor.p99/p50, TAG broker for
# dbus-broker and sddaemon for dbus-daemon (tests/bench/report.awk).
# flushd.bench=quick shrinks the run to a token size. Each step is a test
# case (lib.sh): PASS means it ran and printed its figures, not that a goal
# was met. Expects BUS and LIBEXEC from run-tests.

BENCH_POLICY=/etc/flushd/flushd.conf.d/90-bench.conf
BENCH_BUS_POLICY=/etc/dbus-1/system.d/flushd-bench.conf

bench_tag() {
        case "$BUS" in
        dbus-broker) echo broker ;;
        dbus-daemon) echo sddaemon ;;
        *) echo "$BUS" ;;
        esac
}

bench_setup() {
        install -D -m 0644 "$LIBEXEC/flushd-bench.conf" "$BENCH_POLICY" || fail "installing $BENCH_POLICY" || return
        sh_call systemctl restart flushd.service
        [ "$RC" -eq 0 ] || fail "restarting flushd with the bench policy: exit $RC$(err_first)" || return
        flushd_active || fail "flushd is $(systemctl is-active flushd.service) after the restart" || return
        install -D -m 0644 "$LIBEXEC/bench-bus.conf" "$BENCH_BUS_POLICY" || fail "installing $BENCH_BUS_POLICY" || return
        sh_call systemctl reload dbus.service
        [ "$RC" -eq 0 ] || fail "reloading the bus: exit $RC$(err_first)" || return
        # Type=dbus: systemd-run returns once the floor owns its name.
        sh_call systemd-run --unit=flushd-bench-floor --property=Type=dbus \
                --property=BusName=org.flushd.Floor1 "$LIBEXEC/bench-floor"
        [ "$RC" -eq 0 ] || fail "starting bench-floor: exit $RC$(err_first)" || return
        busctl status org.flushd.Floor1 >/dev/null 2>&1 || fail "org.flushd.Floor1 has no owner" || return
}

# bench_step_run CMD...: CMD with its stdout (the figures) on the console.
bench_step_run() {
        echo "FLUSHD-BENCH-STEP $*: (t=$(uptime_s)s)"
        "$@" 2>/run/bench.err
        rc=$?
        sed 's/^/    err: /' /run/bench.err
        [ "$rc" -eq 0 ] || fail "exit $rc: $(head -n 1 /run/bench.err)"
}

bench_sd_run() {
        tag=$(bench_tag)
        if [ "$(sed -n 's/.*flushd\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)" = quick ]; then
                fair="1 5 2 500"
        else
                # As the busybox guest's full run (tests/vm/guest/bench.sh).
                fair="7 200 4 15000"
        fi
        echo "FLUSHD-BENCH-STEP systemd guest, $BUS: QEMU TCG, $(nproc) vCPUs; TCG timings are not hardware timings"
        failed_before=$FAILED
        run_test "bench-setup-$tag" bench_setup
        [ "$FAILED" -eq "$failed_before" ] || return
        # shellcheck disable=SC2086
        run_test "bench-fairness-$tag" bench_step_run flushd-bench fairness $fair flushd "fairness.$tag"
        # shellcheck disable=SC2086
        run_test "bench-fairness-floor-$tag" bench_step_run flushd-bench fairness $fair floor "fairness.$tag"
        run_test "bench-flushd-alive-$tag" flushd_active
        systemctl stop flushd-bench-floor.service 2>/dev/null
}

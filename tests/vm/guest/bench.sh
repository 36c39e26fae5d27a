# SPDX-License-Identifier: LGPL-2.1-or-later
# bench.sh - the benchmarks in the guest, sourced by /init in bench mode
#
# Starts the bus floor (bench-floor, org.flushd.Floor1) beside flushd on the
# same system bus, and on its private socket /run/flushd-floor.sock
# (BENCH_FLOOR_DIRECT_PATH, goal 3's "direct" figure), then runs each
# flushd-bench subcommand as the user and in the cgroup its goal needs
# (policy: /etc/flushd/bench.conf). The programs
# print FLUSHD-BENCH result lines on the console, which the host
# (tests/bench/run.sh) turns into the table. A step that fails to produce
# its figures is a FAIL; PASS means the step ran, not that a goal was met.
# The last step restarts flushd with a policy of many sections.
# flushd.bench=quick on the kernel command line shrinks every step to a
# token size (make check). Expects FLUSHD_PID, PASSED and FAILED from /init.

BENCH_MODE=$(sed -n 's/.*flushd\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)

bench_run_step() {      # NAME CMD...
        name=$1
        shift
        echo "FLUSHD-BENCH-STEP $name: $* (t=$(uptime_s)s)"
        if "$@" 2>/run/bench.err; then
                echo "FLUSHD-TEST PASS bench-$name"
                PASSED=$((PASSED + 1))
        else
                echo "FLUSHD-TEST FAIL bench-$name: exit $?: $(head -n 1 /run/bench.err)"
                FAILED=$((FAILED + 1))
        fi
        sed 's/^/    err: /' /run/bench.err
}

# flushd's VmRSS with a policy of N sections: restart it on such a file. A
# refusal is a figure (nan, with flushd's message), not a failed step.
bench_sections() {      # N CLIENTS
        n=$1
        awk -v n="$n" 'BEGIN {
                print "[Default]\nAllow=no\n\n[Cgroup bench]\nPath=/B\nAllow=yes"
                for (i = 1; i < n; i++)
                        printf "\n[Cgroup s%d]\nPath=/bench.slice/s%d.service\nAllow=yes\n", i, i
        }' > /run/sections.conf
        kill -TERM "$FLUSHD_PID"
        wait "$FLUSHD_PID"
        t0=$(uptime_s)
        flushd --config=/run/sections.conf 2>/run/flushd-sections.log &
        FLUSHD_PID=$!
        # Until it owns its name or exits (a refused policy), at most 120 s.
        i=0
        while ! bus-wait org.flushd.Flush1 0 2>/dev/null && kill -0 "$FLUSHD_PID" 2>/dev/null &&
                [ "$i" -lt 1200 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        if bus-wait org.flushd.Flush1 0 2>/dev/null; then
                echo "FLUSHD-BENCH-STEP flushd took its name $t0 -> $(uptime_s) s (uptime) with $n sections"
                runas alice /B flushd-bench connections "$2" "$FLUSHD_PID" memory.rss_sections 2>/run/bench.err ||
                        sed 's/^/    err: /' /run/bench.err
        else
                # Why, for the note: still starting after the bound, or
                # its exit status and the last line it wrote.
                if kill -0 "$FLUSHD_PID" 2>/dev/null; then
                        why="not on the bus after $(calc "t - s" -v t="$(uptime_s)" -v s="$t0") s"
                else
                        wait "$FLUSHD_PID"
                        why="exit status $? after $(calc "t - s" -v t="$(uptime_s)" -v s="$t0") s: $(grep -v '^$' /run/flushd-sections.log | tail -n 1)"
                fi
                echo "FLUSHD-BENCH id=memory.rss_sections value=nan baseline=nan ratio=nan unit=KiB rounds=1 note=flushd with $n sections: refused at start: $why"
        fi
        cat /run/flushd-sections.log >> /run/flushd.log
}

bench_run() {
        if [ "$BENCH_MODE" = quick ]; then
                med="1 20 5" tp="4 100 1" fair="1 5 2 500" prec=2 coal="8 2" pong="200 2" churn="16 1 100"
                conns=50 sect=100
        else
                # Goal 1 asks for >= 10,000 calls: 20 rounds of 500 (floor and clean).
                med="20 500 100" tp="16 1000 10" fair="7 200 4 15000" prec=10 coal="64 10" pong="1000 31"
                churn="256 5 2000"
                conns=1000 sect=10000
        fi
        echo "FLUSHD-BENCH-STEP mode ${BENCH_MODE:-full}: QEMU TCG, $(nproc) vCPUs; TCG timings are not hardware timings, WBINVD is a no-op"

        bench-floor --listen=/run/flushd-floor.sock 2>/run/floor.log &
        floor_pid=$!
        if ! bus-wait org.flushd.Floor1 30; then
                echo "FLUSHD-TEST FAIL bench-floor: did not take org.flushd.Floor1: $(head -n 1 /run/floor.log)"
                FAILED=$((FAILED + 1))
                return
        fi
        # 1,000 connections of one process, plus stdio and the iommufds.
        ulimit -n 4096

        # shellcheck disable=SC2086
        {
                bench_run_step mediation runas alice /B flushd-bench mediation $med
                bench_run_step throughput runas alice /B flushd-bench throughput $tp
                bench_run_step fairness flushd-bench fairness $fair
                # What the bus alone does to the victim under the same flood.
                bench_run_step fairness-floor flushd-bench fairness $fair floor
                # What the flood's load alone does to a victim the bus does not delay.
                bench_run_step fairness-direct flushd-bench fairness $fair direct
                bench_run_step precision runas alice /P flushd-bench precision $prec
                bench_run_step coalescing runas alice /P flushd-bench coalesce $coal
                bench_run_step tracking-cost runas alice /B flushd-bench pingpong $pong
                # As root: IOMMU_CACHE_WB needs CAP_SYS_RAWIO, like flushd.
                bench_run_step tracking-churn flushd-bench churn $churn
                bench_run_step memory-clients runas alice /B flushd-bench connections $conns "$FLUSHD_PID"
        }
        bench_run_step daemon-alive kill -0 "$FLUSHD_PID"
        kill "$floor_pid" 2>/dev/null
        bench_sections "$sect" 10
}

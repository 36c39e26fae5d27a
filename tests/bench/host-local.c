/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host-local.c - bench-local: goal 8, where libflushd's local write-back stops paying
 *
 * On the host, where CLFLUSHOPT/CLWB/CLFLUSH are real, compare the local
 * loop of flushd_write_back_range(FLUSHD_RANGE_LOCAL) on a freshly written
 * (dirty) buffer of 4 KiB .. 16 MiB with one round trip of Flush to the bus
 * floor (bench-floor) on a private dbus-daemon at ADDRESS. The host has no
 * flushd kernel, and a real flushd round trip costs the floor plus its
 * mediation plus the IPIs, so the floor is the lower bound of a daemon
 * round trip and the crossover it gives the lower bound of the threshold.
 * Each round times every size (in rotating order) and CALLS floor calls;
 * medians over rounds. The crossover is interpolated linearly between the
 * last size that is cheaper than a round trip and the first that is not.
 *
 * Usage: bench-local ROUNDS CALLS ADDRESS
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "flushd.h"
#include "util/macro.h"

#define SIZE_MIN ((size_t) 4096)
#define N_SIZES 13              /* 4 KiB .. 16 MiB */
#define ROUNDS_MAX 256

static const char *method_name(int m) {
        switch (m) {
        case FLUSHD_LOCAL_CLWB:       return "CLWB";
        case FLUSHD_LOCAL_CLFLUSHOPT: return "CLFLUSHOPT";
        case FLUSHD_LOCAL_CLFLUSH:    return "CLFLUSH";
        default:                      return "none";
        }
}

static double time_local(unsigned char *buf, size_t size, unsigned round) {
        uint64_t t0;

        memset(buf, (int) round, size);         /* dirty every line */
        t0 = bench_now_ns();
        if (flushd_write_back_range(NULL, -1, buf, size, FLUSHD_RANGE_LOCAL, 0, 0, NULL) != FLUSHD_RANGE_BY_LOCAL)
                return NAN;
        return (double) (bench_now_ns() - t0) / 1e3;
}

static double time_round_trip(sd_bus *bus, int fd, uint64_t *lat, unsigned calls) {
        for (unsigned i = 0; i < calls; i++) {
                uint64_t t0 = bench_now_ns();

                if (bench_call_flush(bus, BENCH_FLOOR_NAME, fd, 0, NULL, NULL, NULL) != 0)
                        return NAN;
                lat[i] = bench_now_ns() - t0;
        }
        return bench_quantile(lat, calls, 0.5) / 1e3;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ unsigned char *buf = NULL;
        _cleanup_free_ uint64_t *lat = NULL;
        _cleanup_free_ double *rt = NULL, *at_default = NULL, *local = NULL;    /* local[size * rounds + round] */
        _cleanup_close_ int fd = -EBADF;
        double rt_med, cost[N_SIZES], crossover = NAN, def_cost;
        size_t def = FLUSHD_RANGE_THRESHOLD_DEFAULT;
        unsigned rounds, calls;
        int r;

        if (argc != 4) {
                fprintf(stderr, "Usage: bench-local ROUNDS CALLS ADDRESS\n");
                return EXIT_FAILURE;
        }
        rounds = bench_arg_uint(argv[1], "ROUNDS");
        calls = bench_arg_uint(argv[2], "CALLS");
        if (rounds > ROUNDS_MAX)
                rounds = ROUNDS_MAX;
        if (flushd_local_write_back_method(0) < 0) {
                fprintf(stderr, "bench-local: this CPU has no cache line write-back instruction\n");
                return EXIT_FAILURE;
        }
        r = bench_bus_open(argv[3], &bus);
        if (r < 0) {
                fprintf(stderr, "bench-local: cannot connect to %s: %s\n", argv[3], strerror(-r));
                return EXIT_FAILURE;
        }
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);   /* the floor ignores what it is */
        buf = aligned_alloc(4096, SIZE_MIN << (N_SIZES - 1));
        lat = calloc(calls, sizeof(*lat));
        rt = calloc(rounds, sizeof(double));
        at_default = calloc(rounds, sizeof(double));
        local = calloc((size_t) N_SIZES * rounds, sizeof(double));
        if (fd < 0 || !buf || !lat || !rt || !at_default || !local)
                return EXIT_FAILURE;

        (void) time_round_trip(bus, fd, lat, calls);    /* warm-up */
        for (unsigned k = 0; k < rounds; k++) {
                rt[k] = time_round_trip(bus, fd, lat, calls);
                for (size_t j = 0; j < N_SIZES; j++) {
                        size_t i = (j + k) % N_SIZES;

                        local[i * rounds + k] = time_local(buf, SIZE_MIN << i, k);
                }
                at_default[k] = time_local(buf, def, k);
        }

        rt_med = bench_median(rt, rounds);
        for (size_t i = 0; i < N_SIZES; i++)
                cost[i] = bench_median(&local[i * rounds], rounds);
        def_cost = bench_median(at_default, rounds);
        for (size_t i = 0; i < N_SIZES; i++) {
                if (cost[i] <= rt_med)
                        continue;
                if (i == 0)
                        crossover = (double) SIZE_MIN;
                else {
                        double s0 = (double) (SIZE_MIN << (i - 1)), s1 = (double) (SIZE_MIN << i);

                        crossover = s0 + (rt_med - cost[i - 1]) * (s1 - s0) / (cost[i] - cost[i - 1]);
                }
                break;
        }

        for (size_t i = 0; i < N_SIZES; i++) {
                char id[32];

                snprintf(id, sizeof(id), "local.cost_%zuk", (SIZE_MIN << i) / 1024);
                bench_report(id, cost[i], rt_med, cost[i] / rt_med, "us", rounds, NULL,
                             "%s loop over %zu KiB just written, vs one floor round trip", method_name(
                             flushd_local_write_back_method(0)), (SIZE_MIN << i) / 1024);
        }
        bench_report("local.round_trip", rt_med, NAN, NAN, "us", rounds, NULL,
                     "Flush to bench-floor on a private dbus-daemon (host), median of %u calls per round: "
                     "the lower bound of a flushd round trip", calls);
        bench_report("local.at_default", def_cost, rt_med, def_cost / rt_med, "us", rounds, NULL,
                     "local loop at the default threshold (%zu KiB) vs one floor round trip", def / 1024);
        {
                char extra[64];

                snprintf(extra, sizeof(extra), " default_kib=%zu", def / 1024);
                bench_report("local.threshold", crossover / 1024, (double) def / 1024,
                             (double) def / crossover, "KiB", rounds, extra,
                             "measured crossover (local loop = floor round trip of %.1f us, %s) vs the default "
                             "FLUSHD_RANGE_THRESHOLD_DEFAULT; ratio default/measured",
                             rt_med, method_name(flushd_local_write_back_method(0)));
        }
        return EXIT_SUCCESS;
}

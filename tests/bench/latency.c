/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * latency.c - goals 1 and 2: flushd's per-call cost and throughput against the bus floor
 *
 * Mediation: one client, one connection, sequential calls. Each round
 * calls the floor and flushd on a clean target CALLS times each and flushd
 * on a dirty target DIRTY times, in an order that rotates from round to
 * round, and
 * keeps each service's p50 and p99. The clean target is an iommufd with no
 * tracked thread, so the kernel finds no dirty CPU and sends no IPI: what
 * remains is identity, policy, quota and the hand-off. The dirty target is
 * an iommufd the calling thread itself is tracked on, so every call finds
 * at least the CPU it last slept on dirty: the full cost.
 *
 * Throughput: CLIENTS threads, one connection each, call in a closed loop
 * for MS milliseconds; rounds alternate floor and flushd over the same
 * connections and compare requests per second.
 *
 * Figures are medians over rounds; the ratio is the median of the per-round
 * ratios, so a slow phase of the machine hits both sides of a round alike.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bus/flush1.h"
#include "flushd.h"
#include "util/macro.h"

enum { SVC_FLOOR, SVC_CLEAN, SVC_DIRTY, _SVC_MAX };

static const char *const svc_dest[_SVC_MAX] = {
        [SVC_FLOOR] = BENCH_FLOOR_NAME,
        [SVC_CLEAN] = FLUSH1_BUS_NAME,
        [SVC_DIRTY] = FLUSH1_BUS_NAME,
};

typedef struct RoundStats {
        double p50[_SVC_MAX], p99[_SVC_MAX];
} RoundStats;

/* CALLS calls to one service; their p50/p99 in microseconds, and the CPUs flushed. */
static int run_calls(sd_bus *bus, int svc, int fd, uint64_t *lat, unsigned calls, RoundStats *st,
                     uint64_t *flushed_sum) {
        for (unsigned i = 0; i < calls; i++) {
                const char *err = NULL;
                uint32_t flushed = 0;
                uint64_t t0 = bench_now_ns();
                int r = bench_call_flush(bus, svc_dest[svc], fd, 0, &flushed, NULL, &err);

                lat[i] = bench_now_ns() - t0;
                if (r != 0) {
                        fprintf(stderr, "flushd-bench: Flush on %s failed: %s\n", svc_dest[svc],
                                r > 0 ? err : strerror(-r));
                        return -EIO;
                }
                *flushed_sum += flushed;
        }
        st->p50[svc] = bench_quantile(lat, calls, 0.50) / 1e3;
        st->p99[svc] = bench_quantile(lat, calls, 0.99) / 1e3;
        return 0;
}

static double ratio_median(RoundStats *st, unsigned rounds, bool p99, int svc) {
        _cleanup_free_ double *v = calloc(rounds, sizeof(double));

        if (!v)
                return NAN;
        for (unsigned r = 0; r < rounds; r++)
                v[r] = p99 ? st[r].p99[svc] / st[r].p99[SVC_FLOOR] : st[r].p50[svc] / st[r].p50[SVC_FLOOR];
        return bench_median(v, rounds);
}

static double value_median(RoundStats *st, unsigned rounds, bool p99, int svc) {
        _cleanup_free_ double *v = calloc(rounds, sizeof(double));

        if (!v)
                return NAN;
        for (unsigned r = 0; r < rounds; r++)
                v[r] = p99 ? st[r].p99[svc] : st[r].p50[svc];
        return bench_median(v, rounds);
}

/* mediation ROUNDS CALLS DIRTY */
int bench_mediation(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int clean = -EBADF, dirty = -EBADF;
        _cleanup_free_ uint64_t *lat = NULL;
        _cleanup_free_ RoundStats *st = NULL;
        uint64_t flushed[_SVC_MAX] = {};
        unsigned rounds, calls, dirty_calls;
        RoundStats warm;
        int r;

        if (argc != 4) {
                fprintf(stderr, "Usage: flushd-bench mediation ROUNDS CALLS DIRTY\n");
                return EXIT_FAILURE;
        }
        rounds = bench_arg_uint(argv[1], "ROUNDS");
        calls = bench_arg_uint(argv[2], "CALLS");
        dirty_calls = bench_arg_uint(argv[3], "DIRTY");
        if (dirty_calls > calls)
                dirty_calls = calls;

        r = bench_bus_open(NULL, &bus);
        if (r < 0) {
                fprintf(stderr, "flushd-bench: system bus: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        clean = bench_open_iommufd();
        dirty = bench_open_iommufd();
        r = flushd_track_thread(dirty, 0);
        if (r < 0) {
                fprintf(stderr, "flushd-bench: tracking the caller: %s\n", flushd_strerror(r));
                return EXIT_FAILURE;
        }
        lat = calloc(calls, sizeof(*lat));
        st = calloc(rounds, sizeof(*st));
        if (!lat || !st)
                return EXIT_FAILURE;

        /* Warm-up: connections, caches, the daemon's first-call paths. */
        for (int s = 0; s < _SVC_MAX; s++) {
                uint64_t ignored = 0;

                if (run_calls(bus, s, s == SVC_DIRTY ? dirty : clean, lat, calls < 50 ? calls : 50,
                              &warm, &ignored) < 0)
                        return EXIT_FAILURE;
        }

        for (unsigned k = 0; k < rounds; k++) {
                for (int j = 0; j < _SVC_MAX; j++) {
                        int s = (int) ((j + k) % _SVC_MAX);

                        if (run_calls(bus, s, s == SVC_DIRTY ? dirty : clean, lat,
                                      s == SVC_DIRTY ? dirty_calls : calls, &st[k], &flushed[s]) < 0)
                                return EXIT_FAILURE;
                }
        }

        bench_report("mediation.p50", value_median(st, rounds, false, SVC_CLEAN),
                     value_median(st, rounds, false, SVC_FLOOR), ratio_median(st, rounds, false, SVC_CLEAN),
                     "us", rounds, NULL, "flushd Flush on a clean target vs the floor, 1 client, %u calls each "
                     "(%u per round), CPUs flushed in all: %llu", rounds * calls, calls,
                     (unsigned long long) flushed[SVC_CLEAN]);
        bench_report("mediation.p99", value_median(st, rounds, true, SVC_CLEAN),
                     value_median(st, rounds, true, SVC_FLOOR), ratio_median(st, rounds, true, SVC_CLEAN),
                     "us", rounds, NULL, "as mediation.p50, 99th percentile of each round");
        bench_report("mediation.dirty_p50", value_median(st, rounds, false, SVC_DIRTY),
                     value_median(st, rounds, false, SVC_FLOOR), ratio_median(st, rounds, false, SVC_DIRTY),
                     "us", rounds, NULL, "full cost: the caller is tracked, %u calls (%u per round), %.2f CPUs "
                     "written back per call", rounds * dirty_calls, dirty_calls,
                     (double) flushed[SVC_DIRTY] / ((double) rounds * dirty_calls));
        bench_report("mediation.dirty_p99", value_median(st, rounds, true, SVC_DIRTY),
                     value_median(st, rounds, true, SVC_FLOOR), ratio_median(st, rounds, true, SVC_DIRTY),
                     "us", rounds, NULL, "as mediation.dirty_p50, 99th percentile");
        return flushed[SVC_CLEAN] == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

typedef struct ThroughputClient {
        pthread_t thread;
        uint64_t calls, t_end;
        int error;
} ThroughputClient;

typedef struct Throughput {
        pthread_barrier_t start, stop;
        const char *dest;       /* NULL: quit */
        uint64_t t_start, deadline;
        int fd;
        unsigned n;
        ThroughputClient *client;       /* [n], owned by bench_throughput() */
} Throughput;

typedef struct ThroughputArg {
        Throughput *tp;
        unsigned index;
} ThroughputArg;

static void *throughput_client(void *p) {
        ThroughputArg *a = p;
        Throughput *tp = a->tp;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = bench_bus_open(NULL, &bus);
        if (r < 0)
                tp->client[a->index].error = r;
        for (;;) {
                uint64_t calls = 0;

                pthread_barrier_wait(&tp->start);
                if (!tp->dest)
                        break;
                while (bus && tp->client[a->index].error == 0 && bench_now_ns() < tp->deadline) {
                        r = bench_call_flush(bus, tp->dest, tp->fd, 0, NULL, NULL, NULL);
                        if (r != 0)
                                tp->client[a->index].error = r > 0 ? -EIO : r;
                        calls++;
                }
                tp->client[a->index].calls = calls;
                tp->client[a->index].t_end = bench_now_ns();
                pthread_barrier_wait(&tp->stop);
        }
        return NULL;
}

/* One round on dest: all clients call for ms; returns requests per second. */
static double throughput_round(Throughput *tp, const char *dest, unsigned ms, int *ret_error) {
        uint64_t calls = 0, end = 0;

        tp->dest = dest;
        tp->t_start = bench_now_ns();
        tp->deadline = tp->t_start + (uint64_t) ms * 1000000u;
        pthread_barrier_wait(&tp->start);
        pthread_barrier_wait(&tp->stop);
        for (unsigned i = 0; i < tp->n; i++) {
                calls += tp->client[i].calls;
                if (tp->client[i].t_end > end)
                        end = tp->client[i].t_end;
                if (tp->client[i].error != 0)
                        *ret_error = tp->client[i].error;
        }
        return (double) calls * 1e9 / (double) (end - tp->t_start);
}

/* throughput CLIENTS MS ROUNDS */
int bench_throughput(int argc, char *argv[]) {
        _cleanup_free_ ThroughputArg *args = NULL;
        _cleanup_free_ ThroughputClient *client = NULL;
        _cleanup_free_ double *floor = NULL, *flushd = NULL, *ratio = NULL;
        _cleanup_close_ int fd = -EBADF;
        Throughput tp = {};
        unsigned clients, ms, rounds;
        int error = 0;

        if (argc != 4) {
                fprintf(stderr, "Usage: flushd-bench throughput CLIENTS MS ROUNDS\n");
                return EXIT_FAILURE;
        }
        clients = bench_arg_uint(argv[1], "CLIENTS");
        ms = bench_arg_uint(argv[2], "MS");
        rounds = bench_arg_uint(argv[3], "ROUNDS");

        fd = bench_open_iommufd();
        tp.fd = fd;
        tp.n = clients;
        tp.client = client = calloc(clients, sizeof(*client));
        args = calloc(clients, sizeof(*args));
        floor = calloc(rounds, sizeof(double));
        flushd = calloc(rounds, sizeof(double));
        ratio = calloc(rounds, sizeof(double));
        if (!tp.client || !args || !floor || !flushd || !ratio)
                return EXIT_FAILURE;
        pthread_barrier_init(&tp.start, NULL, clients + 1);
        pthread_barrier_init(&tp.stop, NULL, clients + 1);
        for (unsigned i = 0; i < clients; i++) {
                args[i] = (ThroughputArg) { .tp = &tp, .index = i };
                if (pthread_create(&tp.client[i].thread, NULL, throughput_client, &args[i]) != 0)
                        abort();        /* the barrier counts on every thread */
        }

        /* Warm-up round on each, not counted. */
        (void) throughput_round(&tp, BENCH_FLOOR_NAME, ms / 4 + 1, &error);
        (void) throughput_round(&tp, FLUSH1_BUS_NAME, ms / 4 + 1, &error);
        for (unsigned k = 0; k < rounds && error == 0; k++) {
                if (k % 2) {
                        flushd[k] = throughput_round(&tp, FLUSH1_BUS_NAME, ms, &error);
                        floor[k] = throughput_round(&tp, BENCH_FLOOR_NAME, ms, &error);
                } else {
                        floor[k] = throughput_round(&tp, BENCH_FLOOR_NAME, ms, &error);
                        flushd[k] = throughput_round(&tp, FLUSH1_BUS_NAME, ms, &error);
                }
                ratio[k] = flushd[k] / floor[k];
        }

        tp.dest = NULL;
        pthread_barrier_wait(&tp.start);
        for (unsigned i = 0; i < clients; i++)
                pthread_join(tp.client[i].thread, NULL);
        pthread_barrier_destroy(&tp.start);
        pthread_barrier_destroy(&tp.stop);
        if (error != 0) {
                fprintf(stderr, "flushd-bench: throughput: a call failed: %s\n", strerror(-error));
                return EXIT_FAILURE;
        }

        bench_report("throughput", bench_median(flushd, rounds), bench_median(floor, rounds),
                     bench_median(ratio, rounds), "req/s", rounds, NULL,
                     "%u concurrent clients, one connection each, closed loop, %u ms per round and service",
                     clients, ms);
        return EXIT_SUCCESS;
}

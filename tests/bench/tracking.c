/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tracking.c - goals 4, 5 and 6: precision, coalescing and the cost of tracking
 *
 * Precision: threads pinned to k of the CPUs are tracked and write a
 * buffer; a Flush must write back exactly k CPUs, where the naive answer
 * (ALL_CPUS, what an untracked daemon must do) writes back all of them.
 *
 * Coalescing: CLIENTS clients, each with its own iommufd marked dirty on
 * every CPU (MARK_ALL) and its own connection, flush at once. The kernel
 * skips a CPU a concurrent request already wrote back, so the write-backs
 * executed stay near one per CPU, not CLIENTS per CPU. The naive baseline
 * is the same burst with ALL_CPUS.
 *
 * Ping-pong: two threads pinned to one CPU hand a byte back and forth
 * through pipes, so every hand-off is a context switch and runs the
 * tracking hooks; rounds alternate the pair tracked and untracked.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bus/flush1.h"
#include "flushd.h"
#include "util/macro.h"
#include "../vm/progs/workers.h"

static int cpus_online(void) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (int) n : 1;
}

static void bus_freep(sd_bus **b) {
        sd_bus_flush_close_unref(*b);
}

/* precision ROUNDS */
int bench_precision(int argc, char *argv[]) {
        static const struct { int k; int cpus[4]; } sets[] = {
                { 1, { 1 } },
                { 2, { 1, 3 } },
                { 4, { 0, 1, 2, 3 } },
        };
        _cleanup_(bus_freep) sd_bus *bus = NULL;
        unsigned rounds;
        int r;

        if (argc != 2) {
                fprintf(stderr, "Usage: flushd-bench precision ROUNDS\n");
                return EXIT_FAILURE;
        }
        rounds = bench_arg_uint(argv[1], "ROUNDS");
        if (cpus_online() < 4) {
                fprintf(stderr, "flushd-bench: precision needs 4 CPUs\n");
                return EXIT_FAILURE;
        }
        r = bench_bus_open(NULL, &bus);
        if (r < 0)
                return EXIT_FAILURE;

        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                _cleanup_(workers_freep) Workers *ws = NULL;
                _cleanup_close_ int fd = bench_open_iommufd();
                _cleanup_free_ double *got = calloc(rounds, sizeof(double)), *naive = calloc(rounds, sizeof(double));
                double lo, hi, nlo, nhi;
                char id[32], extra[64];

                if (!got || !naive)
                        return EXIT_FAILURE;
                r = workers_new(&ws, fd, sets[i].cpus, sets[i].k);
                if (r < 0) {
                        fprintf(stderr, "flushd-bench: tracked workers: %s\n", flushd_strerror(r));
                        return EXIT_FAILURE;
                }
                for (unsigned k = 0; k < rounds; k++) {
                        uint32_t flushed = 0, all = 0;

                        if (workers_dirty(ws) < 0 ||
                            bench_call_flush(bus, FLUSH1_BUS_NAME, fd, 0, &flushed, NULL, NULL) != 0 ||
                            workers_dirty(ws) < 0 ||
                            bench_call_flush(bus, FLUSH1_BUS_NAME, fd, FLUSH1_FLUSH_ALL_CPUS, &all, NULL, NULL) != 0) {
                                fprintf(stderr, "flushd-bench: precision: a flush failed\n");
                                return EXIT_FAILURE;
                        }
                        got[k] = flushed;
                        naive[k] = all;
                }
                bench_range(got, rounds, &lo, &hi);
                bench_range(naive, rounds, &nlo, &nhi);
                snprintf(id, sizeof(id), "precision.k%d", sets[i].k);
                snprintf(extra, sizeof(extra), " min=%g max=%g expect=%d", lo, hi, sets[i].k);
                bench_report(id, bench_median(got, rounds), bench_median(naive, rounds), NAN, "cpus", rounds,
                             extra, "threads tracked on %d of %d CPUs: write-backs per Flush %g..%g, "
                             "naive ALL_CPUS %g..%g", sets[i].k, cpus_online(), lo, hi, nlo, nhi);
        }
        return EXIT_SUCCESS;
}

typedef struct Burst {
        pthread_barrier_t go, done;
        uint64_t flags;         /* of this round; UINT64_MAX: quit */
        size_t n;
        struct BurstClient {
                pthread_t thread;
                sd_bus *bus;
                int fd;
                uint32_t flushed, coalesced;
                int error;
        } *c;
} Burst;

typedef struct BurstArg {
        Burst *b;
        size_t i;
} BurstArg;

static void *burst_client(void *p) {
        BurstArg *a = p;
        struct BurstClient *c = &a->b->c[a->i];

        for (;;) {
                pthread_barrier_wait(&a->b->go);
                if (a->b->flags == UINT64_MAX)
                        return NULL;
                c->flushed = c->coalesced = 0;
                if (bench_call_flush(c->bus, FLUSH1_BUS_NAME, c->fd, a->b->flags, &c->flushed, &c->coalesced, NULL) != 0)
                        c->error = -EIO;
                pthread_barrier_wait(&a->b->done);
        }
}

/* Marks every client's context dirty on all CPUs, fires the burst, sums the counts. */
static int burst_round(Burst *b, uint64_t flags, uint64_t *ret_flushed, uint64_t *ret_coalesced) {
        uint64_t f = 0, co = 0;
        int r;

        for (size_t i = 0; i < b->n; i++) {
                r = flushd_track_thread(b->c[i].fd, FLUSHD_TRACK_MARK_ALL);
                if (r >= 0)
                        r = flushd_untrack_thread(b->c[i].fd);
                if (r < 0)
                        return r;
        }
        b->flags = flags;
        pthread_barrier_wait(&b->go);
        pthread_barrier_wait(&b->done);
        for (size_t i = 0; i < b->n; i++) {
                if (b->c[i].error)
                        return b->c[i].error;
                f += b->c[i].flushed;
                co += b->c[i].coalesced;
        }
        *ret_flushed = f;
        *ret_coalesced = co;
        return 0;
}

/* coalesce CLIENTS ROUNDS */
int bench_coalesce(int argc, char *argv[]) {
        _cleanup_free_ struct BurstClient *clients = NULL;
        _cleanup_free_ BurstArg *args = NULL;
        _cleanup_free_ double *exec = NULL, *coal = NULL, *naive = NULL;
        Burst b = {};
        unsigned n, rounds;
        int r = 0;

        if (argc != 3) {
                fprintf(stderr, "Usage: flushd-bench coalesce CLIENTS ROUNDS\n");
                return EXIT_FAILURE;
        }
        n = bench_arg_uint(argv[1], "CLIENTS");
        rounds = bench_arg_uint(argv[2], "ROUNDS");
        b.n = n;
        b.c = clients = calloc(n, sizeof(*clients));
        args = calloc(n, sizeof(*args));
        exec = calloc(rounds, sizeof(double));
        coal = calloc(rounds, sizeof(double));
        naive = calloc(rounds, sizeof(double));
        if (!clients || !args || !exec || !coal || !naive)
                return EXIT_FAILURE;
        for (size_t i = 0; i < n; i++) {
                clients[i].fd = bench_open_iommufd();
                r = bench_bus_open(NULL, &clients[i].bus);
                if (r < 0) {
                        fprintf(stderr, "flushd-bench: connection %zu: %s\n", i, strerror(-r));
                        return EXIT_FAILURE;
                }
        }
        pthread_barrier_init(&b.go, NULL, n + 1);
        pthread_barrier_init(&b.done, NULL, n + 1);
        for (size_t i = 0; i < n; i++) {
                args[i] = (BurstArg) { .b = &b, .i = i };
                if (pthread_create(&clients[i].thread, NULL, burst_client, &args[i]) != 0)
                        abort();        /* the barriers count on every thread */
        }

        for (unsigned k = 0; k < rounds && r >= 0; k++) {
                uint64_t f, co, nf, nco;

                r = burst_round(&b, 0, &f, &co);
                if (r >= 0)
                        r = burst_round(&b, FLUSH1_FLUSH_ALL_CPUS, &nf, &nco);
                exec[k] = f;
                coal[k] = co;
                naive[k] = nf;
        }

        b.flags = UINT64_MAX;
        pthread_barrier_wait(&b.go);
        for (size_t i = 0; i < n; i++) {
                pthread_join(clients[i].thread, NULL);
                sd_bus_flush_close_unref(clients[i].bus);
                safe_close(clients[i].fd);
        }
        pthread_barrier_destroy(&b.go);
        pthread_barrier_destroy(&b.done);
        if (r < 0) {
                fprintf(stderr, "flushd-bench: coalesce: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        {
                double lo, hi, med_coal = bench_median(coal, rounds);
                char extra[96];

                bench_range(exec, rounds, &lo, &hi);
                snprintf(extra, sizeof(extra), " min=%g max=%g limit=%d coalesced=%g", lo, hi,
                         2 * cpus_online(), med_coal);
                bench_report("coalescing", bench_median(exec, rounds), bench_median(naive, rounds), NAN, "cpus",
                             rounds, extra, "%u clients dirty on all %d CPUs flush at once: write-backs executed "
                             "%g..%g, coalesced %g (median); baseline: the same burst with ALL_CPUS "
                             "(in theory %u)", n, cpus_online(), lo, hi, med_coal, n * cpus_online());
        }
        return EXIT_SUCCESS;
}

typedef struct Pong {
        int ping[2], pong[2];
        int fd;
        int cpu;
        int error;
} Pong;

static int pin(int cpu) {
        cpu_set_t set;

        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The partner: 'p' answers 'p'; 't'/'u' start/stop tracking; 'q' quits. */
static void *pong_main(void *p) {
        Pong *g = p;
        char c;

        g->error = pin(g->cpu);
        while (read(g->ping[0], &c, 1) == 1 && c != 'q') {
                if (c == 't' && flushd_track_thread(g->fd, 0) < 0)
                        g->error = -EIO;
                if (c == 'u' && flushd_untrack_thread(g->fd) < 0)
                        g->error = -EIO;
                if (write(g->pong[1], &c, 1) != 1)
                        break;
        }
        return NULL;
}

static int pong_cmd(Pong *g, char c) {
        char back;

        if (write(g->ping[1], &c, 1) != 1 || read(g->pong[0], &back, 1) != 1 || back != c)
                return -EIO;
        return 0;
}

static double pong_round(Pong *g, unsigned iter) {
        uint64_t t0 = bench_now_ns();

        for (unsigned i = 0; i < iter; i++)
                if (pong_cmd(g, 'p') < 0)
                        return NAN;
        return (double) (bench_now_ns() - t0) / iter / 1e3;
}

/* pingpong ITER ROUNDS */
int bench_pingpong(int argc, char *argv[]) {
        _cleanup_free_ double *tracked = NULL, *plain = NULL, *ratio = NULL;
        _cleanup_close_ int fd = -EBADF;
        Pong g = { .ping = { -EBADF, -EBADF }, .pong = { -EBADF, -EBADF }, .cpu = 1 };
        unsigned iter, rounds;
        double lo, hi;
        pthread_t t;
        int r = 0;

        if (argc != 3) {
                fprintf(stderr, "Usage: flushd-bench pingpong ITER ROUNDS\n");
                return EXIT_FAILURE;
        }
        iter = bench_arg_uint(argv[1], "ITER");
        rounds = bench_arg_uint(argv[2], "ROUNDS");
        tracked = calloc(rounds, sizeof(double));
        plain = calloc(rounds, sizeof(double));
        ratio = calloc(rounds, sizeof(double));
        if (!tracked || !plain || !ratio)
                return EXIT_FAILURE;
        fd = bench_open_iommufd();
        g.fd = fd;
        if (pipe(g.ping) < 0 || pipe(g.pong) < 0 || pin(g.cpu) < 0)
                return EXIT_FAILURE;
        if (pthread_create(&t, NULL, pong_main, &g) != 0)
                return EXIT_FAILURE;

        (void) pong_round(&g, iter / 4 + 1);    /* warm-up */
        for (unsigned k = 0; k < rounds && r >= 0; k++) {
                for (int phase = 0; phase < 2 && r >= 0; phase++) {
                        if ((phase + k) % 2) {
                                r = flushd_track_thread(fd, 0);
                                if (r >= 0)
                                        r = pong_cmd(&g, 't');
                                tracked[k] = pong_round(&g, iter);
                                if (r >= 0)
                                        r = pong_cmd(&g, 'u');
                                if (r >= 0)
                                        r = flushd_untrack_thread(fd);
                        } else
                                plain[k] = pong_round(&g, iter);
                }
                ratio[k] = tracked[k] / plain[k];
                if (isnan(ratio[k]) || g.error)
                        r = -EIO;
        }
        (void) !write(g.ping[1], "q", 1);
        pthread_join(t, NULL);
        for (int i = 0; i < 2; i++) {
                safe_close(g.ping[i]);
                safe_close(g.pong[i]);
        }
        if (r < 0) {
                fprintf(stderr, "flushd-bench: pingpong: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        bench_range(ratio, rounds, &lo, &hi);
        {
                char extra[64];

                snprintf(extra, sizeof(extra), " spread_min=%.4g spread_max=%.4g", lo, hi);
                bench_report("tracking_cost", bench_median(tracked, rounds), bench_median(plain, rounds),
                             bench_median(ratio, rounds), "us", rounds, extra,
                             "pipe ping-pong between 2 threads pinned to CPU %d, %u round trips per round and "
                             "mode; per-round ratio tracked/untracked %.3f..%.3f", g.cpu, iter, lo, hi);
        }
        return EXIT_SUCCESS;
}

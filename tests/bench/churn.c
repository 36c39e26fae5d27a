/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * churn.c - a flush while the target's own threads loop START/STOP
 *
 * flushd issues IOMMU_CACHE_WB on its own /dev/iommu against a caller's
 * iommufd, QUERY on its event loop for every admitted request. The caller
 * owns that iommufd and may have hundreds of threads start and stop
 * tracking on it as fast as they can. If the kernel's flush waited for the
 * lock those calls take, the caller would hold the daemon's loop, and so
 * every other caller, for as long as it liked. This step measures what
 * such a churn does to the flush: THREADS threads loop
 * IOMMU_CACHE_WB_TRACK START/STOP on the target (libflushd's
 * flushd_track_thread() and flushd_untrack_thread()), and one thread, the
 * daemon's stand-in (root: the ioctl needs CAP_SYS_RAWIO), times CALLS
 * QUERY calls against it. Rounds alternate the churn running and the same
 * threads parked on a condition variable (the baseline), so both phases
 * have the same threads and the same tracker list.
 *
 * Subcommand: churn THREADS ROUNDS CALLS
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"
#include "flushd.h"
#include "linux/iommufd.h"
#include "util/macro.h"

typedef struct Churn {
        int target;                     /* the caller's iommufd */
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool running;                   /* under lock */
        bool quit;                      /* under lock */
} Churn;

/* Parked until running; then START/STOP as fast as it can until parked again. */
static void *churn_main(void *p) {
        Churn *c = p;

        for (;;) {
                bool quit;

                pthread_mutex_lock(&c->lock);
                while (!c->running && !c->quit)
                        pthread_cond_wait(&c->cond, &c->lock);
                quit = c->quit;
                pthread_mutex_unlock(&c->lock);
                if (quit)
                        return NULL;
                for (unsigned i = 0; i < 64; i++)
                        if (flushd_track_thread(c->target, 0) >= 0)
                                (void) flushd_untrack_thread(c->target);
        }
}

static void churn_set(Churn *c, bool running, bool quit) {
        pthread_mutex_lock(&c->lock);
        c->running = running;
        c->quit = quit;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->lock);
}

/* CALLS QUERYs against the target; their p99 in microseconds, NAN on error. */
static double query_p99(int dev, int target, uint64_t *lat, unsigned calls) {
        for (unsigned i = 0; i < calls; i++) {
                struct iommu_cache_wb cmd = {
                        .size = sizeof(cmd),
                        .flags = IOMMU_CACHE_WB_QUERY,
                        .target_fd = target,
                };
                uint64_t t0 = bench_now_ns();

                if (ioctl(dev, IOMMU_CACHE_WB, &cmd) < 0) {
                        fprintf(stderr, "flushd-bench: churn: IOMMU_CACHE_WB: %s\n", strerror(errno));
                        return NAN;
                }
                lat[i] = bench_now_ns() - t0;
        }
        return (double) bench_quantile(lat, calls, 0.99) / 1e3;
}

/* churn THREADS ROUNDS CALLS */
int bench_churn(int argc, char *argv[]) {
        _cleanup_free_ double *busy = NULL, *idle = NULL, *ratio = NULL;
        _cleanup_free_ pthread_t *threads = NULL;
        _cleanup_free_ uint64_t *lat = NULL;
        _cleanup_close_ int dev = -EBADF, target = -EBADF;
        Churn c = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
        unsigned n, rounds, calls, started = 0;
        bool failed = false;

        if (argc != 4) {
                fprintf(stderr, "Usage: flushd-bench churn THREADS ROUNDS CALLS\n");
                return EXIT_FAILURE;
        }
        n = bench_arg_uint(argv[1], "THREADS");
        rounds = bench_arg_uint(argv[2], "ROUNDS");
        calls = bench_arg_uint(argv[3], "CALLS");
        threads = calloc(n, sizeof(*threads));
        busy = calloc(rounds, sizeof(double));
        idle = calloc(rounds, sizeof(double));
        ratio = calloc(rounds, sizeof(double));
        lat = calloc(calls, sizeof(*lat));
        if (!threads || !busy || !idle || !ratio || !lat)
                return EXIT_FAILURE;
        dev = bench_open_iommufd();
        c.target = target = bench_open_iommufd();

        for (; started < n; started++)
                if (pthread_create(&threads[started], NULL, churn_main, &c) != 0)
                        break;
        for (unsigned k = 0; k < rounds && started == n && !failed; k++) {
                for (int phase = 0; phase < 2; phase++) {
                        bool churning = (phase + k) % 2;

                        churn_set(&c, churning, false);
                        bench_sleep_ms(100);    /* the churn reaches its steady state */
                        *(churning ? &busy[k] : &idle[k]) = query_p99(dev, target, lat, calls);
                }
                ratio[k] = busy[k] / idle[k];
                failed = isnan(ratio[k]);
        }
        churn_set(&c, false, true);
        for (unsigned i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        if (started < n || failed) {
                fprintf(stderr, "flushd-bench: churn: %s\n",
                        started < n ? "cannot start the threads" : "a QUERY failed");
                return EXIT_FAILURE;
        }

        bench_report("churn.query_p99", bench_median(busy, rounds), bench_median(idle, rounds),
                     bench_median(ratio, rounds), "us", rounds, NULL,
                     "QUERY p99 (the daemon's own fd, target_fd the caller's; %u calls a phase) while %u threads "
                     "of the caller loop TRACK START/STOP on its iommufd vs the same threads parked", calls, n);
        return EXIT_SUCCESS;
}

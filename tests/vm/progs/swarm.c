/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * swarm.c - many processes in many sibling cgroups, flushing flat out at once
 *
 * A user with a delegated cgroup subtree can make as many cgroups and
 * processes under it as she likes; flushd charges every flush to the section
 * whose Path= covers the subtree, so together they can never get more than
 * that section's Rate × time + Burst. This program, run as root, forks
 * NPROCS children; child i moves into cgroup PREFIX<i % NCGROUPS + 1> (made
 * if missing, e.g. /S/c1 ... /S/c50), becomes USER (as runas does), opens
 * /dev/iommu and its own bus connection (at most 32 connecting at a time),
 * and waits. When all are ready (or after 60 s, a setup failure) the parent takes t0 and releases them at
 * once; each then makes sequential Flush calls (5 s timeout each) until
 * t0 + SECONDS, and past it until it has had one verdict (at most 30 s
 * more), counting the outcomes, and notes when its last reply came.
 *
 * One line on stdout:
 *   swarm: procs=P ready=R granted=G quota=Q denied=D busy=B timeout=T other=O window_ms=W
 * where W is from t0 to the latest last reply of any child: every grant
 * counted was admitted inside [t0, t0 + W], so a bucket that held at most
 * Burst at t0 cannot have granted more than Burst + Rate × W. The script
 * asserts that. Exit 0 when every child ran, 2 on bad usage or setup failure.
 *
 * Usage: swarm USER CGROUP_PREFIX NCGROUPS NPROCS SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus/flush1.h"
#include "become.h"
#include "flush-call.h"
#include "util/macro.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define PROCS_MAX 1024
#define READY_TIMEOUT_USEC (60 * 1000000ull)
#define CALL_TIMEOUT_USEC (5 * 1000000ull)
#define CONNECTING_MAX 32
#define VERDICT_WAIT_USEC (30 * 1000000ull)

enum { R_GRANTED, R_QUOTA, R_DENIED, R_BUSY, R_TIMEOUT, R_OTHER, _R_MAX };
static const char *const r_names[_R_MAX] = { "granted", "quota", "denied", "busy", "timeout", "other" };

typedef struct Child {
        unsigned long counts[_R_MAX];
        uint64_t end_usec;      /* CLOCK_MONOTONIC after the last reply */
        int done;
} Child;

typedef struct Shared {
        atomic_uint ready;
        uint64_t deadline_usec;
        Child child[PROCS_MAX];
} Shared;

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static int classify(int r, const sd_bus_error *e) {
        if (r >= 0)
                return R_GRANTED;
        if (sd_bus_error_has_name(e, FLUSH1_ERROR_QUOTA_EXCEEDED))
                return R_QUOTA;
        if (sd_bus_error_has_name(e, FLUSH1_ERROR_ACCESS_DENIED))
                return R_DENIED;
        if (sd_bus_error_has_name(e, FLUSH1_ERROR_BUSY))
                return R_BUSY;
        if (r == -ETIMEDOUT || sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY))
                return R_TIMEOUT;
        return R_OTHER;
}

/* The child's whole life; returns its exit status. */
static int child_run(Shared *sh, unsigned i, const struct passwd *pw, const char *cgroup, int start_fd) {
        /* Close without flushing: nothing is queued after sd_bus_call(). */
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int iommufd = -EBADF;
        Child *me = &sh->child[i];
        bool verdict = false;
        const char *unique;
        char c;
        int r;

        r = become_cgroup(cgroup);
        if (r < 0) {
                fprintf(stderr, "swarm[%u]: cgroup %s: %s\n", i, cgroup, strerror(-r));
                return 1;
        }
        r = become_user(pw);
        if (r < 0) {
                fprintf(stderr, "swarm[%u]: cannot become %s: %s\n", i, pw->pw_name, strerror(-r));
                return 1;
        }
        iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (iommufd < 0) {
                fprintf(stderr, "swarm[%u]: open /dev/iommu: %m\n", i);
                return 1;
        }
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_get_unique_name(bus, &unique);       /* connected and said Hello */
        if (r < 0) {
                fprintf(stderr, "swarm[%u]: system bus: %s\n", i, strerror(-r));
                return 1;
        }

        atomic_fetch_add(&sh->ready, 1);
        /* Released when the parent closes the write end (EOF). */
        while (read(start_fd, &c, 1) < 0 && errno == EINTR)
                ;
        if (sh->deadline_usec == 0)
                return 1;       /* the parent gave up */

        /*
         * Past the deadline too until this child has had one verdict
         * (granted, throttled or denied; Busy and timeouts do not count), up
         * to VERDICT_WAIT_USEC: a guest the host does not run for seconds
         * (TCG on a loaded machine) may wake every child late, and flushd
         * may answer a burst of new connections Busy. The window the script
         * checks is measured, not assumed, so the bound still holds.
         */
        do {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int k;

                r = flush_call(bus, iommufd, CALL_TIMEOUT_USEC, &error);
                k = classify(r, &error);
                me->counts[k]++;
                me->end_usec = now_usec();
                if (k == R_OTHER && !sd_bus_is_open(bus))
                        break;
                if (k == R_GRANTED || k == R_QUOTA || k == R_DENIED)
                        verdict = true;
        } while (now_usec() < sh->deadline_usec ||
                 (!verdict && now_usec() < sh->deadline_usec + VERDICT_WAIT_USEC));
        me->done = 1;
        return 0;
}

int main(int argc, char *argv[]) {
        unsigned n_cgroups, n_procs, seconds, forked = 0, finished = 0;
        unsigned long totals[_R_MAX] = {};
        pid_t pids[PROCS_MAX];
        uint64_t t0, end = 0, give_up;
        struct passwd *pw;
        Shared *sh;
        int p[2];

        if (argc != 6) {
                fprintf(stderr, "Usage: swarm USER CGROUP_PREFIX NCGROUPS NPROCS SECONDS\n");
                return 2;
        }
        pw = getpwnam(argv[1]);
        n_cgroups = (unsigned) strtoul(argv[3], NULL, 10);
        n_procs = (unsigned) strtoul(argv[4], NULL, 10);
        seconds = (unsigned) strtoul(argv[5], NULL, 10);
        if (!pw || n_cgroups < 1 || n_procs < 1 || n_procs > PROCS_MAX || seconds < 1) {
                fprintf(stderr, "swarm: unknown user, or not 1 <= NPROCS <= %d, NCGROUPS, SECONDS >= 1\n",
                        PROCS_MAX);
                return 2;
        }

        sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED || pipe2(p, O_CLOEXEC) < 0) {
                fprintf(stderr, "swarm: setup: %m\n");
                return 2;
        }
        fflush(NULL);

        give_up = now_usec() + READY_TIMEOUT_USEC;
        for (unsigned i = 0; i < n_procs; i++) {
                char cgroup[256];

                /* dbus-daemon refuses connections past 64 unauthenticated ones. */
                while (forked - atomic_load(&sh->ready) >= CONNECTING_MAX && now_usec() < give_up &&
                       finished == 0) {
                        if (waitpid(-1, NULL, WNOHANG) > 0)
                                finished++;     /* a setup failure */
                        else
                                (void) usleep(5 * 1000);
                }
                if (finished > 0 || now_usec() >= give_up)
                        break;

                snprintf(cgroup, sizeof(cgroup), "%s%u", argv[2], i % n_cgroups + 1);
                pids[i] = fork();
                if (pids[i] < 0) {
                        fprintf(stderr, "swarm: fork %u: %m\n", i);
                        break;
                }
                if (pids[i] == 0) {
                        safe_close(p[1]);
                        _exit(child_run(sh, i, pw, cgroup, p[0]));
                }
                forked++;
        }
        safe_close(p[0]);

        while (finished == 0 && atomic_load(&sh->ready) < forked && now_usec() < give_up) {
                /* A child that failed its setup will never be ready. */
                if (waitpid(-1, NULL, WNOHANG) > 0) {
                        finished++;
                        break;
                }
                (void) usleep(10 * 1000);
        }
        if (forked < n_procs || finished > 0 || atomic_load(&sh->ready) < forked) {
                fprintf(stderr, "swarm: only %u of %u children ready (forked %u)\n",
                        atomic_load(&sh->ready), n_procs, forked);
                safe_close(p[1]);       /* deadline_usec == 0: they all quit */
                for (unsigned i = 0; i < forked; i++)
                        (void) kill(pids[i], SIGKILL);
                while (wait(NULL) > 0)
                        ;
                return 2;
        }

        t0 = now_usec();
        sh->deadline_usec = t0 + (uint64_t) seconds * 1000000u;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        safe_close(p[1]);               /* go */

        /*
         * Every call is bounded by its timeout, but a guest starved of CPU
         * (TCG on a loaded host) wakes late: allow twice that and 20 s more.
         */
        give_up = sh->deadline_usec + VERDICT_WAIT_USEC + 2 * CALL_TIMEOUT_USEC + 20 * 1000000u;
        while (finished < forked && now_usec() < give_up) {
                pid_t pid = waitpid(-1, NULL, WNOHANG);

                if (pid > 0)
                        finished++;
                else
                        (void) usleep(20 * 1000);
        }
        if (finished < forked) {
                for (unsigned i = 0; i < forked; i++)
                        (void) kill(pids[i], SIGKILL);
                while (wait(NULL) > 0)
                        ;
        }

        for (unsigned i = 0; i < forked; i++) {
                for (int k = 0; k < _R_MAX; k++)
                        totals[k] += sh->child[i].counts[k];
                if (sh->child[i].end_usec > end)
                        end = sh->child[i].end_usec;
        }
        printf("swarm: procs=%u ready=%u", n_procs, atomic_load(&sh->ready));
        for (int k = 0; k < _R_MAX; k++)
                printf(" %s=%lu", r_names[k], totals[k]);
        printf(" window_ms=%llu\n", (unsigned long long) ((end > t0 ? end - t0 : 0) + 999) / 1000);
        if (finished < forked) {
                fprintf(stderr, "swarm: %u of %u children still running %u s after the deadline\n",
                        forked - finished, forked, (unsigned) ((give_up - sh->deadline_usec) / 1000000u));
                return 2;
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workers.c - pinned, tracked threads that dirty a buffer on command
 *
 * A flush is only meaningful after tracked threads wrote data and stopped
 * running: then the kernel knows exactly which CPUs hold their dirty lines.
 * Each worker pins itself to one CPU first (so the tracker never sees
 * another CPU), starts tracking with flushd_track_thread(), writes 256 KiB
 * and reports back through a pipe, then blocks reading its command pipe.
 * The controlling thread is never tracked, so whatever it runs on stays out
 * of the dirty set. Commands: 'w' write the buffer again, 'q' quit.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flushd.h"
#include "util/macro.h"
#include "workers.h"

#define BUF_SIZE (256 * 1024)

typedef struct Worker {
        pthread_t thread;
        bool started;
        int cpu;
        int iommufd;
        int cmd[2];             /* controller → worker */
        int done_fd;            /* worker → controller, shared */
        unsigned char *buf;
        unsigned round;
} Worker;

struct Workers {
        Worker *w;
        size_t n;
        int done[2];
};

/* One status per step: 0 ok, else a positive errno. */
static void worker_report(Worker *w, int error) {
        unsigned char b = (unsigned char) error;

        (void) !write(w->done_fd, &b, 1);
}

static void *worker_main(void *p) {
        Worker *w = p;
        cpu_set_t set;
        char c;
        int r;

        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        r = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        if (r != 0) {
                worker_report(w, r);
                return NULL;
        }
        if (sched_getcpu() != w->cpu) {
                worker_report(w, EXDEV);
                return NULL;
        }

        r = flushd_track_thread(w->iommufd, 0);
        if (r < 0) {
                /* flushd_* codes may exceed a byte; keep errnos readable. */
                worker_report(w, -r < 256 ? -r : EIO);
                return NULL;
        }

        for (;;) {
                memset(w->buf, (int) ++w->round, BUF_SIZE);
                worker_report(w, 0);
                if (read(w->cmd[0], &c, 1) != 1 || c != 'w')
                        return NULL;
        }
}

static int workers_wait(Workers *ws) {
        int first = 0;

        for (size_t i = 0; i < ws->n; i++) {
                unsigned char b;

                if (read(ws->done[0], &b, 1) != 1)
                        return -EPIPE;
                if (b != 0 && first == 0)
                        first = -(int) b;
        }
        return first;
}

Workers *workers_free(Workers *ws) {
        if (!ws)
                return NULL;
        for (size_t i = 0; i < ws->n; i++) {
                Worker *w = &ws->w[i];

                if (w->started) {
                        (void) !write(w->cmd[1], "q", 1);
                        pthread_join(w->thread, NULL);
                }
                safe_close(w->cmd[0]);
                safe_close(w->cmd[1]);
                free(w->buf);
        }
        safe_close(ws->done[0]);
        safe_close(ws->done[1]);
        free(ws->w);
        free(ws);
        return NULL;
}

int workers_new(Workers **ret, int iommufd, const int *cpus, size_t n) {
        _cleanup_(workers_freep) Workers *ws = NULL;
        int r;

        ws = calloc(1, sizeof(*ws));
        if (!ws)
                return -ENOMEM;
        ws->done[0] = ws->done[1] = -EBADF;
        ws->w = calloc(n, sizeof(*ws->w));
        if (!ws->w)
                return -ENOMEM;
        ws->n = n;
        for (size_t i = 0; i < n; i++)
                ws->w[i].cmd[0] = ws->w[i].cmd[1] = -EBADF;
        if (pipe2(ws->done, O_CLOEXEC) < 0)
                return -errno;

        for (size_t i = 0; i < n; i++) {
                Worker *w = &ws->w[i];

                w->cpu = cpus[i];
                w->iommufd = iommufd;
                w->done_fd = ws->done[1];
                w->buf = malloc(BUF_SIZE);
                if (!w->buf)
                        return -ENOMEM;
                if (pipe2(w->cmd, O_CLOEXEC) < 0)
                        return -errno;
                r = pthread_create(&w->thread, NULL, worker_main, w);
                if (r != 0)
                        return -r;
                w->started = true;
        }

        r = workers_wait(ws);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ws);
        return 0;
}

int workers_dirty(Workers *ws) {
        for (size_t i = 0; i < ws->n; i++)
                if (write(ws->w[i].cmd[1], "w", 1) != 1)
                        return -errno;
        return workers_wait(ws);
}

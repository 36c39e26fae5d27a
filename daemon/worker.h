/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * worker.h - the threads that wait in the kernel, so the event loop never does
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "kernel.h"
#include "util/list.h"

#define WORKERS_MAX 16

/* The write-back itself; kernel_write_back() in the daemon, a double in tests. */
typedef int (*WorkerBackend)(void *backend_data, int fd, KernelFlags flags, KernelResult *ret);

/* One write-back. The loop fills fd and flags, the worker outcome and
 * result; the job is embedded in its owner, which keeps it alive until
 * on_done has been called for it. A submitted job owns its fd: the worker
 * closes it once the backend is done with it (off the loop) and leaves
 * -EBADF; a job no worker took comes back with it still open. */
typedef struct WorkerJob {
        int fd;
        KernelFlags flags;
        int outcome;                    /* 0, a KERNEL_E_* outcome or a negative errno */
        KernelResult result;
        ListHead node;
} WorkerJob;

/*
 * Finished jobs are handed back before the loop reads another caller's
 * message (SD_EVENT_PRIORITY_NORMAL), after the bus driver's answers
 * about callers (SD_EVENT_PRIORITY_IMPORTANT). A reply and a free worker
 * never wait behind a flood of input; the input cannot starve, as there
 * are never more finished jobs than were submitted.
 */
#define WORKER_DONE_PRIORITY (SD_EVENT_PRIORITY_IMPORTANT / 2)

typedef struct WorkerPool WorkerPool;
typedef void (*WorkerDone)(WorkerJob *job, void *userdata);

/* Starts n threads; finished jobs are handed to on_done from the loop. */
int worker_pool_new(sd_event *event, unsigned n, WorkerBackend backend, void *backend_data,
                    WorkerDone on_done, void *userdata, WorkerPool **ret);
/* Stops and joins the threads; jobs not started are handed to on_done
 * with outcome -ECANCELED, from this call. */
WorkerPool *worker_pool_free(WorkerPool *p);
static inline void worker_pool_freep(WorkerPool **p) {
        if (*p)
                worker_pool_free(*p);
}

void worker_pool_submit(WorkerPool *p, WorkerJob *job);
/* Jobs submitted and not yet handed back. */
unsigned worker_pool_busy(const WorkerPool *p);
/* Some job is finished and waits for the loop to hand it back (any thread). */
bool worker_pool_finished(WorkerPool *p);
unsigned worker_pool_size(const WorkerPool *p);

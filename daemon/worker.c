/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * worker.c - the threads that wait in the kernel, so the event loop never does
 *
 * The only file with threads. A write-back IPIs the dirty CPUs and waits
 * for them, which can take milliseconds; doing it on the event loop would
 * stall every other caller and every property read. The loop submits a
 * job (an fd it owns and the flags), one of a few threads runs the backend
 * on it, and the finished job goes back to the loop through an eventfd
 * watched by sd-event, where on_done runs. The threads touch nothing but
 * the job and this pool's queues, under one mutex: all policy and quota
 * state stays on the loop.
 *
 * The loop decides how many jobs are submitted (the request scheduler
 * keeps at most one per thread in flight), so the queues here stay short.
 * Requests that write back the same CPUs at the same time are coalesced by
 * the kernel, which is why running several at once pays off.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/macro.h"
#include "worker.h"

struct WorkerPool {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        ListHead todo;                  /* under lock */
        ListHead done;                  /* under lock */
        bool stopping;                  /* under lock */
        unsigned n_busy;                /* loop only */

        pthread_t threads[WORKERS_MAX];
        unsigned n_threads;

        int eventfd;
        sd_event_source *source;
        WorkerBackend backend;
        void *backend_data;
        WorkerDone on_done;
        void *userdata;
};

static void *worker_main(void *userdata) {
        WorkerPool *p = userdata;
        uint64_t one = 1;

        pthread_mutex_lock(&p->lock);
        for (;;) {
                WorkerJob *job;
                ListHead *n;
                bool first;

                while (!p->stopping && list_empty(&p->todo))
                        pthread_cond_wait(&p->wake, &p->lock);
                if (p->stopping)
                        break;
                n = list_first(&p->todo);
                list_unlink(n);
                pthread_mutex_unlock(&p->lock);

                job = LIST_ENTRY(n, WorkerJob, node);
                job->outcome = p->backend(p->backend_data, job->fd, job->flags, &job->result);
                job->fd = safe_close(job->fd);

                pthread_mutex_lock(&p->lock);
                first = list_empty(&p->done);
                list_append(&p->done, &job->node);
                pthread_mutex_unlock(&p->lock);
                /* Only the first finished job wakes the loop; it takes the
                 * whole list. Unlocked, so that the loop does not wake into
                 * a held mutex. An eventfd write of 1 cannot fail short of
                 * a bug. */
                if (first)
                        (void) !write(p->eventfd, &one, sizeof(one));
                pthread_mutex_lock(&p->lock);
        }
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

static void pool_hand_back(WorkerPool *p, ListHead *jobs) {
        ListHead *n;

        while ((n = list_first(jobs))) {
                WorkerJob *job = LIST_ENTRY(n, WorkerJob, node);

                list_unlink(n);
                assert(p->n_busy > 0);
                p->n_busy--;
                p->on_done(job, p->userdata);
        }
}

static int on_eventfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        WorkerPool *p = userdata;
        ListHead done;

        /* The eventfd is edge-triggered: every write is a new event, so its
         * counter is never read back (it cannot reach 2^64 - 1 in any
         * daemon's life), which saves a read per finished job. Take the
         * whole list, then run the callbacks unlocked: they may submit new
         * jobs. */
        list_init(&done);
        pthread_mutex_lock(&p->lock);
        if (!list_empty(&p->done)) {
                done.next = p->done.next;
                done.prev = p->done.prev;
                done.next->prev = &done;
                done.prev->next = &done;
                list_init(&p->done);
        }
        pthread_mutex_unlock(&p->lock);
        pool_hand_back(p, &done);
        return 0;
}

int worker_pool_new(sd_event *event, unsigned n, WorkerBackend backend, void *backend_data,
                    WorkerDone on_done, void *userdata, WorkerPool **ret) {
        _cleanup_(worker_pool_freep) WorkerPool *p = NULL;
        int r;

        assert(event);
        assert(n > 0 && n <= WORKERS_MAX);
        assert(backend);
        assert(on_done);
        assert(ret);

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->eventfd = -EBADF;
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->wake, NULL);
        list_init(&p->todo);
        list_init(&p->done);
        p->backend = backend;
        p->backend_data = backend_data;
        p->on_done = on_done;
        p->userdata = userdata;

        p->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (p->eventfd < 0)
                return -errno;
        r = sd_event_add_io(event, &p->source, p->eventfd, EPOLLIN | EPOLLET, on_eventfd, p);
        if (r < 0)
                return r;
        r = sd_event_source_set_priority(p->source, WORKER_DONE_PRIORITY);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(p->source, "worker-done");

        for (; p->n_threads < n; p->n_threads++) {
                r = pthread_create(&p->threads[p->n_threads], NULL, worker_main, p);
                if (r != 0)
                        return -r;
        }

        *ret = TAKE_PTR(p);
        return 0;
}

WorkerPool *worker_pool_free(WorkerPool *p) {
        ListHead rest;

        if (!p)
                return NULL;

        pthread_mutex_lock(&p->lock);
        p->stopping = true;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
        for (unsigned i = 0; i < p->n_threads; i++)
                pthread_join(p->threads[i], NULL);

        /* Finished jobs, then those no thread took. */
        list_init(&rest);
        while (!list_empty(&p->todo)) {
                ListHead *n = list_first(&p->todo);
                list_unlink(n);
                LIST_ENTRY(n, WorkerJob, node)->outcome = -ECANCELED;
                list_append(&rest, n);
        }
        pool_hand_back(p, &p->done);
        pool_hand_back(p, &rest);

        sd_event_source_disable_unref(p->source);
        safe_close(p->eventfd);
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
}

void worker_pool_submit(WorkerPool *p, WorkerJob *job) {
        assert(p);
        assert(job);

        p->n_busy++;
        pthread_mutex_lock(&p->lock);
        list_append(&p->todo, &job->node);
        pthread_mutex_unlock(&p->lock);
        /* After the unlock, so the woken thread does not block on the mutex. */
        pthread_cond_signal(&p->wake);
}

bool worker_pool_finished(WorkerPool *p) {
        bool r;

        pthread_mutex_lock(&p->lock);
        r = !list_empty(&p->done);
        pthread_mutex_unlock(&p->lock);
        return r;
}

unsigned worker_pool_busy(const WorkerPool *p) {
        return p->n_busy;
}

unsigned worker_pool_size(const WorkerPool *p) {
        return p->n_threads;
}

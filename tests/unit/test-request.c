/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-request.c - the request path on a private bus, with a test double of the kernel
 *
 * Each test starts a private dbus-daemon (tests/unit/bus.conf) and runs
 * the real Manager, all of it (peers, bounds, queue, workers, ledger,
 * state file), in a thread of its own, with one thing replaced: the
 * write-back backend is fake_write_back() below, a test double that never
 * touches a kernel. It answers at once for a memfd, blocks until the test
 * opens its gate for a pipe (a "slow write-back"), and says "not an
 * iommufd" for a socket. It records the order in which fds reach it for a
 * write-back. Its QUERY (which the daemon runs on its loop first) finds a
 * character device (/dev/null) clean and every other target dirty.
 *
 * The callers are plain sd-bus connections of this process: each is its
 * own peer to the daemon, with this process's uid and cgroup.
 */

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/flush1.h"
#include "fake-polkit.h"
#include "manager.h"
#include "private-bus.h"
#include "request.h"
#include "tests.h"
#include "util/macro.h"

#define TIMEOUT_USEC (UINT64_C(20) * 1000000)

typedef struct FakeKernel {
        int gate[2];                    /* a byte written to gate[1] lets one slow write-back finish */
        pthread_mutex_t lock;
        ino_t order[1024];              /* inodes in the order they reached the backend */
        unsigned n;
} FakeKernel;

static int fake_write_back(void *data, int fd, KernelFlags flags, KernelResult *ret) {
        FakeKernel *k = data;
        struct stat st;
        char c;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISSOCK(st.st_mode))
                return KERNEL_E_INVALID_FD;
        if (flags & KERNEL_WB_QUERY) {
                *ret = (KernelResult) { .dirty = S_ISCHR(st.st_mode) ? 0 : 1, .nsec = 10 };
                return 0;
        }
        pthread_mutex_lock(&k->lock);
        if (k->n < ELEMENTSOF(k->order))
                k->order[k->n++] = st.st_ino;
        pthread_mutex_unlock(&k->lock);
        if (S_ISFIFO(st.st_mode))
                (void) !read(k->gate[0], &c, 1);
        *ret = (KernelResult) { .flushed = 1, .coalesced = 0, .nsec = 1000 };
        return 0;
}

typedef struct Harness {
        PrivateBus bus;
        FakeKernel kernel;
        pthread_t thread;
        int ready[2];
        int stop_fd;
        int stall_fd;                   /* written: the loop stops in on_stall() ... */
        int stalled[2];                 /* ... says so here ... */
        int unstall[2];                 /* ... and goes on once a byte arrives here */
        const char *policy;
        unsigned workers;
        int start_result;
        Manager *manager;               /* read-only from the test, for counters */
} Harness;

static int on_stop(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        /* What SIGTERM does. */
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        manager_stop(userdata);
        return 0;
}

/* Holds the event loop still, so the test can line up what it finds
 * pending when it goes on. */
static int on_stall(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Harness *h = userdata;
        uint64_t n;
        char c;

        (void) !read(fd, &n, sizeof(n));
        (void) !write(h->stalled[1], "s", 1);
        (void) !read(h->unstall[0], &c, 1);
        return 0;
}

static void *daemon_thread(void *userdata) {
        Harness *h = userdata;
        _cleanup_(manager_freep) Manager *m = NULL;
        char config[128], state[128], dropins[128];
        FILE *f;
        int r;

        snprintf(config, sizeof(config), "%s/flushd.conf", h->bus.dir);
        snprintf(state, sizeof(state), "%s/state", h->bus.dir);
        f = fopen(config, "we");
        if (f) {
                fputs(h->policy, f);
                fclose(f);
        }

        r = manager_new(&m);
        if (r >= 0) {
                free(m->bus_address);
                free(m->config_file);
                free(m->state_file);
                m->bus_address = strdup(h->bus.address);
                m->config_file = strdup(config);
                m->state_file = strdup(state);
                m->n_workers = h->workers;
                m->sandbox = false;     /* this is the test process */
                /* Drop-ins from the test's own directory, never the host's. */
                for (size_t i = 0; i < m->n_dropin_dirs; i++)
                        free(m->dropin_dirs[i]);
                m->n_dropin_dirs = 0;
                snprintf(dropins, sizeof(dropins), "%s/flushd.conf.d", h->bus.dir);
                m->dropin_dirs[m->n_dropin_dirs++] = strdup(dropins);
                m->backend = fake_write_back;
                m->backend_data = &h->kernel;
                r = manager_load_policy(m);
        }
        if (r >= 0)
                r = manager_start(m);
        if (r >= 0)
                r = sd_event_add_io(m->event, NULL, h->stop_fd, EPOLLIN, on_stop, m);
        if (r >= 0)
                r = sd_event_add_io(m->event, NULL, h->stall_fd, EPOLLIN, on_stall, h);
        h->start_result = r;
        h->manager = m;
        (void) !write(h->ready[1], "x", 1);
        if (r >= 0)
                (void) manager_run(m);
        return NULL;    /* manager_free() answers whatever is still queued */
}

/* Buckets start empty: the policies have no rate limits unless a test
 * needs one, so nothing waits for a refill. */
static void harness_start(Harness *h, const char *policy, unsigned workers) {
        char c;

        *h = (Harness) { .policy = policy, .workers = workers };
        ck_assert_int_eq(pipe2(h->kernel.gate, O_CLOEXEC), 0);
        pthread_mutex_init(&h->kernel.lock, NULL);
        ck_assert_int_eq(pipe2(h->ready, O_CLOEXEC), 0);
        h->stop_fd = eventfd(0, EFD_CLOEXEC);
        ck_assert_int_ge(h->stop_fd, 0);
        h->stall_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        ck_assert_int_ge(h->stall_fd, 0);
        ck_assert_int_eq(pipe2(h->stalled, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(h->unstall, O_CLOEXEC), 0);
        private_bus_start(&h->bus, "flushd-test", NULL, false);
        ck_assert_int_eq(pthread_create(&h->thread, NULL, daemon_thread, h), 0);
        ck_assert_int_eq(read(h->ready[0], &c, 1), 1);
        ck_assert_int_eq(h->start_result, 0);
}

static void harness_stop_begin(Harness *h) {
        uint64_t one = 1;

        ck_assert_int_eq(write(h->stop_fd, &one, sizeof(one)), sizeof(one));
}

static void gate_open(Harness *h, int n) {
        for (int i = 0; i < n; i++)
                ck_assert_int_eq(write(h->kernel.gate[1], "g", 1), 1);
}

static void harness_stop(Harness *h) {
        harness_stop_begin(h);
        gate_open(h, 64);       /* let any slow write-back finish */
        pthread_join(h->thread, NULL);
        private_bus_stop(&h->bus);
}

static sd_bus *client(Harness *h) {
        sd_bus *bus = NULL;

        ck_assert_int_ge(private_bus_connect(h->bus.address, &bus), 0);
        return bus;
}

static int memfd(void) {
        int fd = memfd_create("flushd-test", MFD_CLOEXEC);

        ck_assert_int_ge(fd, 0);
        return fd;
}

static ino_t inode_of(int fd) {
        struct stat st;

        ck_assert_int_eq(fstat(fd, &st), 0);
        return st.st_ino;
}

/* One outstanding call: its slot, and where its reply lands. */
typedef struct Call {
        sd_bus_slot *slot;
        bool done;
        char error[128];
        unsigned order;
} Call;

static unsigned reply_counter;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Call *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        c->done = true;
        c->order = ++reply_counter;
        if (e)
                snprintf(c->error, sizeof(c->error), "%s", e->name);
        return 0;
}

static void flush_async(sd_bus *bus, int fd, Call *c) {
        *c = (Call) {};
        ck_assert_int_ge(sd_bus_call_method_async(bus, &c->slot, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                                  FLUSH1_INTERFACE, "Flush", on_reply, c, "ht", fd,
                                                  UINT64_C(0)), 0);
}

/* Processes every bus until done() holds or the timeout passes. */
static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * UINT64_C(1000000) + ts.tv_nsec / 1000;
}

static bool pump_until(sd_bus **buses, size_t n, bool (*done)(void *), void *userdata) {
        uint64_t deadline = now_usec() + TIMEOUT_USEC;

        for (;;) {
                bool progress = false;

                for (size_t i = 0; i < n; i++)
                        while (sd_bus_process(buses[i], NULL) > 0)
                                progress = true;
                if (done(userdata))
                        return true;
                if (now_usec() > deadline)
                        return false;
                if (!progress)
                        (void) sd_bus_wait(buses[0], 10000);
        }
}

static bool call_done(void *userdata) {
        return ((Call *) userdata)->done;
}

typedef struct Calls {
        Call *calls;
        size_t n;
} Calls;

static bool all_done(void *userdata) {
        Calls *c = userdata;

        for (size_t i = 0; i < c->n; i++)
                if (!c->calls[i].done)
                        return false;
        return true;
}

static const char *const open_policy = "[Default]\nAllow=yes\n";

/* Waits until n requests are admitted and queued behind the busy worker
 * (the daemon's thread writes the count; read it atomically). */
static void wait_queued(Harness *h, size_t n) {
        for (int i = 0; i < 500 && __atomic_load_n(&h->manager->queue.n_items, __ATOMIC_ACQUIRE) < n; i++)
                usleep(10000);
        ck_assert_uint_eq(__atomic_load_n(&h->manager->queue.n_items, __ATOMIC_ACQUIRE), n);
}

/* The daemon on open_policy with n workers, two clients, and a pipe whose
 * read end is a slow write-back's target. */
static void start_two_clients(Harness *h, unsigned workers, sd_bus **a, sd_bus **b, int pipefd[2]) {
        harness_start(h, open_policy, workers);
        *a = client(h);
        *b = client(h);
        ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
}

/* A write-back that blocks in a worker holds up neither another caller's
 * flush nor a property read. */
START_TEST(test_slow_write_back_does_not_block) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL, *b = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_close_ int fast = -EBADF;
        Call slow_call, fast_call;
        uint64_t granted = 99;
        int pipefd[2];
        Harness h;

        start_two_clients(&h, 2, &a, &b, pipefd);
        fast = memfd();

        flush_async(a, pipefd[0], &slow_call);
        flush_async(b, fast, &fast_call);
        ck_assert(pump_until((sd_bus *[]) { b, a }, 2, call_done, &fast_call));
        ck_assert_str_eq(fast_call.error, "");
        ck_assert(!slow_call.done);

        /* The loop answers properties while the worker still waits. */
        ck_assert_int_ge(sd_bus_get_property_trivial(b, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                                     "Granted", &error, 't', &granted), 0);
        ck_assert_uint_eq(granted, 1);
        ck_assert(!slow_call.done);

        gate_open(&h, 1);
        ck_assert(pump_until((sd_bus *[]) { a }, 1, call_done, &slow_call));
        ck_assert_str_eq(slow_call.error, "");
        sd_bus_slot_unref(slow_call.slot);
        sd_bus_slot_unref(fast_call.slot);
        close(pipefd[0]);
        close(pipefd[1]);
        harness_stop(&h);
}
END_TEST

/* A clean target is answered on the loop, by the query alone: at once
 * while the only worker is held by a slow write-back, with nothing
 * written back, counted as granted, and it never reaches a worker. */
START_TEST(test_clean_target_needs_no_worker) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL, *b = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int clean = -EBADF;
        uint32_t flushed = 99, coalesced = 99;
        uint64_t nsec = 0, granted = 0;
        Call slow_call;
        int pipefd[2];
        Harness h;

        start_two_clients(&h, 1, &a, &b, pipefd);
        clean = open("/dev/null", O_RDWR | O_CLOEXEC);
        ck_assert_int_ge(clean, 0);

        flush_async(a, pipefd[0], &slow_call);
        ck_assert_int_ge(sd_bus_flush(a), 0);
        for (int i = 0; i < 200 && h.kernel.n == 0; i++)
                usleep(10000);
        ck_assert_uint_eq(h.kernel.n, 1);       /* the worker is held */

        ck_assert_int_ge(sd_bus_call_method(b, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Flush",
                                            &error, &reply, "ht", clean, UINT64_C(0)), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "uut", &flushed, &coalesced, &nsec), 0);
        ck_assert_uint_eq(flushed, 0);
        ck_assert_uint_eq(coalesced, 0);
        ck_assert_uint_eq(nsec, 10);            /* the query's own time */
        ck_assert(!slow_call.done);
        ck_assert_uint_eq(h.kernel.n, 1);       /* no write-back ran for it */
        ck_assert_int_ge(sd_bus_get_property_trivial(b, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                                     "Granted", &error, 't', &granted), 0);
        ck_assert_uint_eq(granted, 1);

        gate_open(&h, 1);
        ck_assert(pump_until((sd_bus *[]) { a }, 1, call_done, &slow_call));
        ck_assert_str_eq(slow_call.error, "");
        sd_bus_slot_unref(slow_call.slot);
        close(pipefd[0]);
        close(pipefd[1]);
        harness_stop(&h);
}
END_TEST

static void loop_stall(Harness *h) {
        uint64_t one = 1;
        char c;

        ck_assert_int_eq(write(h->stall_fd, &one, sizeof(one)), sizeof(one));
        ck_assert_int_eq(read(h->stalled[0], &c, 1), 1);
}

static void loop_unstall(Harness *h) {
        ck_assert_int_eq(write(h->unstall[1], "u", 1), 1);
}

/* Bytes waiting in the daemon's bus socket, unread. */
static int daemon_unread(Harness *h) {
        int n = 0;

        ck_assert_int_eq(ioctl(sd_bus_get_fd(h->manager->bus), FIONREAD, &n), 0);
        return n;
}

static void get_granted_async(sd_bus *bus, Call *c) {
        *c = (Call) {};
        ck_assert_int_ge(sd_bus_call_method_async(bus, &c->slot, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                                  "org.freedesktop.DBus.Properties", "Get", on_reply, c,
                                                  "ss", FLUSH1_INTERFACE, "Granted"), 0);
        ck_assert_int_ge(sd_bus_flush(bus), 0);
}

/*
 * A write-back that finished is answered before the loop reads on: with
 * the loop held still, the one worker finishes a caller's flush while
 * more calls of the same connection wait unread in the daemon's socket;
 * once the loop goes on, the flush's reply leaves first. The replies
 * reach the connection in the order the daemon sent them. Under a flood,
 * a finished request otherwise waits its turn among the flood's messages,
 * and so does the worker it holds.
 */
START_TEST(test_finished_before_more_input) {
        enum { N_GET = 8 };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        Call slow, gets[N_GET];
        Calls all = { gets, N_GET };
        int pipefd[2], one;
        Harness h;

        harness_start(&h, open_policy, 1);
        a = client(&h);
        ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
        flush_async(a, pipefd[0], &slow);
        ck_assert(pump_until(&a, 1, call_done, &(Call) { .done = true }));
        for (int i = 0; i < 500 && h.kernel.n == 0; i++)
                usleep(10000);
        ck_assert_uint_eq(h.kernel.n, 1);

        loop_stall(&h);
        get_granted_async(a, &gets[0]);
        for (int i = 0; i < 500 && daemon_unread(&h) == 0; i++)
                usleep(10000);
        one = daemon_unread(&h);
        ck_assert_int_gt(one, 0);
        for (int i = 1; i < N_GET; i++)
                get_granted_async(a, &gets[i]);
        for (int i = 0; i < 500 && daemon_unread(&h) < N_GET * one; i++)
                usleep(10000);
        ck_assert_int_ge(daemon_unread(&h), N_GET * one);

        gate_open(&h, 1);
        for (int i = 0; i < 500 && !worker_pool_finished(h.manager->workers); i++)
                usleep(10000);
        ck_assert(worker_pool_finished(h.manager->workers));
        loop_unstall(&h);

        ck_assert(pump_until(&a, 1, call_done, &slow));
        ck_assert(pump_until(&a, 1, all_done, &all));
        ck_assert_str_eq(slow.error, "");
        for (int i = 0; i < N_GET; i++) {
                ck_assert_str_eq(gets[i].error, "");
                ck_assert_msg(slow.order < gets[i].order, "the flush's reply came after Get %d (%u > %u)", i,
                              slow.order, gets[i].order);
                sd_bus_slot_unref(gets[i].slot);
        }
        sd_bus_slot_unref(slow.slot);
        close(pipefd[0]);
        close(pipefd[1]);
        harness_stop(&h);
}
END_TEST

/* Past REQUESTS_PER_PEER_MAX in flight on one connection: Busy at once,
 * and the daemon has already closed the fd that came with it. */
START_TEST(test_busy_per_connection) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        Call calls[REQUESTS_PER_PEER_MAX + 1];
        Calls all = { calls, ELEMENTSOF(calls) };
        int slow[2], extra[2];
        struct pollfd p;
        Harness h;

        harness_start(&h, open_policy, 1);
        a = client(&h);
        ck_assert_int_eq(pipe2(slow, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(extra, O_CLOEXEC), 0);

        flush_async(a, slow[0], &calls[0]);             /* holds the only worker */
        for (size_t i = 1; i < REQUESTS_PER_PEER_MAX; i++) {
                _cleanup_close_ int fd = memfd();
                flush_async(a, fd, &calls[i]);
        }
        flush_async(a, extra[1], &calls[REQUESTS_PER_PEER_MAX]);
        close(extra[1]);                                /* ours; the daemon's is the last */

        ck_assert(pump_until(&a, 1, call_done, &calls[REQUESTS_PER_PEER_MAX]));
        ck_assert_str_eq(calls[REQUESTS_PER_PEER_MAX].error, FLUSH1_ERROR_BUSY);
        /* Refused before its cgroup was read: the daemon's counter. */
        ck_assert_uint_eq(h.manager->n_busy, 1);
        ck_assert_uint_eq(h.manager->ledger->global->counters.busy, 1);
        ck_assert_uint_eq(h.manager->ledger->sections[0]->counters.busy, 0);
        p = (struct pollfd) { .fd = extra[0], .events = POLLIN };
        ck_assert_int_eq(poll(&p, 1, 5000), 1);
        ck_assert(p.revents & POLLHUP);                 /* every write end is closed */
        for (size_t i = 0; i < REQUESTS_PER_PEER_MAX; i++)
                ck_assert(!calls[i].done);

        gate_open(&h, 1);
        all.n = REQUESTS_PER_PEER_MAX;
        ck_assert(pump_until(&a, 1, all_done, &all));
        for (size_t i = 0; i < REQUESTS_PER_PEER_MAX; i++)
                ck_assert_str_eq(calls[i].error, "");
        for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                sd_bus_slot_unref(calls[i].slot);
        close(slow[0]);
        close(slow[1]);
        close(extra[0]);
        harness_stop(&h);
}
END_TEST

/* Past REQUESTS_MAX in flight overall, from many connections. */
START_TEST(test_busy_overall) {
        enum { N_CONN = REQUESTS_MAX / REQUESTS_PER_PEER_MAX + 1 };
        sd_bus *buses[N_CONN];
        static Call calls[N_CONN][REQUESTS_PER_PEER_MAX];
        Calls all = { &calls[0][0], N_CONN * REQUESTS_PER_PEER_MAX };
        int slow[2];
        unsigned busy = 0, ok = 0;
        Harness h;

        harness_start(&h, open_policy, 1);
        ck_assert_int_eq(pipe2(slow, O_CLOEXEC), 0);
        for (size_t c = 0; c < N_CONN; c++)
                buses[c] = client(&h);
        flush_async(buses[0], slow[0], &calls[0][0]);
        /* Wait until it occupies the worker, so the rest only queue. */
        ck_assert(pump_until(buses, 1, call_done, &(Call) { .done = true }));
        for (size_t c = 0; c < N_CONN; c++)
                for (size_t i = c == 0; i < REQUESTS_PER_PEER_MAX; i++) {
                        _cleanup_close_ int fd = memfd();
                        flush_async(buses[c], fd, &calls[c][i]);
                }
        all.calls = &calls[N_CONN - 1][0];
        all.n = REQUESTS_PER_PEER_MAX;
        ck_assert(pump_until(buses, N_CONN, all_done, &all));
        gate_open(&h, 1);
        all.calls = &calls[0][0];
        all.n = N_CONN * REQUESTS_PER_PEER_MAX;
        ck_assert(pump_until(buses, N_CONN, all_done, &all));
        for (size_t c = 0; c < N_CONN; c++)
                for (size_t i = 0; i < REQUESTS_PER_PEER_MAX; i++) {
                        if (strcmp(calls[c][i].error, FLUSH1_ERROR_BUSY) == 0)
                                busy++;
                        else if (!*calls[c][i].error)
                                ok++;
                        sd_bus_slot_unref(calls[c][i].slot);
                }
        ck_assert_uint_eq(ok, REQUESTS_MAX);
        ck_assert_uint_eq(busy, N_CONN * REQUESTS_PER_PEER_MAX - REQUESTS_MAX);
        for (size_t c = 0; c < N_CONN; c++)
                sd_bus_flush_close_unref(buses[c]);
        close(slow[0]);
        close(slow[1]);
        harness_stop(&h);
}
END_TEST

/* With the one worker busy, a connection that queued three requests and
 * one that queued three after it are served alternately. */
START_TEST(test_round_robin) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *x = NULL, *a = NULL, *b = NULL;
        Call hold, ca[3], cb[3];
        Calls all_b = { cb, 3 };
        int slow[2], fa[3], fb[3];
        Harness h;

        harness_start(&h, open_policy, 1);
        x = client(&h);
        a = client(&h);
        b = client(&h);
        ck_assert_int_eq(pipe2(slow, O_CLOEXEC), 0);
        flush_async(x, slow[0], &hold);
        ck_assert(pump_until(&x, 1, call_done, &(Call) { .done = true }));
        /* x's request must be in the worker before a and b queue */
        for (int i = 0; i < 200 && h.kernel.n == 0; i++)
                usleep(10000);
        ck_assert_uint_eq(h.kernel.n, 1);

        for (int i = 0; i < 3; i++) {
                fa[i] = memfd();
                flush_async(a, fa[i], &ca[i]);
        }
        ck_assert(pump_until(&a, 1, call_done, &(Call) { .done = true }));
        wait_queued(&h, 3);
        for (int i = 0; i < 3; i++) {
                fb[i] = memfd();
                flush_async(b, fb[i], &cb[i]);
        }
        wait_queued(&h, 6);
        gate_open(&h, 1);
        ck_assert(pump_until((sd_bus *[]) { a, b, x }, 3, all_done, &all_b));
        ck_assert_uint_eq(h.kernel.n, 7);
        for (int i = 0; i < 3; i++) {
                ck_assert_msg(h.kernel.order[1 + 2 * i] == inode_of(fa[i]), "a's request %d out of turn", i);
                ck_assert_msg(h.kernel.order[2 + 2 * i] == inode_of(fb[i]), "b's request %d out of turn", i);
                close(fa[i]);
                close(fb[i]);
                sd_bus_slot_unref(ca[i].slot);
                sd_bus_slot_unref(cb[i].slot);
        }
        sd_bus_slot_unref(hold.slot);
        close(slow[0]);
        close(slow[1]);
        harness_stop(&h);
}
END_TEST

/* Every outcome has its name: InvalidFd from the backend, InvalidArgs for
 * an unknown flag, AccessDenied from the policy, QuotaExceeded from an
 * empty bucket. */
START_TEST(test_outcomes_by_name) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e1 = SD_BUS_ERROR_NULL, e2 = SD_BUS_ERROR_NULL,
                e3 = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *r1 = NULL, *r2 = NULL, *r3 = NULL;
        _cleanup_close_ int fd = memfd();
        int sv[2];
        Harness h;

        harness_start(&h, "[Default]\nAllow=yes\nAllowAllCPUs=no\nRate=1/h\nBurst=1\n", 1);
        a = client(&h);
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);

        ck_assert_int_lt(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Flush",
                                            &e1, &r1, "ht", fd, UINT64_C(1) << 40), 0);
        ck_assert_str_eq(e1.name, FLUSH1_ERROR_INVALID_ARGS);
        ck_assert_int_lt(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Flush",
                                            &e2, &r2, "ht", fd, FLUSH1_FLUSH_ALL_CPUS), 0);
        ck_assert_str_eq(e2.name, FLUSH1_ERROR_ACCESS_DENIED);
        /* buckets start empty: the first flush waits for a refill */
        ck_assert_int_lt(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Flush",
                                            &e3, &r3, "ht", sv[0], UINT64_C(0)), 0);
        ck_assert_str_eq(e3.name, FLUSH1_ERROR_QUOTA_EXCEEDED);
        ck_assert_ptr_nonnull(strstr(e3.message, "retry after"));
        close(sv[0]);
        close(sv[1]);
        harness_stop(&h);
}
END_TEST

START_TEST(test_invalid_fd_is_refunded) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        _cleanup_close_ int fd = memfd();
        int sv[2];
        Harness h;

        harness_start(&h, "[Default]\nAllow=yes\n", 1);
        a = client(&h);
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        for (int i = 0; i < 3; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *r = NULL;

                ck_assert_int_lt(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                                    "Flush", &e, &r, "ht", sv[0], UINT64_C(0)), 0);
                ck_assert_str_eq(e.name, FLUSH1_ERROR_INVALID_FD);
        }
        close(sv[0]);
        close(sv[1]);
        harness_stop(&h);
}
END_TEST

/* Stopping with requests queued: they get a named error, not NoReply. */
START_TEST(test_stop_answers_queued) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        Call hold, queued[3];
        Calls all = { queued, 3 };
        int slow[2];
        Harness h;

        harness_start(&h, open_policy, 1);
        a = client(&h);
        ck_assert_int_eq(pipe2(slow, O_CLOEXEC), 0);
        flush_async(a, slow[0], &hold);
        for (int i = 0; i < 3; i++) {
                _cleanup_close_ int fd = memfd();
                flush_async(a, fd, &queued[i]);
        }
        /* one in the worker, three admitted and queued behind it (not
         * still on the bus, where stopping would refuse them on arrival) */
        for (int i = 0; i < 200 && h.kernel.n == 0; i++)
                usleep(10000);
        wait_queued(&h, 3);
        harness_stop_begin(&h);
        ck_assert(pump_until(&a, 1, all_done, &all));
        for (int i = 0; i < 3; i++) {
                ck_assert_str_eq(queued[i].error, FLUSH1_ERROR_BUSY);
                sd_bus_slot_unref(queued[i].slot);
        }
        /* Queued in [Default] when the daemon stopped: counted there. */
        ck_assert_uint_eq(h.manager->ledger->sections[0]->counters.busy, 3);
        gate_open(&h, 1);       /* the one in the worker finishes and is answered */
        ck_assert(pump_until(&a, 1, call_done, &hold));
        ck_assert_str_eq(hold.error, "");
        sd_bus_slot_unref(hold.slot);
        close(slow[0]);
        close(slow[1]);
        harness_stop(&h);
}
END_TEST

/* Reads the string entry key of an a{sv} dictionary into buf. */
static void dict_find_string(sd_bus_message *m, const char *key, char *buf, size_t size) {
        const char *k, *v;

        buf[0] = '\0';
        ck_assert_int_ge(sd_bus_message_enter_container(m, 'a', "{sv}"), 0);
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                ck_assert_int_ge(sd_bus_message_read(m, "s", &k), 0);
                if (strcmp(k, key) == 0 && sd_bus_message_peek_type(m, NULL, &v) >= 0 && strcmp(v, "s") == 0) {
                        ck_assert_int_ge(sd_bus_message_read(m, "v", "s", &v), 0);
                        snprintf(buf, size, "%s", v);
                } else
                        ck_assert_int_ge(sd_bus_message_skip(m, "v"), 0);
                ck_assert_int_ge(sd_bus_message_exit_container(m), 0);
        }
        ck_assert_int_ge(sd_bus_message_exit_container(m), 0);
}

static void explain(sd_bus *bus, uint64_t flags, char *verdict, size_t size, char *error, size_t esize) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *v;

        ck_assert_int_ge(sd_bus_call_method(bus, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Explain",
                                            &e, &reply, "t", flags), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &v), 0);
        snprintf(verdict, size, "%s", v);
        dict_find_string(reply, "error", error, esize);
}

/* Explain says what Flush would answer, for each verdict, and charges nothing. */
START_TEST(test_explain_verdicts) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        char verdict[32], error[128];
        Harness h;

        /* Rate=1/h: empty at start, so a plain flush would be throttled;
         * all CPUs are denied. */
        harness_start(&h, "[Default]\nAllow=yes\nRate=1/h\nBurst=1\n", 1);
        a = client(&h);
        explain(a, 0, verdict, sizeof(verdict), error, sizeof(error));
        ck_assert_str_eq(verdict, "throttled");
        ck_assert_str_eq(error, FLUSH1_ERROR_QUOTA_EXCEEDED);
        explain(a, FLUSH1_FLUSH_ALL_CPUS, verdict, sizeof(verdict), error, sizeof(error));
        ck_assert_str_eq(verdict, "denied");
        ck_assert_str_eq(error, FLUSH1_ERROR_ACCESS_DENIED);
        explain(a, UINT64_C(1) << 9, verdict, sizeof(verdict), error, sizeof(error));
        ck_assert_str_eq(verdict, "invalid");
        ck_assert_str_eq(error, FLUSH1_ERROR_INVALID_ARGS);
        harness_stop(&h);

        harness_start(&h, open_policy, 1);
        sd_bus_flush_close_unref(a);
        a = client(&h);
        explain(a, 0, verdict, sizeof(verdict), error, sizeof(error));
        ck_assert_str_eq(verdict, "granted");
        ck_assert_str_eq(error, "");
        ck_assert_uint_eq(h.manager->n_granted, 0);     /* nothing was written back */
        harness_stop(&h);
}
END_TEST

/* The buckets report the refill exactly as the policy states it: 1/h is
 * not rounded down to nothing per second. */
START_TEST(test_explain_bucket_refill) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *k, *section, *kind, *v;
        int64_t tokens, burst;
        uint64_t refill, period, wait, rate_refill = 0, rate_period = 0, time_refill = 0, time_period = 0;
        Harness h;

        harness_start(&h, "[Default]\nAllow=yes\nRate=1/h\nBurst=1\nFlushTime=20ms/s\n", 1);
        a = client(&h);
        ck_assert_int_ge(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Explain",
                                            &e, &reply, "t", UINT64_C(0)), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &v), 0);
        ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "{sv}"), 0);
        while (sd_bus_message_enter_container(reply, 'e', "sv") > 0) {
                ck_assert_int_ge(sd_bus_message_read(reply, "s", &k), 0);
                if (strcmp(k, "buckets") != 0) {
                        ck_assert_int_ge(sd_bus_message_skip(reply, "v"), 0);
                        ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
                        continue;
                }
                ck_assert_int_ge(sd_bus_message_enter_container(reply, 'v', "a(ssxxttt)"), 0);
                ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "(ssxxttt)"), 0);
                while (sd_bus_message_read(reply, "(ssxxttt)", &section, &kind, &tokens, &burst, &refill, &period,
                                           &wait) > 0) {
                        ck_assert_str_eq(section, "[Default]");
                        if (strcmp(kind, "rate") == 0) {
                                rate_refill = refill;
                                rate_period = period;
                                ck_assert_int_eq(tokens, 0);            /* buckets start empty */
                                ck_assert_uint_gt(wait, 0);
                        } else if (strcmp(kind, "time") == 0) {
                                time_refill = refill;
                                time_period = period;
                        }
                }
                ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
                ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
                ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
        }
        ck_assert_uint_eq(rate_refill, 1);
        ck_assert_uint_eq(rate_period, UINT64_C(3600000000));
        ck_assert_uint_eq(time_refill, UINT64_C(20000000));     /* nanoseconds of kernel time */
        ck_assert_uint_eq(time_period, UINT64_C(1000000));
        harness_stop(&h);
}
END_TEST

START_TEST(test_quota_dictionary) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        char decider[64];
        Harness h;

        harness_start(&h, "[Default]\nAllow=no\n[Cgroup all]\nPath=/\nAllow=yes\nRate=10/s\n", 1);
        a = client(&h);
        ck_assert_int_ge(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Quota",
                                            &e, &reply, ""), 0);
        dict_find_string(reply, "decider", decider, sizeof(decider));
        ck_assert_str_eq(decider, "all");
        harness_stop(&h);
}
END_TEST

/* WatchdogSec=: the loop itself sends WATCHDOG=1 to the service manager. */
START_TEST(test_watchdog_pings) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[512];
        bool pinged = false;
        int fd;
        Harness h;

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/flushd-notify-%d", (int) getpid());
        unlink(sa.sun_path);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(setenv("NOTIFY_SOCKET", sa.sun_path, 1), 0);
        ck_assert_int_eq(setenv("WATCHDOG_USEC", "200000", 1), 0);
        harness_start(&h, open_policy, 1);
        for (int i = 0; i < 50 && !pinged; i++) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, 100) <= 0)
                        continue;
                n = recv(fd, buf, sizeof(buf) - 1, 0);
                ck_assert_int_gt(n, 0);
                buf[n] = '\0';
                pinged = strstr(buf, "WATCHDOG=1") != NULL;
        }
        ck_assert_msg(pinged, "no WATCHDOG=1 within 5 s");
        harness_stop(&h);
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        close(fd);
        unlink(sa.sun_path);
}
END_TEST

/* Calls method (no arguments) as uid in a child; checks the answer: success
 * if want_error is NULL, else that error with want_text in its message. */
static void assert_call_as(const Harness *h, uid_t uid, const char *method, const char *want_error,
                           const char *want_text) {
        int status;
        pid_t pid;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus *b = NULL;
                int r;

                if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
                        _exit(10);
                if (private_bus_connect(h->bus.address, &b) < 0)
                        _exit(11);
                r = sd_bus_call_method(b, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, method, &e, NULL,
                                       "");
                if (!want_error)
                        _exit(r >= 0 ? 0 : 12);
                if (r >= 0 || !sd_bus_error_has_name(&e, want_error)) {
                        fprintf(stderr, "%s as uid %u: %s: %s\n", method, (unsigned) uid,
                                r >= 0 ? "success" : e.name, e.message ?: "");
                        _exit(13);
                }
                if (want_text && !strstr(e.message ?: "", want_text)) {
                        fprintf(stderr, "%s as uid %u: %s\n", method, (unsigned) uid, e.message ?: "");
                        _exit(14);
                }
                _exit(0);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s as uid %u: status %d", method,
                      (unsigned) uid, status);
}

/* Reload and ListCgroups for non-root callers polkit allows (nobody), and
 * only them (not daemon, uid 1). */
START_TEST(test_admin_via_polkit) {
        pid_t polkit;
        Harness h;

        harness_start(&h, open_policy, 1);
        ck_assert_int_eq(chmod(h.bus.dir, 0755), 0);
        polkit = fake_polkit_start(h.bus.address, 65534);
        assert_call_as(&h, 65534, "Reload", NULL, NULL);
        assert_call_as(&h, 65534, "ListCgroups", NULL, NULL);
        assert_call_as(&h, 1, "Reload", FLUSH1_ERROR_ACCESS_DENIED, "polkit does not allow it");
        assert_call_as(&h, 1, "ListCgroups", FLUSH1_ERROR_ACCESS_DENIED, "polkit does not allow it");
        fake_polkit_stop(polkit);
        harness_stop(&h);
}
END_TEST

typedef struct AdminFlood {
        unsigned answered, busy, denied, other;
} AdminFlood;

static int on_admin_reply(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        AdminFlood *f = userdata;
        const sd_bus_error *err = sd_bus_message_get_error(m);

        (void) e;
        f->answered++;
        if (err && sd_bus_error_has_name(err, FLUSH1_ERROR_BUSY) && strstr(err->message ?: "", "authorization"))
                f->busy++;
        else if (err && sd_bus_error_has_name(err, FLUSH1_ERROR_ACCESS_DENIED))
                f->denied++;
        else {
                fprintf(stderr, "Reload flood: %s: %s\n", err ? err->name : "success", err ? err->message : "");
                f->other++;
        }
        return 0;
}

/* A user polkit refuses floods Reload without waiting, from connections
 * that stay within the per-connection bound: the daemon asks polkit at a
 * bounded rate and answers the rest Busy at once, every call gets a named
 * answer, and root's Reload is not held up. */
START_TEST(test_admin_flood_bounded) {
        enum { CONNS = 10, FLOOD = CONNS * 10 };
        pid_t polkit, pid;
        int status;
        Harness h;

        harness_start(&h, open_policy, 1);
        ck_assert_int_eq(chmod(h.bus.dir, 0755), 0);
        polkit = fake_polkit_start(h.bus.address, 65534);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                AdminFlood f = {};
                sd_bus *b[CONNS] = {};
                uint64_t deadline;

                if (setresgid(1, 1, 1) < 0 || setresuid(1, 1, 1) < 0)
                        _exit(10);
                for (int c = 0; c < CONNS; c++)
                        if (private_bus_connect(h.bus.address, &b[c]) < 0)
                                _exit(11);
                for (int i = 0; i < FLOOD; i++)
                        if (sd_bus_call_method_async(b[i % CONNS], NULL, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                                     FLUSH1_INTERFACE, "Reload", on_admin_reply, &f, "") < 0)
                                _exit(12);
                deadline = now_usec() + TIMEOUT_USEC;
                while (f.answered < FLOOD && now_usec() < deadline) {
                        bool progress = false;

                        for (int c = 0; c < CONNS; c++)
                                while (sd_bus_process(b[c], NULL) > 0)
                                        progress = true;
                        if (!progress)
                                (void) sd_bus_wait(b[0], 10000);
                }
                if (f.answered < FLOOD || f.other) {
                        fprintf(stderr, "Reload flood: %u of %u answered, %u unexpected\n", f.answered, FLOOD,
                                f.other);
                        _exit(13);
                }
                /* 20 checks of burst, 10/s after: most of 100 are refused */
                if (f.busy < FLOOD / 2 || f.denied < 1) {
                        fprintf(stderr, "Reload flood: %u Busy, %u AccessDenied\n", f.busy, f.denied);
                        _exit(14);
                }
                _exit(0);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "flooder: status %d", status);
        assert_call_as(&h, 0, "Reload", NULL, NULL);
        ck_assert_uint_ge(__atomic_load_n(&h.manager->n_busy, __ATOMIC_ACQUIRE), FLOOD / 2);
        fake_polkit_stop(polkit);
        harness_stop(&h);
}
END_TEST

/* Reload: a bad file keeps the old policy and says FILE:LINE; a good one
 * takes effect. Non-root callers are refused by the daemon itself (the
 * private bus lets anyone call anything). */
START_TEST(test_reload_and_admin_methods) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        char verdict[32], error[128], config[160];
        FILE *f;
        Harness h;

        harness_start(&h, "[Default]\nAllow=yes\n", 1);
        a = client(&h);
        snprintf(config, sizeof(config), "%s/flushd.conf", h.bus.dir);

        f = fopen(config, "we");
        ck_assert_ptr_nonnull(f);
        fputs("[Default]\nAllow=no\nRate=fast\n", f);
        fclose(f);
        {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

                ck_assert_int_lt(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                                    "Reload", &e, NULL, ""), 0);
                ck_assert_str_eq(e.name, FLUSH1_ERROR_INVALID_POLICY);
                ck_assert_ptr_nonnull(strstr(e.message, "flushd.conf:3:Rate: "));
        }
        explain(a, 0, verdict, sizeof(verdict), error, sizeof(error));
        ck_assert_str_eq(verdict, "granted");           /* the old policy, whole */

        f = fopen(config, "we");
        ck_assert_ptr_nonnull(f);
        fputs("[Default]\nAllow=no\n", f);
        fclose(f);
        ck_assert_int_ge(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Reload",
                                            NULL, NULL, ""), 0);
        explain(a, 0, verdict, sizeof(verdict), error, sizeof(error));
        ck_assert_str_eq(verdict, "denied");

        /* A broken drop-in keeps the policy whole too, and is named. */
        {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                char dir[192], dropin[256];

                snprintf(dir, sizeof(dir), "%s/flushd.conf.d", h.bus.dir);
                ck_assert_int_eq(mkdir(dir, 0755), 0);
                snprintf(dropin, sizeof(dropin), "%s/50-open.conf", dir);
                f = fopen(dropin, "we");
                ck_assert_ptr_nonnull(f);
                fputs("[Default]\nAllow=yes\nBurst=x\n", f);
                fclose(f);
                ck_assert_int_lt(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                                    "Reload", &e, NULL, ""), 0);
                ck_assert_str_eq(e.name, FLUSH1_ERROR_INVALID_POLICY);
                ck_assert_ptr_nonnull(strstr(e.message, "50-open.conf:3:Burst: "));
                explain(a, 0, verdict, sizeof(verdict), error, sizeof(error));
                ck_assert_str_eq(verdict, "denied");
        }

        /* The same calls as nobody: AccessDenied from the daemon, which
         * asked polkit, and there is none on this bus. */
        ck_assert_int_eq(chmod(h.bus.dir, 0755), 0);
        assert_call_as(&h, 65534, "Reload", FLUSH1_ERROR_ACCESS_DENIED, "polkit is not running");
        assert_call_as(&h, 65534, "ListCgroups", FLUSH1_ERROR_ACCESS_DENIED, "polkit is not running");
        harness_stop(&h);
}
END_TEST

/* The members of the first interface of an introspection text, one line
 * each: <property ...>, <method ...>, <arg ...>, in order. */
static void members_of(const char *xml, char *out, size_t size) {
        const char *p = xml;
        size_t o = 0;

        out[0] = '\0';
        while ((p = strchr(p, '<'))) {
                const char *end = strchr(p, '>');

                if (!end || !strncmp(p, "</interface>", 12))
                        break;
                if ((!strncmp(p, "<property ", 10) || !strncmp(p, "<method ", 8) || !strncmp(p, "<arg ", 5)) &&
                    o + (size_t) (end - p) + 2 < size) {
                        memcpy(out + o, p, end - p + 1);
                        o += end - p + 1;
                        out[o++] = '\n';
                        out[o] = '\0';
                }
                p = end + 1;
        }
}

/* The interface file shipped in policy/ is what the daemon serves. */
START_TEST(test_interface_file_matches) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *a = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *file = NULL;
        static char want[16384], got[16384];
        const char *xml, *iface;
        size_t size = 0;
        FILE *f;
        Harness h;

        f = fopen("policy/org.flushd.Flush1.Manager.xml", "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_gt(getdelim(&file, &size, '\0', f), 0);
        fclose(f);
        members_of(file, want, sizeof(want));

        harness_start(&h, open_policy, 1);
        a = client(&h);
        ck_assert_int_ge(sd_bus_call_method(a, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                            "org.freedesktop.DBus.Introspectable", "Introspect", &e, &reply, ""), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &xml), 0);
        iface = strstr(xml, "<interface name=\"" FLUSH1_INTERFACE "\"");
        ck_assert_ptr_nonnull(iface);
        members_of(iface, got, sizeof(got));
        ck_assert_ptr_nonnull(strstr(want, "<method name=\"ListCgroups\">"));
        ck_assert_str_eq(got, want);
        harness_stop(&h);
}
END_TEST

/* A connection's record goes when the bus says the connection went away. */
START_TEST(test_peer_forgotten_on_disconnect) {
        sd_bus *a;
        _cleanup_close_ int fd = memfd();
        Call c;
        Harness h;

        harness_start(&h, open_policy, 1);
        a = client(&h);
        flush_async(a, fd, &c);
        ck_assert(pump_until(&a, 1, call_done, &c));
        ck_assert_str_eq(c.error, "");
        ck_assert_uint_eq(peer_table_count(h.manager->peers), 1);
        sd_bus_slot_unref(c.slot);
        sd_bus_flush_close_unref(a);
        for (int i = 0; i < 500 && peer_table_count(h.manager->peers) > 0; i++)
                usleep(10000);
        ck_assert_uint_eq(peer_table_count(h.manager->peers), 0);
        harness_stop(&h);
}
END_TEST

/* flushd --check-config: the daemon's own parser, from the command line,
 * without a bus (it used to crash tearing down what it never set up). */
static int check_config(const char *text, char *out, size_t size) {
        char dir[] = "/tmp/flushd-test-cc-XXXXXX", cmd[512], path[128];
        FILE *f, *p;
        size_t n;
        int status;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/flushd.conf", dir);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
        snprintf(cmd, sizeof(cmd), "%s --check-config --config=%s --dropin-dir=%s/none 2>&1; echo \"rc=$?\"",
                 getenv("FLUSHD_BINARY") ?: "build/flushd", path, dir);
        p = popen(cmd, "re");
        ck_assert_ptr_nonnull(p);
        n = fread(out, 1, size - 1, p);
        out[n] = '\0';
        status = pclose(p);
        unlink(path);
        rmdir(dir);
        return status;
}

START_TEST(test_check_config_command) {
        char out[1024];

        ck_assert_int_eq(check_config("[Default]\nAllow=yes\n", out, sizeof(out)), 0);
        ck_assert_ptr_nonnull(strstr(out, "flushd.conf: OK\n"));
        ck_assert_ptr_nonnull(strstr(out, "rc=0\n"));
        ck_assert_int_eq(check_config("[Default]\nAllow=maybe\n", out, sizeof(out)), 0);
        ck_assert_ptr_nonnull(strstr(out, "flushd.conf:2:Allow: "));
        ck_assert_ptr_nonnull(strstr(out, "rc=1\n"));
}
END_TEST

Suite *request_suite(void) {
        Suite *s = suite_create("request");
        TCase *tc = tcase_create("private-bus");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_slow_write_back_does_not_block);
        tcase_add_test(tc, test_clean_target_needs_no_worker);
        tcase_add_test(tc, test_busy_per_connection);
        tcase_add_test(tc, test_busy_overall);
        tcase_add_test(tc, test_round_robin);
        tcase_add_test(tc, test_finished_before_more_input);
        tcase_add_test(tc, test_outcomes_by_name);
        tcase_add_test(tc, test_invalid_fd_is_refunded);
        tcase_add_test(tc, test_stop_answers_queued);
        tcase_add_test(tc, test_explain_bucket_refill);
        tcase_add_test(tc, test_admin_via_polkit);
        tcase_add_test(tc, test_admin_flood_bounded);
        tcase_add_test(tc, test_watchdog_pings);
        tcase_add_test(tc, test_peer_forgotten_on_disconnect);
        tcase_add_test(tc, test_explain_verdicts);
        tcase_add_test(tc, test_quota_dictionary);
        tcase_add_test(tc, test_reload_and_admin_methods);
        tcase_add_test(tc, test_interface_file_matches);
        tcase_add_test(tc, test_check_config_command);
        suite_add_tcase(s, tc);
        return s;
}

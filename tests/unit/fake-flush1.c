/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-flush1.c - a test double of org.flushd.Flush1 on a private bus
 *
 * An sd-bus object with the Manager interface of org.flushd.Flush1(5):
 * Flush, Explain, Quota, Reload, ListCgroups and the properties, all
 * answering with fixed data the tests check for (plus an entry of a type
 * the client does not know, which it must skip), or every one with the
 * same error name when a test sets one. It runs in a thread of the test
 * process on a dbus-daemon of its own; the client under test (libflushd in
 * the same process, or a flushctl child) reaches it by --bus=ADDRESS.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <systemd/sd-bus.h>

#include "bus/flush1.h"
#include "fake-flush1.h"
#include "util/macro.h"

void fake_bus_start(FakeService *f, bool deny_calls) {
        *f = (FakeService) { .stop_fd = -EBADF };
        pthread_mutex_init(&f->lock, NULL);
        /* quiet: the refusals of the deny policy are logged */
        private_bus_start(&f->bus, "flushd-client",
                          deny_calls ? "  <policy context=\"default\">\n"
                                       "    <deny send_destination=\"" FLUSH1_BUS_NAME "\"/>\n"
                                       "  </policy>\n" : NULL,
                          true);
}

/* Non-zero (after setting e) when the test asked for an error. */
static int fake_error(FakeService *f, sd_bus_error *e) {
        char name[128];

        pthread_mutex_lock(&f->lock);
        snprintf(name, sizeof(name), "%s", f->error);
        pthread_mutex_unlock(&f->lock);
        if (!*name)
                return 0;
        if (strcmp(name, FLUSH1_ERROR_QUOTA_EXCEEDED) == 0)
                return sd_bus_error_set(e, name, "quota of batch reached; retry after 0.250s");
        return sd_bus_error_setf(e, name, "fake %s", name);
}

static int method_flush(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        int fd, r;
        uint64_t flags;

        r = fake_error(userdata, e);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "ht", &fd, &flags);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "uut", 2, 1, UINT64_C(41230));
}

static int buckets_append(sd_bus_message *r) {
        int k;

        k = sd_bus_message_open_container(r, 'v', "a(ssxxttt)");
        if (k >= 0)
                k = sd_bus_message_append(r, "a(ssxxttt)", 2,
                                          "batch", "rate", INT64_C(-2), INT64_C(10), UINT64_C(1), UINT64_C(3600000000),
                                          UINT64_C(400000),
                                          "[Daemon]", "time", INT64_C(1000000), INT64_C(5000000),
                                          UINT64_C(20000000), UINT64_C(1000000), UINT64_C(0));
        if (k >= 0)
                k = sd_bus_message_close_container(r);
        return k;
}

/* The {sv} entry "buckets", then the caller closes the dictionary. */
static int buckets_entry_append(sd_bus_message *reply) {
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", "buckets");
        if (r >= 0)
                r = buckets_append(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* Ends an a{sv} reply of Explain or Quota: the buckets entry, then sends. */
static int dict_finish_send(sd_bus_message *reply) {
        int r = buckets_entry_append(reply);

        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int method_explain(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool all = false;
        uint64_t flags;
        int r;

        r = fake_error(userdata, e);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &flags);
        if (r < 0)
                return r;
        all = flags & FLUSH1_FLUSH_ALL_CPUS;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", all ? "throttled" : "granted");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                          "error", "s", all ? FLUSH1_ERROR_QUOTA_EXCEEDED : "",
                                          "reason", "s", all ? "quota of batch reached" : "admitted by batch",
                                          "uid", "u", 1000,
                                          "pid", "u", 4242,
                                          "cgroup", "s", "/batch.slice/job \"1\"",
                                          "sections", "as", 2, "batch", "[Default]",
                                          "decider", "s", "batch",
                                          "cost", "t", all ? UINT64_C(4) : UINT64_C(1),
                                          "retry_after_usec", "t", all ? UINT64_C(400000) : UINT64_C(0));
        /* one the client does not know: it must skip it */
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "future", "(ii)", 1, 2);
        return r < 0 ? r : dict_finish_send(reply);
}

static int method_quota(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = fake_error(userdata, e);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}",
                                          "tokens", "x", INT64_C(3),
                                          "retry_after_usec", "t", UINT64_C(0),
                                          "decider", "s", "batch",
                                          "allow", "b", 1,
                                          "allow_all_cpus", "b", 0);
        return r < 0 ? r : dict_finish_send(reply);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        int r = fake_error(userdata, e);

        return r < 0 ? r : sd_bus_reply_method_return(m, "");
}

static int method_list_cgroups(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        FakeService *f = userdata;
        uint64_t calls;
        int r;

        r = fake_error(f, e);
        if (r < 0)
                return r;
        pthread_mutex_lock(&f->lock);
        calls = f->list_calls++;
        pthread_mutex_unlock(&f->lock);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "a(sa{sv})", 3,
                                          "[Default]", 3,
                                          "path", "s", "",
                                          "granted", "t", UINT64_C(1),
                                          "denied", "t", UINT64_C(5),
                                          "batch", 11,
                                          "path", "s", "/batch.slice",
                                          "granted", "t", 10 + 3 * calls,
                                          "denied", "t", UINT64_C(0),
                                          "throttled", "t", 2 + calls,
                                          "failed", "t", UINT64_C(0),
                                          "cpus_flushed", "t", UINT64_C(20),
                                          "cpus_coalesced", "t", UINT64_C(3),
                                          "time_used_nsec", "t", UINT64_C(1500000),
                                          "tokens", "x", INT64_C(4),
                                          "time_tokens", "x", INT64_C(-5),
                                          "users", "u", 2,
                                          "[Daemon]", 2,
                                          "path", "s", "",
                                          "granted", "t", 11 + 3 * calls);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *e) {
        int r;

        r = fake_error(userdata, e);
        if (r < 0)
                return r;
        if (strcmp(property, "Version") == 0)
                return sd_bus_message_append(reply, "s", "0.1-fake");
        if (strcmp(property, "KernelSupport") == 0)
                return sd_bus_message_append(reply, "s", "no: fake kernel");
        if (strcmp(property, "CPUs") == 0)
                return sd_bus_message_append(reply, "u", 4);
        if (strcmp(property, "PolicyFiles") == 0)
                return sd_bus_message_append(reply, "as", 2, "/etc/flushd/flushd.conf",
                                             "/etc/flushd/flushd.conf.d/10-batch.conf");
        if (strcmp(property, "Granted") == 0)
                return sd_bus_message_append(reply, "t", UINT64_C(7));
        if (strcmp(property, "Denied") == 0)
                return sd_bus_message_append(reply, "t", UINT64_C(1));
        if (strcmp(property, "Throttled") == 0)
                return sd_bus_message_append(reply, "t", UINT64_C(2));
        return sd_bus_message_append(reply, "t", UINT64_C(0));       /* Busy */
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Flush", "ht", "uut", method_flush, 0),
        SD_BUS_METHOD("Explain", "t", "sa{sv}", method_explain, 0),
        SD_BUS_METHOD("Quota", "", "a{sv}", method_quota, 0),
        SD_BUS_METHOD("Reload", "", "", method_reload, 0),
        SD_BUS_METHOD("ListCgroups", "", "a(sa{sv})", method_list_cgroups, 0),
        SD_BUS_PROPERTY("Version", "s", property_get, 0, 0),
        SD_BUS_PROPERTY("KernelSupport", "s", property_get, 0, 0),
        SD_BUS_PROPERTY("CPUs", "u", property_get, 0, 0),
        SD_BUS_PROPERTY("PolicyFiles", "as", property_get, 0, 0),
        SD_BUS_PROPERTY("Granted", "t", property_get, 0, 0),
        SD_BUS_PROPERTY("Denied", "t", property_get, 0, 0),
        SD_BUS_PROPERTY("Throttled", "t", property_get, 0, 0),
        SD_BUS_PROPERTY("Busy", "t", property_get, 0, 0),
        SD_BUS_VTABLE_END
};

static void *service_thread(void *userdata) {
        FakeService *f = userdata;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int ready = -1;

        if (private_bus_connect(f->bus.address, &bus) >= 0 &&
            sd_bus_add_object_vtable(bus, NULL, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, manager_vtable, f) >= 0 &&
            sd_bus_request_name(bus, FLUSH1_BUS_NAME, 0) >= 0)
                ready = 1;
        (void) !write(f->ready_fd, ready > 0 ? "y" : "n", 1);
        if (ready < 0)
                return NULL;

        for (;;) {
                struct pollfd p[2] = {
                        { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) },
                        { .fd = f->stop_fd, .events = POLLIN },
                };

                while (sd_bus_process(bus, NULL) > 0)
                        ;
                p[0].events = (short) sd_bus_get_events(bus);
                if (poll(p, 2, 100) < 0)
                        break;
                if (p[1].revents & POLLIN)
                        break;
        }
        return NULL;
}

void fake_service_start(FakeService *f) {
        int ready[2];
        char c = 0;

        f->stop_fd = eventfd(0, EFD_CLOEXEC);
        ck_assert_int_ge(f->stop_fd, 0);
        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
        f->ready_fd = ready[1];
        ck_assert_int_eq(pthread_create(&f->thread, NULL, service_thread, f), 0);
        ck_assert_int_eq(read(ready[0], &c, 1), 1);
        close(ready[0]);
        close(ready[1]);
        ck_assert_msg(c == 'y', "the fake org.flushd.Flush1 did not start");
        f->running = true;
}

void fake_service_fail(FakeService *f, const char *name) {
        pthread_mutex_lock(&f->lock);
        snprintf(f->error, sizeof(f->error), "%s", name ?: "");
        pthread_mutex_unlock(&f->lock);
}

void fake_stop(FakeService *f) {
        if (f->running) {
                ck_assert_int_eq(write(f->stop_fd, &(uint64_t) { 1 }, sizeof(uint64_t)), sizeof(uint64_t));
                pthread_join(f->thread, NULL);
                f->running = false;
        }
        f->stop_fd = safe_close(f->stop_fd);
        private_bus_stop(&f->bus);
}

int run_flushctl(char *const *argv, char **ret_out) {
        const char *flushctl = getenv("FLUSHCTL") ?: "build/flushctl";
        char *args[32], *out = NULL;
        size_t n = 0, size = 0, i;
        int pipefd[2], status;
        ssize_t k;
        pid_t pid;

        args[0] = (char *) flushctl;
        for (i = 0; argv[i] && i + 2 < ELEMENTSOF(args); i++)
                args[i + 1] = argv[i];
        args[i + 1] = NULL;

        ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                dup2(null, STDIN_FILENO);
                dup2(pipefd[1], STDOUT_FILENO);
                if (!getenv("FLUSHD_TEST_VERBOSE"))
                        dup2(null, STDERR_FILENO);
                execv(flushctl, args);
                _exit(126);
        }
        close(pipefd[1]);
        for (;;) {
                if (size - n < 1024) {
                        out = realloc(out, size + 8192);
                        ck_assert_ptr_nonnull(out);
                        size += 8192;
                }
                k = read(pipefd[0], out + n, size - n - 1);
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        out[n] = '\0';
        close(pipefd[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);

        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl-stats.c - per-section views: stats once, top live
 *
 * Both read ListCgroups (root only). "stats" prints every section's
 * counters and bucket levels once. "top" samples once a second, like
 * systemd-cgtop, and shows what changed: grants and throttles per second
 * between two samples, the rate bucket's tokens and the kernel time used.
 * On a terminal it redraws in place and quits on "q"; elsewhere it appends
 * one table (or one JSON line) per sample. SIGINT and SIGTERM end it
 * cleanly either way (through a signalfd, so no handler and no global), and
 * --iterations=N stops after N samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "flushctl.h"
#include "json.h"
#include "table.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);

/* ListCgroups' counters, in the order stats shows them. */
static const struct {
        const char *key;
        const char *column;
} stat_counters[] = {
        { "granted",        ">GRANTED"   },
        { "denied",         ">DENIED"    },
        { "throttled",      ">THROTTLED" },
        { "busy",           ">BUSY"      },
        { "failed",         ">FAILED"    },
        { "cpus_flushed",   ">FLUSHED"   },
        { "cpus_coalesced", ">COALESCED" },
        { "time_used_nsec", ">TIME"      },
        { "users",          ">USERS"     },
};

static int list_get(const Args *args, FlushdClient *client, FlushdCgroupList **ret) {
        _cleanup_(flushd_error_freep) FlushdError *error = NULL;
        int r;

        r = flushd_list_cgroups(client, ret, &error);
        if (r < 0)
                return ctl_failed("ListCgroups", r, error);
        return 0;
}

static void json_optional_signed(JsonWriter *w, const char *key, int r, int64_t v) {
        json_key(w, key);
        if (r >= 0)
                json_int(w, v);
        else
                json_null(w);
}

/* Opens a section's object with its label and path (stats and top). */
static void json_section_begin(JsonWriter *w, const FlushdCgroup *g) {
        json_object_begin(w);
        json_key(w, "label");
        json_string(w, flushd_cgroup_get_label(g));
        json_key(w, "path");
        json_string(w, flushd_cgroup_get_path(g));
}

static void stats_json(const FlushdCgroupList *l) {
        size_t n = flushd_cgroup_list_get_n(l);
        JsonWriter w;

        json_init(&w, stdout);
        json_object_begin(&w);
        json_key(&w, "sections");
        json_array_begin(&w);
        for (size_t i = 0; i < n; i++) {
                const FlushdCgroup *g = flushd_cgroup_list_get(l, i);
                int64_t x;
                uint64_t v;
                int r;

                json_section_begin(&w, g);
                for (size_t k = 0; k < ELEMENTSOF(stat_counters); k++) {
                        json_key(&w, stat_counters[k].key);
                        if (flushd_cgroup_get_counter(g, stat_counters[k].key, &v) >= 0)
                                json_uint(&w, v);
                        else
                                json_null(&w);
                }
                r = flushd_cgroup_get_tokens(g, &x);
                json_optional_signed(&w, "tokens", r, x);
                r = flushd_cgroup_get_time_tokens(g, &x);
                json_optional_signed(&w, "time_tokens", r, x);
                json_object_end(&w);
        }
        json_array_end(&w);
        json_object_end(&w);
        (void) json_finish(&w);
}

static int stats_print(const FlushdCgroupList *l) {
        const char *columns[ELEMENTSOF(stat_counters) + 5];
        _cleanup_(table_freep) Table *t = NULL;
        size_t n = flushd_cgroup_list_get_n(l), c = 0;
        int r = 0;

        columns[c++] = "SECTION";
        columns[c++] = "PATH";
        for (size_t k = 0; k < ELEMENTSOF(stat_counters); k++)
                columns[c++] = stat_counters[k].column;
        columns[c++] = ">TOKENS";
        columns[c++] = ">TIME-LEFT";
        columns[c] = NULL;

        t = table_new(columns);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const FlushdCgroup *g = flushd_cgroup_list_get(l, i);
                const char *path = flushd_cgroup_get_path(g);
                char buf[32];
                uint64_t v;
                int64_t x;

                r = table_add(t, "%s", flushd_cgroup_get_label(g));
                if (r >= 0)
                        r = table_add(t, "%s", *path ? path : "-");
                for (size_t k = 0; k < ELEMENTSOF(stat_counters) && r >= 0; k++) {
                        if (flushd_cgroup_get_counter(g, stat_counters[k].key, &v) < 0)
                                r = table_add(t, "-");
                        else if (strcmp(stat_counters[k].key, "time_used_nsec") == 0)
                                r = table_add(t, "%s", format_nsec(buf, sizeof(buf), v));
                        else
                                r = table_add(t, "%" PRIu64, v);
                }
                if (r >= 0)
                        r = flushd_cgroup_get_tokens(g, &x) >= 0 ? table_add(t, "%" PRIi64, x) : table_add(t, "-");
                if (r >= 0) {
                        if (flushd_cgroup_get_time_tokens(g, &x) < 0)
                                r = table_add(t, "-");
                        else if (x < 0)
                                r = table_add(t, "-%s", format_nsec(buf, sizeof(buf), (uint64_t) -x));
                        else
                                r = table_add(t, "%s", format_nsec(buf, sizeof(buf), (uint64_t) x));
                }
        }
        if (r < 0)
                return r;
        return table_print(t, stdout);
}

int verb_stats(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_cgroup_list_freep) FlushdCgroupList *l = NULL;
        int r;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;
        r = list_get(args, client, &l);
        if (r != 0)
                return r;

        if (args->json)
                stats_json(l);
        else if (stats_print(l) < 0) {
                log_error("Out of memory.");
                return EXIT_FAILURE;
        }
        return ctl_output_done();
}

/* What top needs to end: the signals it catches and the terminal it changed. */
typedef struct TopInput {
        int signal_fd;
        sigset_t old_mask;
        bool tty_in;
        struct termios old_termios;
} TopInput;

static int top_input_open(TopInput *in) {
        sigset_t mask;
        struct termios raw;

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &mask, &in->old_mask) < 0)
                return -errno;
        in->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (in->signal_fd < 0)
                return -errno;

        /* Keys without Enter, not echoed; ^C stays a signal. */
        in->tty_in = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &in->old_termios) == 0;
        if (in->tty_in) {
                raw = in->old_termios;
                raw.c_lflag &= ~(tcflag_t) (ICANON | ECHO);
                raw.c_cc[VMIN] = 1;
                raw.c_cc[VTIME] = 0;
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        }
        return 0;
}

static void top_input_close(TopInput *in) {
        if (in->tty_in)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &in->old_termios);
        in->signal_fd = safe_close(in->signal_fd);
        (void) sigprocmask(SIG_SETMASK, &in->old_mask, NULL);
}

/* Waits until deadline (CLOCK_MONOTONIC usec). Returns 1 to quit, 0 to go on. */
static int top_wait(const TopInput *in, uint64_t deadline) {
        struct pollfd p[2] = {
                { .fd = in->signal_fd, .events = POLLIN },
                { .fd = STDIN_FILENO, .events = POLLIN },
        };
        struct timespec ts;
        uint64_t now;
        char c;

        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &ts);
                now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
                if (now >= deadline)
                        return 0;
                if (poll(p, in->tty_in ? 2 : 1, (int) ((deadline - now + 999) / 1000)) < 0) {
                        if (errno == EINTR)
                                continue;
                        return 1;
                }
                if (p[0].revents)
                        return 1;
                if (in->tty_in && (p[1].revents & POLLIN)) {
                        if (read(STDIN_FILENO, &c, 1) != 1 || c == 'q' || c == 'Q')
                                return 1;
                } else if (in->tty_in && p[1].revents)
                        return 1;
        }
}

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* The same section in the previous sample, by label. */
static const FlushdCgroup *previous_find(const FlushdCgroupList *prev, const char *label) {
        size_t n = flushd_cgroup_list_get_n(prev);

        for (size_t i = 0; i < n; i++)
                if (strcmp(flushd_cgroup_get_label(flushd_cgroup_list_get(prev, i)), label) == 0)
                        return flushd_cgroup_list_get(prev, i);
        return NULL;
}

/* Per second between the two samples; < 0 when there is no previous one. */
static double per_second(const FlushdCgroup *g, const FlushdCgroup *old, const char *key, uint64_t interval) {
        uint64_t a, b;

        if (!old || interval == 0 || flushd_cgroup_get_counter(g, key, &a) < 0 ||
            flushd_cgroup_get_counter(old, key, &b) < 0)
                return -1;
        return a >= b ? (double) (a - b) * 1e6 / (double) interval : 0;
}

static void top_json(const FlushdCgroupList *l, const FlushdCgroupList *prev, uint64_t interval) {
        size_t n = flushd_cgroup_list_get_n(l);
        JsonWriter w;

        json_init(&w, stdout);
        json_object_begin(&w);
        json_key(&w, "timestamp_usec");
        json_uint(&w, now_usec(CLOCK_REALTIME));
        json_key(&w, "interval_usec");
        json_uint(&w, interval);
        json_key(&w, "sections");
        json_array_begin(&w);
        for (size_t i = 0; i < n; i++) {
                const FlushdCgroup *g = flushd_cgroup_list_get(l, i);
                const FlushdCgroup *old = prev ? previous_find(prev, flushd_cgroup_get_label(g)) : NULL;
                double rate;
                int64_t x;
                int r;

                json_section_begin(&w, g);
                json_key(&w, "grants_per_sec");
                rate = per_second(g, old, "granted", interval);
                rate < 0 ? json_null(&w) : json_double(&w, rate);
                json_key(&w, "throttles_per_sec");
                rate = per_second(g, old, "throttled", interval);
                rate < 0 ? json_null(&w) : json_double(&w, rate);
                r = flushd_cgroup_get_tokens(g, &x);
                json_optional_signed(&w, "tokens", r, x);
                json_key(&w, "time_used_nsec");
                {
                        uint64_t v;
                        if (flushd_cgroup_get_counter(g, "time_used_nsec", &v) >= 0)
                                json_uint(&w, v);
                        else
                                json_null(&w);
                }
                json_object_end(&w);
        }
        json_array_end(&w);
        json_object_end(&w);
        (void) json_finish(&w);
}

static int top_print(const FlushdCgroupList *l, const FlushdCgroupList *prev, uint64_t interval, bool tty) {
        static const char *const columns[] = {
                "SECTION", "PATH", ">GRANTS/S", ">THROTTLES/S", ">TOKENS", ">TIME-USED", NULL
        };
        _cleanup_(table_freep) Table *t = NULL;
        size_t n = flushd_cgroup_list_get_n(l);
        int r = 0;

        t = table_new(columns);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const FlushdCgroup *g = flushd_cgroup_list_get(l, i);
                const FlushdCgroup *old = prev ? previous_find(prev, flushd_cgroup_get_label(g)) : NULL;
                const char *path = flushd_cgroup_get_path(g);
                double grants = per_second(g, old, "granted", interval);
                double throttles = per_second(g, old, "throttled", interval);
                char buf[32];
                uint64_t v;
                int64_t x;

                r = table_add(t, "%s", flushd_cgroup_get_label(g));
                if (r >= 0)
                        r = table_add(t, "%s", *path ? path : "-");
                if (r >= 0)
                        r = grants < 0 ? table_add(t, "-") : table_add(t, "%.1f", grants);
                if (r >= 0)
                        r = throttles < 0 ? table_add(t, "-") : table_add(t, "%.1f", throttles);
                if (r >= 0)
                        r = flushd_cgroup_get_tokens(g, &x) >= 0 ? table_add(t, "%" PRIi64, x) : table_add(t, "-");
                if (r >= 0)
                        r = flushd_cgroup_get_counter(g, "time_used_nsec", &v) >= 0
                                ? table_add(t, "%s", format_nsec(buf, sizeof(buf), v))
                                : table_add(t, "-");
        }
        if (r < 0)
                return r;

        if (tty)
                fputs("\033[H\033[2J", stdout);         /* home, clear */
        else if (prev)
                fputc('\n', stdout);
        r = table_print(t, stdout);
        if (tty)
                fputs("\nPress q or ^C to quit.\n", stdout);
        return r;
}

int verb_top(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_cgroup_list_freep) FlushdCgroupList *prev = NULL;
        TopInput in = { .signal_fd = -EBADF };
        bool tty = !args->json && isatty(STDOUT_FILENO);
        uint64_t last = 0, deadline;
        int r, status = EXIT_SUCCESS;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;

        r = top_input_open(&in);
        if (r < 0) {
                log_error("Failed to set up signal handling: %s", flushd_strerror(r));
                top_input_close(&in);
                return EXIT_FAILURE;
        }

        deadline = now_usec(CLOCK_MONOTONIC);
        for (unsigned i = 0; args->iterations == 0 || i < args->iterations; i++) {
                _cleanup_(flushd_cgroup_list_freep) FlushdCgroupList *l = NULL;
                uint64_t now;

                if (i > 0 && top_wait(&in, deadline) > 0)
                        break;

                status = list_get(args, client, &l);
                if (status != 0)
                        break;
                now = now_usec(CLOCK_MONOTONIC);

                if (args->json)
                        top_json(l, prev, prev ? now - last : 0);
                else if (top_print(l, prev, prev ? now - last : 0, tty) < 0) {
                        log_error("Out of memory.");
                        status = EXIT_FAILURE;
                        break;
                }
                status = ctl_output_done();
                if (status != EXIT_SUCCESS)
                        break;

                flushd_cgroup_list_free(prev);
                prev = TAKE_PTR(l);
                last = now;
                deadline += 1000000;
        }

        top_input_close(&in);
        return status;
}

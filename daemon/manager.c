/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * manager.c - the daemon's state, start-up and event loop
 *
 * One sd-event loop owns the bus connection and all policy and quota state;
 * nothing here is shared with another thread. Start-up runs in a fixed
 * order: parse the command line, load the policy (an error is fatal and
 * names FILE:LINE), open the iommufd device (missing support is not fatal:
 * requests are answered NotSupported and the reason is logged once),
 * connect to the bus, publish the object and take the name. The caller
 * then sends READY=1 and runs the loop until SIGTERM/SIGINT or the bus goes
 * away.
 *
 * The policy is immutable; the buckets live beside it here, one per policy
 * section plus a global one, all refilled from CLOCK_MONOTONIC.
 */
#include <assert.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "log.h"
#include "manager.h"
#include "util/macro.h"

uint64_t manager_now(void) {
        struct timespec ts;

        /* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * QUOTA_NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        long n;

        assert(ret);

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->version = FLUSHD_VERSION;
        n = sysconf(_SC_NPROCESSORS_ONLN);
        m->n_cpus = n > 0 ? (uint32_t) n : 0;

        m->bus_address = strdup("system");
        m->config_file = strdup(FLUSHD_CONFIG_DEFAULT);
        m->device = strdup(FLUSHD_DEVICE_DEFAULT);
        if (!m->bus_address || !m->config_file || !m->device)
                return -ENOMEM;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        sd_bus_slot_unref(m->vtable_slot);
        sd_event_source_unref(m->status_timer);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        kernel_free(m->kernel);
        free(m->buckets);
        policy_free(m->policy);
        free(m->bus_address);
        free(m->config_file);
        free(m->device);
        free(m);
        return NULL;
}

static void help(void) {
        printf("Usage: flushd [OPTIONS...]\n\n"
               "Write back CPU caches for unprivileged iommufd users, by policy.\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --bus=BUS           system (default), session, or a D-Bus address\n"
               "     --config=FILE       Policy file (default: %s)\n"
               "     --device=PATH       iommufd device (default: %s)\n"
               "     --check-config      Parse the policy, report errors and exit\n",
               FLUSHD_CONFIG_DEFAULT, FLUSHD_DEVICE_DEFAULT);
}

static int set_string(char **s, const char *value) {
        char *t = strdup(value);

        if (!t)
                return log_error_errno(ENOMEM, "Out of memory.");
        free(*s);
        *s = t;
        return 0;
}

/* Returns 0 to go on, 1 to exit successfully (--help, --version), < 0 on error. */
int manager_parse_argv(Manager *m, int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_BUS,
                ARG_CONFIG,
                ARG_DEVICE,
                ARG_CHECK_CONFIG,
        };
        static const struct option options[] = {
                { "help",         no_argument,       NULL, 'h'              },
                { "version",      no_argument,       NULL, ARG_VERSION      },
                { "bus",          required_argument, NULL, ARG_BUS          },
                { "config",       required_argument, NULL, ARG_CONFIG       },
                { "device",       required_argument, NULL, ARG_DEVICE       },
                { "check-config", no_argument,       NULL, ARG_CHECK_CONFIG },
                {}
        };
        int c, r;

        assert(m);

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 1;
                case ARG_VERSION:
                        printf("flushd %s\n", FLUSHD_VERSION);
                        return 1;
                case ARG_BUS:
                        if (strcmp(optarg, "system") != 0 && strcmp(optarg, "session") != 0 &&
                            !strchr(optarg, ':'))
                                return log_error_errno(EINVAL, "--bus= takes system, session or a D-Bus "
                                                       "address such as unix:path=/run/x, not '%s'", optarg);
                        r = set_string(&m->bus_address, optarg);
                        break;
                case ARG_CONFIG:
                        r = set_string(&m->config_file, optarg);
                        break;
                case ARG_DEVICE:
                        r = set_string(&m->device, optarg);
                        break;
                case ARG_CHECK_CONFIG:
                        m->check_config = true;
                        r = 0;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        assert(false);
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc)
                return log_error_errno(EINVAL, "This program takes no positional arguments.");
        return 0;
}

int manager_load_policy(Manager *m) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ QuotaBucket *buckets = NULL;
        PolicyError error;
        uint64_t now;
        int r;

        assert(m);

        r = policy_load(m->config_file, &p, &error);
        if (r != 0) {
                /* FILE:LINE: message, as compilers do, so editors can jump there. */
                if (error.line > 0)
                        fprintf(stderr, "%s:%u: %s\n", m->config_file, error.line, error.message);
                else
                        fprintf(stderr, "%s: %s\n", m->config_file, error.message);
                return r < 0 ? r : -EINVAL;
        }

        buckets = calloc(p->n_sections, sizeof(*buckets));
        if (!buckets)
                return log_error_errno(ENOMEM, "Out of memory.");
        now = manager_now();
        for (size_t i = 0; i < p->n_sections; i++)
                quota_bucket_init(&buckets[i], &p->sections[i].limit, now);
        quota_bucket_init(&m->global, &p->global, now);

        policy_free(m->policy);
        m->policy = TAKE_PTR(p);
        free(m->buckets);
        m->buckets = TAKE_PTR(buckets);
        return 0;
}

void manager_charge_prepare(Manager *m, const PolicyMatch *match, ManagerCharge *ret) {
        ManagerCharge c = {};

        assert(m);
        assert(match);
        assert(ret);

        for (size_t i = 0; i < match->n_chain; i++) {
                c.buckets[c.n] = &m->buckets[match->chain[i]];
                c.sections[c.n++] = match->chain[i];
        }
        c.buckets[c.n] = &m->global;
        c.sections[c.n++] = SIZE_MAX;
        *ret = c;
}

#define MANAGER_STATUS_INTERVAL_USEC UINT64_C(1000000)

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        (void) sd_notifyf(false, "STATUS=Serving: %" PRIu64 " flushed, %" PRIu64 " denied, %" PRIu64 " throttled",
                          m->n_granted, m->n_denied, m->n_throttled);
        return 0;
}

/* Sending STATUS= is a syscall to the service manager: not one per request.
 * The first change arms the timer; changes until it fires ride along. */
void manager_notify_status(Manager *m) {
        int enabled;

        assert(m);

        if (!m->status_timer ||
            sd_event_source_get_enabled(m->status_timer, &enabled) < 0 || enabled != SD_EVENT_OFF)
                return;
        if (sd_event_source_set_time_relative(m->status_timer, MANAGER_STATUS_INTERVAL_USEC) < 0)
                return;
        (void) sd_event_source_set_enabled(m->status_timer, SD_EVENT_ONESHOT);
}

static int manager_connect_bus(Manager *m) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (strcmp(m->bus_address, "system") == 0)
                r = sd_bus_open_system_with_description(&bus, "flushd");
        else if (strcmp(m->bus_address, "session") == 0)
                r = sd_bus_open_user_with_description(&bus, "flushd");
        else {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, m->bus_address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, true);
                if (r >= 0)
                        r = sd_bus_negotiate_fds(bus, true);
                if (r >= 0)
                        r = sd_bus_start(bus);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m", m->bus_address);

        r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        /* If the bus goes away, so do we (systemd restarts us). */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to enable exit on disconnect: %m");

        m->bus = TAKE_PTR(bus);
        return 0;
}

int manager_start(Manager *m) {
        sigset_t mask;
        int r;

        assert(m);
        assert(m->policy);

        r = kernel_new(m->device, &m->kernel);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the kernel back end: %m");
        m->kernel_support = m->kernel->support;
        if (strcmp(m->kernel_support, "yes") != 0)
                log_warning("Kernel support: %s; Flush() will answer NotSupported.", m->kernel_support);

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");

        /* A NULL handler makes sd-event exit the loop on these signals. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to watch signals: %m");

        r = sd_event_add_time_relative(m->event, &m->status_timer, CLOCK_MONOTONIC,
                                       MANAGER_STATUS_INTERVAL_USEC, 0, on_status_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->status_timer, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the status timer: %m");

        r = manager_connect_bus(m);
        if (r < 0)
                return r;
        r = bus_add_manager(m);
        if (r < 0)
                return r;
        r = sd_bus_request_name(m->bus, FLUSH1_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", FLUSH1_BUS_NAME);
        return 0;
}

int manager_run(Manager *m) {
        int r;

        assert(m);

        /* 0 after SIGTERM/SIGINT; sd-bus exits the loop with a positive
         * code when the bus connection is lost. */
        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        if (r > 0)
                return log_error_errno(ECONNRESET, "Lost the bus connection, exiting.");
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * manager.c - the daemon's state, start-up and event loop
 *
 * One sd-event loop owns the bus connection and all policy and quota
 * state; the only other threads are worker.c's, which see nothing but
 * their jobs. Start-up runs in a fixed order: parse the command line, load
 * the policy (an error is fatal and names FILE:LINE), restore the ledger
 * from the state file, open the iommufd device (missing support is not
 * fatal: requests are answered NotSupported and the reason is logged
 * once), raise the fd limit and fix the fd budget, connect to the bus,
 * watch for departing callers, start the workers, publish the object and
 * take the name. The caller then sends READY=1 and runs the loop until
 * SIGTERM/SIGINT or the bus goes away; SIGHUP reloads the policy.
 *
 * On the way out, requests that have not reached a worker are answered
 * with a named error, those in a worker finish and are answered, and only
 * then does the connection close: no caller is left to time out.
 */
#include <assert.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "authority.h"
#include "bus.h"
#include "log.h"
#include "manager.h"
#include "request.h"
#include "sandbox.h"
#include "util/macro.h"

#define MANAGER_STATUS_INTERVAL_USEC UINT64_C(1000000)
#define MANAGER_EVICT_INTERVAL_USEC  (UINT64_C(10) * 1000000)
#define MANAGER_NOFILE_MAX           65536

uint64_t manager_now(void) {
        struct timespec ts;

        /* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * QUOTA_NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

void manager_kernel_retry(Manager *m) {
        uint64_t now = manager_now();
        int r;

        if (!m->kernel || m->kernel->fd >= 0 || now - m->kernel_retry_ns < QUOTA_NSEC_PER_SEC)
                return;
        m->kernel_retry_ns = now;
        r = kernel_reopen(m->kernel);
        /* kernel_reopen() replaced the string the property points to */
        m->kernel_support = m->kernel->support ?: "no: out of memory";
        if (r < 0)
                log_warning("Cannot open %s again: %s", m->device, strerror(-r));
        else if (r > 0)
                log_info("Opened %s after all; kernel support: %s", m->device, m->kernel_support);
}

static int backend_kernel(void *data, int fd, KernelFlags flags, KernelResult *ret) {
        return kernel_write_back(data, fd, flags, ret);
}

static int manager_add_dropin_dir(Manager *m, const char *dir) {
        char **d = reallocarray(m->dropin_dirs, m->n_dropin_dirs + 1, sizeof(char *));

        if (!d)
                return -ENOMEM;
        m->dropin_dirs = d;
        d[m->n_dropin_dirs] = strdup(dir);
        if (!d[m->n_dropin_dirs])
                return -ENOMEM;
        m->n_dropin_dirs++;
        return 0;
}

static void manager_clear_dropin_dirs(Manager *m) {
        for (size_t i = 0; i < m->n_dropin_dirs; i++)
                free(m->dropin_dirs[i]);
        m->n_dropin_dirs = 0;
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
        m->n_workers = FLUSHD_WORKERS_DEFAULT;
        m->sandbox = true;
        queue_init(&m->queue);
        list_init(&m->requests);
        event_log_init(&m->events);

        m->bus_address = strdup("system");
        m->config_file = strdup(FLUSHD_CONFIG_DEFAULT);
        m->device = strdup(FLUSHD_DEVICE_DEFAULT);
        m->state_file = strdup(FLUSHD_STATE_DEFAULT);
        if (!m->bus_address || !m->config_file || !m->device || !m->state_file)
                return -ENOMEM;
        {
                static const char *const dirs[] = POLICY_DROPIN_DIRS;

                for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                        if (manager_add_dropin_dir(m, dirs[i]) < 0)
                                return -ENOMEM;
        }

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        /* Answer everyone first: queued requests now, running ones as
         * their workers finish (worker_pool_free() hands them back). */
        request_stop_all(m);
        m->workers = worker_pool_free(m->workers);
        m->peers = peer_table_free(m->peers);
        queue_done(&m->queue);
        outbox_done(&m->outbox);

        sd_bus_slot_unref(m->vtable_slot);
        sd_event_source_unref(m->status_timer);
        sd_event_source_unref(m->evict_timer);
        sd_bus_flush_close_unref(m->bus);
        sd_bus_flush_close_unref(m->driver_bus);
        sd_event_unref(m->event);
        kernel_free(m->kernel);
        state_free(m->state);
        ledger_free(m->ledger);
        policy_free(m->policy);
        free(m->bus_address);
        free(m->config_file);
        for (size_t i = 0; i < m->n_dropin_dirs; i++)
                free(m->dropin_dirs[i]);
        free(m->dropin_dirs);
        free(m->device);
        free(m->state_file);
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
               "     --dropin-dir=DIR    A flushd.conf.d directory; repeat, lowest priority first\n"
               "                         (default: /usr/lib, /run, /etc + /flushd/flushd.conf.d)\n"
               "     --device=PATH       iommufd device (default: %s)\n"
               "     --state-file=PATH   Where bucket levels survive restarts (default: %s)\n"
               "     --workers=N         Threads that run write-backs, 1-%d (default: %d)\n"
               "     --check-config      Parse the policy, report errors and exit\n"
               "     --no-sandbox        Keep all privileges and allow all system calls\n"
               "                         (for debugging only: never in production)\n",
               FLUSHD_CONFIG_DEFAULT, FLUSHD_DEVICE_DEFAULT, FLUSHD_STATE_DEFAULT, WORKERS_MAX,
               FLUSHD_WORKERS_DEFAULT);
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
                ARG_DROPIN_DIR,
                ARG_DEVICE,
                ARG_STATE_FILE,
                ARG_WORKERS,
                ARG_CHECK_CONFIG,
                ARG_NO_SANDBOX,
        };
        static const struct option options[] = {
                { "help",         no_argument,       NULL, 'h'              },
                { "version",      no_argument,       NULL, ARG_VERSION      },
                { "bus",          required_argument, NULL, ARG_BUS          },
                { "config",       required_argument, NULL, ARG_CONFIG       },
                { "dropin-dir",   required_argument, NULL, ARG_DROPIN_DIR   },
                { "device",       required_argument, NULL, ARG_DEVICE       },
                { "state-file",   required_argument, NULL, ARG_STATE_FILE   },
                { "workers",      required_argument, NULL, ARG_WORKERS      },
                { "check-config", no_argument,       NULL, ARG_CHECK_CONFIG },
                { "no-sandbox",   no_argument,       NULL, ARG_NO_SANDBOX   },
                {}
        };
        bool dirs_given = false;
        char *end;
        unsigned long n;
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
                case ARG_DROPIN_DIR:
                        if (!dirs_given)
                                manager_clear_dropin_dirs(m);   /* the first replaces the defaults */
                        dirs_given = true;
                        r = manager_add_dropin_dir(m, optarg);
                        if (r < 0)
                                return log_error_errno(r, "Out of memory.");
                        break;
                case ARG_DEVICE:
                        r = set_string(&m->device, optarg);
                        break;
                case ARG_STATE_FILE:
                        if (optarg[0] != '/')
                                return log_error_errno(EINVAL, "--state-file= takes an absolute path, not '%s'",
                                                       optarg);
                        r = set_string(&m->state_file, optarg);
                        break;
                case ARG_WORKERS:
                        errno = 0;
                        n = strtoul(optarg, &end, 10);
                        if (errno || *end || end == optarg || n < 1 || n > WORKERS_MAX)
                                return log_error_errno(EINVAL, "--workers= takes 1 to %d, not '%s'",
                                                       WORKERS_MAX, optarg);
                        m->n_workers = (unsigned) n;
                        r = 0;
                        break;
                case ARG_CHECK_CONFIG:
                        m->check_config = true;
                        r = 0;
                        break;
                case ARG_NO_SANDBOX:
                        m->sandbox = false;
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

/* The main file and the drop-ins. On failure, text says
 * FILE:LINE:KEY: message, as compilers do, so editors can jump there. */
static int policy_read(const Manager *m, Policy **ret, char *text, size_t size) {
        PolicyError error = {};
        int r;

        r = policy_load_paths(m->config_file, (const char *const *) m->dropin_dirs, m->n_dropin_dirs, ret,
                              &error);
        if (r == 0)
                return 0;
        if (error.line > 0 && error.key[0])
                snprintf(text, size, "%s:%u:%s: %s", error.file, error.line, error.key, error.message);
        else if (error.line > 0)
                snprintf(text, size, "%s:%u: %s", error.file, error.line, error.message);
        else
                snprintf(text, size, "%s: %s", error.file[0] ? error.file : m->config_file, error.message);
        return r < 0 ? r : -EINVAL;
}

int manager_load_policy(Manager *m) {
        char text[MANAGER_ERROR_MAX];
        int r;

        assert(m);
        assert(!m->policy);
        r = policy_read(m, &m->policy, text, sizeof(text));
        if (r < 0)
                log_error("%s", text);
        return r;
}

/* A new policy and a ledger for it, carrying over what survives; on any
 * failure the old policy stays whole. */
int manager_reload(Manager *m, char *error, size_t size) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(ledger_freep) Ledger *l = NULL;
        char text[MANAGER_ERROR_MAX] = "";
        int r;

        assert(m);

        (void) sd_notify(false, "RELOADING=1\nSTATUS=Reloading the policy...");
        r = policy_read(m, &p, text, sizeof(text));
        if (r >= 0)
                r = ledger_new(p, m->ledger, m->policy, manager_now(), &l);
        if (r < 0) {
                (void) sd_notify(false, "READY=1\nSTATUS=Reload failed; serving the previous policy.");
                if (!*text)
                        snprintf(text, sizeof(text), "%s: %s", m->config_file, strerror(-r));
                if (error)
                        snprintf(error, size, "%s", text);
                log_warning("Reload failed, keeping the previous policy: %s", text);
                return r;
        }

        /* The new policy is good: a state file that cannot follow it must
         * not block it (the buckets then only live in memory). */
        if (m->state) {
                r = state_adopt(m->state, l, manager_now());
                if (r < 0) {
                        log_warning_errno(r, "Cannot write the state file %s, buckets will not survive a "
                                          "restart: %m", m->state_file);
                        m->state = state_free(m->state);
                }
        }

        policy_free(m->policy);
        m->policy = TAKE_PTR(p);
        ledger_free(m->ledger);
        m->ledger = TAKE_PTR(l);
        (void) sd_notify(false, "READY=1\nSTATUS=Serving.");
        log_info("Reloaded %s: %zu sections.", m->config_file, m->policy->n_sections);
        return 0;
}

static int on_status_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        (void) sd_notifyf(false, "STATUS=Serving: %" PRIu64 " flushed, %" PRIu64 " denied, %" PRIu64
                          " throttled, %" PRIu64 " busy",
                          m->n_granted, m->n_denied, m->n_throttled, m->n_busy);
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

static void on_user_evicted(UserBucket *u, void *userdata) {
        Manager *m = userdata;

        state_release_user(m->state, u);
}

static int on_evict_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        ledger_evict_users(m->ledger, manager_now(), on_user_evicted, m);
        (void) sd_event_source_set_time_relative(s, MANAGER_EVICT_INTERVAL_USEC);
        return 0;
}

/* Answer every request that has not reached a worker now, and leave the
 * loop once the workers are idle; sd-bus closes the connection when the
 * loop exits, so nothing may be left to answer by then. */
void manager_stop(Manager *m) {
        assert(m);

        if (!m->stopping)
                log_info("Stopping: answering %u requests in flight.", m->n_requests);
        request_stop_all(m);
        if (worker_pool_busy(m->workers) == 0)
                (void) sd_event_exit(m->event, 0);
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        manager_stop(userdata);
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        (void) manager_reload(userdata, NULL, 0);
        return 0;
}

void manager_send(Manager *m, Peer *p, sd_bus_message *reply) {
        int r;

        if (!reply)
                return;         /* the call asked for no reply */
        r = outbox_send(&m->outbox, p ? &p->outq : NULL, reply);
        if (r < 0)
                log_warning_errno(r, "Failed to send a reply, ignoring: %m");
}

void manager_sync_charge(Manager *m, const Charge *c) {
        for (size_t i = 0; i < c->n; i++) {
                state_sync_account(m->state, c->accounts[i]);
                if (c->users[i] && c->users[i] != &c->accounts[i]->overflow)
                        (void) state_sync_user(m->state, c->accounts[i], c->users[i]);
        }
}

static unsigned fds_needed(Manager *m) {
        /* Every peer record holds 2 fds (pidfd, cgroup file); every request
         * the fds its message came with and our duplicate. One more of each. */
        return 2 * (peer_table_count(m->peers) + 1) + (FLUSHD_FDS_PER_CALL_MAX + 1) * (m->n_requests + 1);
}

bool manager_fds_available(Manager *m) {
        if (fds_needed(m) <= m->fd_budget)
                return true;
        peer_table_evict(m->peers, 8);
        return fds_needed(m) <= m->fd_budget;
}

int manager_reply_busy(Manager *m, sd_bus_message *message, const char *why) {
        EventFields f = { .sender = sd_bus_message_get_sender(message), .uid = (uid_t) -1,
                          .verdict = FLUSH1_ERROR_BUSY, .tokens = INT64_MAX };
        char text[160];

        /* Refused before its cgroup was read: counted as the daemon's. */
        m->n_busy++;
        if (m->ledger) {
                m->ledger->global->counters.busy++;
                state_sync_account(m->state, m->ledger->global);
        }
        manager_notify_status(m);
        snprintf(text, sizeof(text), "%s; retry later", why);
        event_log(&m->events, EVENT_BUSY, manager_now(), &f, text);
        return bus_reply_outcome(message, REQUEST_E_BUSY, "%s", text);
}

/* As many fds as the hard limit allows (bounded), and a budget below it. */
static int manager_setup_fds(Manager *m) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return log_error_errno(errno, "Failed to read RLIMIT_NOFILE: %m");
        if (rl.rlim_cur < MANAGER_NOFILE_MAX && rl.rlim_max > rl.rlim_cur) {
                rl.rlim_cur = rl.rlim_max < MANAGER_NOFILE_MAX ? rl.rlim_max : MANAGER_NOFILE_MAX;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        log_warning_errno(errno, "Failed to raise RLIMIT_NOFILE, ignoring: %m");
                (void) getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur < 2 * FLUSHD_FD_RESERVE)
                return log_error_errno(EMFILE, "RLIMIT_NOFILE is %llu; flushd needs at least %d.",
                                       (unsigned long long) rl.rlim_cur, 2 * FLUSHD_FD_RESERVE);
        m->fd_budget = (unsigned) (rl.rlim_cur > MANAGER_NOFILE_MAX ? MANAGER_NOFILE_MAX : rl.rlim_cur) -
                       FLUSHD_FD_RESERVE;
        return 0;
}

static int bus_connect(Manager *m, const char *description, int priority, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (strcmp(m->bus_address, "system") == 0)
                r = sd_bus_open_system_with_description(&bus, description);
        else if (strcmp(m->bus_address, "session") == 0)
                r = sd_bus_open_user_with_description(&bus, description);
        else {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_description(bus, description);
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

        r = sd_bus_attach_event(bus, m->event, priority);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        /* If the bus goes away, so do we (systemd restarts us). */
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to enable exit on disconnect: %m");

        *ret = TAKE_PTR(bus);
        return 0;
}

/*
 * Two connections. Callers talk to the first, which owns the name. The
 * second only asks the bus driver who callers are and hears when they
 * leave: under a flood the bus daemon refuses to queue anything more for
 * the first connection, its own answers included, but nobody can flood
 * the second (it owns no name and serves nothing), and its messages do
 * not wait behind the first one's replies. Dispatched first, so an answer
 * about a caller is never held up by the callers.
 */
static int manager_connect_bus(Manager *m) {
        int r;

        r = bus_connect(m, "flushd", SD_EVENT_PRIORITY_NORMAL, &m->bus);
        if (r < 0)
                return r;
        return bus_connect(m, "flushd-driver", SD_EVENT_PRIORITY_IMPORTANT, &m->driver_bus);
}

static int manager_setup_ledger(Manager *m) {
        size_t restorable = 0;
        int r;

        r = ledger_new(m->policy, NULL, NULL, manager_now(), &m->ledger);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the buckets: %m");

        r = state_open(m->state_file, &m->state, &restorable);
        if (r < 0) {
                log_warning_errno(r, "Cannot use the state file %s, buckets will not survive a restart: %m",
                                  m->state_file);
                return 0;
        }
        r = state_adopt(m->state, m->ledger, manager_now());
        if (r < 0) {
                log_warning_errno(r, "Cannot write the state file %s, buckets will not survive a restart: %m",
                                  m->state_file);
                m->state = state_free(m->state);
                return 0;
        }
        if (restorable == 0)
                log_info("No saved state in %s: all buckets start empty.", m->state_file);
        else
                log_info("Restored %zu bucket records from %s.", restorable, m->state_file);
        return 0;
}

int manager_start(Manager *m) {
        static const PeerCallbacks peer_callbacks = {
                .on_settled = request_on_peer_settled,
                .on_gone = request_on_peer_gone,
        };
        PeerCallbacks callbacks = peer_callbacks;
        sigset_t mask;
        int r;

        assert(m);
        assert(m->policy);

        r = manager_setup_ledger(m);
        if (r < 0)
                return r;

        if (!m->backend) {
                r = kernel_new(m->device, &m->kernel);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the kernel back end: %m");
                m->kernel_support = m->kernel->support;
                m->kernel_retry_ns = manager_now();
                if (strcmp(m->kernel_support, "yes") != 0)
                        log_warning("Kernel support: %s; Flush() will answer NotSupported%s.", m->kernel_support,
                                    m->kernel->fd < 0 ? " until the device can be opened" : "");
                m->backend = backend_kernel;
                m->backend_data = m->kernel;
        } else
                m->kernel_support = "test double";

        r = manager_setup_fds(m);
        if (r < 0)
                return r;

        quota_bucket_init(&m->inspect_bucket,
                          &(QuotaLimit) { .tokens = REQUEST_INSPECT_RATE, .period_ns = QUOTA_NSEC_PER_SEC,
                                          .burst = REQUEST_INSPECT_BURST }, manager_now());
        quota_bucket_fill(&m->inspect_bucket);  /* not a security limit: a fair share of the loop */
        quota_bucket_init(&m->auth_bucket,
                          &(QuotaLimit) { .tokens = AUTHORITY_CHECK_RATE, .period_ns = QUOTA_NSEC_PER_SEC,
                                          .burst = AUTHORITY_CHECK_BURST }, manager_now());
        quota_bucket_fill(&m->auth_bucket);

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");
        r = sd_event_add_signal(m->event, NULL, SIGTERM, on_sigterm, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, on_sigterm, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch signals: %m");

        /* WatchdogSec=: WATCHDOG=1 from the loop itself, so a loop that
         * stops turning (SIGSTOP, a livelock) gets the daemon restarted. */
        r = sd_event_set_watchdog(m->event, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the watchdog: %m");

        r = sd_event_add_time_relative(m->event, &m->status_timer, CLOCK_MONOTONIC,
                                       MANAGER_STATUS_INTERVAL_USEC, 0, on_status_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->status_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time_relative(m->event, &m->evict_timer, CLOCK_MONOTONIC,
                                               MANAGER_EVICT_INTERVAL_USEC, 0, on_evict_timer, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the timers: %m");

        r = manager_connect_bus(m);
        if (r < 0)
                return r;

        r = outbox_init(&m->outbox, m->bus, m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the reply queue: %m");

        callbacks.userdata = m;
        r = peer_table_new(m->driver_bus, &callbacks, &m->peers);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for departing callers: %m");

        /* Everything that needs privileges is open: keep CAP_SYS_RAWIO only,
         * before any thread exists (capabilities are per thread). */
        if (m->sandbox) {
                r = sandbox_drop_privileges(FLUSHD_USER);
                if (r != 0)
                        return log_error_errno(EPERM, "Failed to drop privileges: %s", sandbox_strerror(r));
        } else
                log_warning("*** --no-sandbox: running with every privilege flushd was started with and "
                            "no system call filter. For debugging only. ***");

        r = worker_pool_new(m->event, m->n_workers, m->backend, m->backend_data, request_on_job_done, m,
                            &m->workers);
        if (r < 0)
                return log_error_errno(r, "Failed to start the worker threads: %m");

        r = bus_add_manager(m);
        if (r < 0)
                return r;
        r = sd_bus_request_name(m->bus, FLUSH1_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", FLUSH1_BUS_NAME);

        /* Last: the allow-list covers what the loop and the workers do from
         * now on, in every thread. */
        if (m->sandbox) {
                r = sandbox_load_seccomp();
                if (r != 0)
                        return log_error_errno(EPERM, "Failed to confine system calls: %s", sandbox_strerror(r));
        }
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

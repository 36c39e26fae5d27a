/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * manager.h - the daemon's state and its event loop
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "event-log.h"
#include "kernel.h"
#include "ledger.h"
#include "outbox.h"
#include "peer.h"
#include "policy.h"
#include "queue.h"
#include "state.h"
#include "worker.h"

#define FLUSHD_CONFIG_DEFAULT "/etc/flushd/flushd.conf"
#define FLUSHD_DEVICE_DEFAULT "/dev/iommu"
#define FLUSHD_WORKERS_DEFAULT 4
#define FLUSHD_FD_RESERVE 64            /* fds kept free for the bus, the state file, logging */
/* A call may carry more fds than it uses, and the message holds them all
 * until it is freed: dbus-daemon's max_message_unix_fds on the system bus. */
#define FLUSHD_FDS_PER_CALL_MAX 16
/* "FILE:LINE:KEY: message" of a policy error */
#define MANAGER_ERROR_MAX (PATH_MAX + POLICY_ERROR_KEY_MAX + POLICY_ERROR_MAX + 32)

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;                    /* serves the callers, owns the name */
        sd_bus *driver_bus;             /* asks the bus driver about them (manager.c) */
        sd_bus_slot *vtable_slot;
        sd_event_source *status_timer;  /* one-shot: sends STATUS= at most once a second */
        sd_event_source *evict_timer;   /* drops idle per-user buckets */

        /* from the command line */
        char *bus_address;              /* "system", "session" or a D-Bus address */
        char *config_file;
        char **dropin_dirs;             /* flushd.conf.d directories, lowest priority first */
        size_t n_dropin_dirs;
        char *device;
        char *state_file;
        unsigned n_workers;
        bool check_config;
        bool sandbox;                   /* false only with --no-sandbox (and in unit tests) */

        Policy *policy;                 /* immutable; replaced as a whole by a reload */
        Ledger *ledger;                 /* where each section of the policy stands */
        State *state;                   /* the ledger, kept across restarts */

        Kernel *kernel;
        uint64_t kernel_retry_ns;       /* last try to open a device that could not be opened */
        WorkerBackend backend;          /* kernel_write_back(), or a test double */
        void *backend_data;
        WorkerPool *workers;

        PeerTable *peers;
        Outbox outbox;                  /* replies, round-robin when the bus is slow */
        Queue queue;                    /* admitted requests waiting for a worker */
        ListHead requests;              /* every Request in flight */
        unsigned n_requests;
        unsigned fd_budget;             /* fds peers and requests may hold */
        bool stopping;

        EventLog events;
        QuotaBucket inspect_bucket;     /* Explain and Quota, all callers together */
        QuotaBucket auth_bucket;        /* polkit checks for non-root admin calls */

        /* D-Bus properties (read through offsetof) */
        const char *version;
        const char *kernel_support;
        uint32_t n_cpus;
        uint64_t n_granted;
        uint64_t n_denied;
        uint64_t n_throttled;
        uint64_t n_busy;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        if (*m)
                manager_free(*m);
}

int manager_parse_argv(Manager *m, int argc, char *argv[]);
int manager_load_policy(Manager *m);
int manager_start(Manager *m);
int manager_run(Manager *m);
/* Reloads the policy; on failure the old one stays and error (if not
 * NULL) says FILE:LINE: message. */
int manager_reload(Manager *m, char *error, size_t size);
/* SIGTERM: answer what is queued, finish what runs, then leave the loop. */
void manager_stop(Manager *m);

uint64_t manager_now(void);
/* The device could not be opened (e.g. started before udev gave /dev/iommu
 * to its group): try again, at most once a second. Call only while no
 * worker runs a write-back. */
void manager_kernel_retry(Manager *m);
/* Counters changed: tell the service manager soon, coalescing bursts. */
void manager_notify_status(Manager *m);
/* Room in the fd budget for one more request (and its peer record)? Evicts idle peers if need be. */
bool manager_fds_available(Manager *m);
/* Answers Busy, counts it and logs it (rate-limited). */
int manager_reply_busy(Manager *m, sd_bus_message *message, const char *why);
/* Sends a reply to the caller of p (NULL: not known), fairly. */
void manager_send(Manager *m, Peer *p, sd_bus_message *reply);
/* Persists the accounts and per-user buckets a charge touched. */
void manager_sync_charge(Manager *m, const Charge *c);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * manager.h - the daemon's state and its event loop
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "kernel.h"
#include "policy.h"
#include "quota.h"


#define FLUSHD_CONFIG_DEFAULT "/etc/flushd/flushd.conf"
#define FLUSHD_DEVICE_DEFAULT "/dev/iommu"

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *vtable_slot;
        sd_event_source *status_timer;  /* one-shot: sends STATUS= at most once a second */

        /* from the command line */
        char *bus_address;              /* "system", "session" or a D-Bus address */
        char *config_file;
        char *device;
        bool check_config;

        Policy *policy;                 /* immutable; replaced as a whole */
        QuotaBucket *buckets;           /* one per policy section, same index */
        QuotaBucket global;

        Kernel *kernel;

        /* D-Bus properties (read through offsetof) */
        const char *version;
        const char *kernel_support;
        uint32_t n_cpus;
        uint64_t n_granted;
        uint64_t n_denied;
        uint64_t n_throttled;
} Manager;

/* The sections charged for one request: those of a PolicyMatch, then global. */
typedef struct ManagerCharge {
        QuotaBucket *buckets[POLICY_DEPTH_MAX + 2];
        size_t sections[POLICY_DEPTH_MAX + 2];  /* policy index, or SIZE_MAX for global */
        size_t n;
} ManagerCharge;

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

uint64_t manager_now(void);
void manager_charge_prepare(Manager *m, const PolicyMatch *match, ManagerCharge *ret);
/* Counters changed: tell the service manager soon, coalescing bursts. */
void manager_notify_status(Manager *m);

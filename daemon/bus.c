/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus.c - the org.flushd.Flush1.Manager D-Bus interface
 *
 * Handlers only: read the arguments, validate them, identify the caller,
 * ask the policy, charge the buckets, call the kernel, reply. Each step's
 * module returns its own positive outcome code (POLICY_E_DENIED,
 * QUOTA_E_EXCEEDED, ...); bus_errors[] below is the one place that maps
 * them to D-Bus error names, so a caller can always tell denied from
 * throttled from unsupported. A negative errno is an unexpected failure: it
 * is logged once here and answered with sd-bus's errno mapping.
 *
 * Only validated requests from identified, admitted callers are charged.
 * The charge is taken before the kernel is called, so concurrent requests
 * cannot overdraw a bucket, and refunded whenever the kernel wrote nothing
 * back (not an iommufd, no kernel support, any failure): the buckets bound
 * write-backs, and a failed request caused none.
 *
 * Counters (properties): Granted counts flushes the kernel performed,
 * Denied requests the policy refused, Throttled requests over a quota.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "bus.h"
#include "identity.h"
#include "log.h"
#include "util/macro.h"

typedef struct BusErrorMap {
        int outcome;
        const char *name;
        const char *summary;
} BusErrorMap;

/* FLUSH1_ERROR_BUSY is reserved for the request queue of a later version. */
static const BusErrorMap bus_errors[] = {
        { BUS_E_INVALID_ARGS,     FLUSH1_ERROR_INVALID_ARGS,   "invalid arguments" },
        { IDENTITY_E_UNKNOWN,     FLUSH1_ERROR_ACCESS_DENIED,  "the bus did not provide the caller's pid and uid" },
        { IDENTITY_E_GONE,        FLUSH1_ERROR_ACCESS_DENIED,  "the calling process has exited" },
        { IDENTITY_E_UID_CHANGED, FLUSH1_ERROR_ACCESS_DENIED,  "the calling process changed its uid" },
        { IDENTITY_E_NO_CGROUP,   FLUSH1_ERROR_ACCESS_DENIED,  "the calling process is in no cgroup v2 hierarchy" },
        { POLICY_E_DENIED,        FLUSH1_ERROR_ACCESS_DENIED,  "no policy section allows the caller to flush" },
        { POLICY_E_ALL_CPUS_DENIED, FLUSH1_ERROR_ACCESS_DENIED, "the policy does not allow all-CPU flushes" },
        { QUOTA_E_EXCEEDED,       FLUSH1_ERROR_QUOTA_EXCEEDED, "rate limit reached" },
        { KERNEL_E_INVALID_FD,    FLUSH1_ERROR_INVALID_FD,     "not an iommufd" },
        { KERNEL_E_NO_DEVICE,     FLUSH1_ERROR_NOT_SUPPORTED,  "no iommufd device" },
        { KERNEL_E_NO_IOCTL,      FLUSH1_ERROR_NOT_SUPPORTED,  "the kernel lacks IOMMU_CACHE_WB" },
        { KERNEL_E_UNSUPPORTED,   FLUSH1_ERROR_NOT_SUPPORTED,  "not supported on this machine" },
        { KERNEL_E_NO_PRIVILEGE,  FLUSH1_ERROR_NOT_SUPPORTED,  "flushd lacks CAP_SYS_RAWIO" },
};

static const BusErrorMap *bus_error_find(int outcome) {
        for (size_t i = 0; i < ELEMENTSOF(bus_errors); i++)
                if (bus_errors[i].outcome == outcome)
                        return &bus_errors[i];
        return NULL;
}

const char *bus_error_name(int outcome) {
        const BusErrorMap *e = bus_error_find(outcome);
        return e ? e->name : NULL;
}

/* Replies with the D-Bus error of a positive outcome; format NULL uses its summary. */
__attribute__((format(printf, 3, 4)))
static int bus_reply_outcome(sd_bus_message *message, int outcome, const char *format, ...) {
        const BusErrorMap *e;
        char text[512];
        va_list ap;

        assert(outcome > 0);

        e = bus_error_find(outcome);
        if (!e)
                /* An outcome missing from the table is a bug here, not the caller's. */
                return log_error_errno(EPROTO, "BUG: outcome %d has no D-Bus error name", outcome);
        if (!format)
                return sd_bus_reply_method_errorf(message, e->name, "%s", e->summary);

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return sd_bus_reply_method_errorf(message, e->name, "%s", text);
}

static void section_describe(const Manager *m, size_t index, char *buf, size_t size) {
        const PolicySection *s;

        if (index == SIZE_MAX) {
                snprintf(buf, size, "the global rate limit ([Daemon] GlobalRate=)");
                return;
        }
        s = policy_section(m->policy, index);
        if (s->label)
                snprintf(buf, size, "cgroup section '%s'", s->label);
        else
                snprintf(buf, size, "section [Default]");
}

static int bus_identify(sd_bus_message *message, Identity **ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        pid_t pid;
        int r;

        /* On dbus-daemon these come from GetConnectionCredentials: the
         * SO_PEERCRED uid (sd-bus reports it as the EUID) and pid. */
        r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_PID | SD_BUS_CREDS_EUID, &creds);
        if (r == -ENXIO)
                return IDENTITY_E_GONE; /* the sender disconnected (NameHasNoOwner) */
        if (r < 0)
                return r;
        if (sd_bus_creds_get_euid(creds, &uid) < 0 || sd_bus_creds_get_pid(creds, &pid) < 0)
                return IDENTITY_E_UNKNOWN;
        return identity_new(pid, uid, ret);
}

static int method_flush(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(identity_freep) Identity *id = NULL;
        Manager *m = userdata;
        ManagerCharge charge;
        PolicyMatch match;
        KernelResult result;
        KernelFlags kflags = 0;
        uint64_t flags, retry_ns, ms;
        char section[128];
        size_t empty;
        int fd, r;

        assert(m);

        /* 1. read */
        r = sd_bus_message_read(message, "ht", &fd, &flags);
        if (r < 0)
                return r;

        /* 2. validate: nothing is charged for a malformed request */
        if (flags & ~FLUSH1_FLUSH_KNOWN)
                return bus_reply_outcome(message, BUS_E_INVALID_ARGS, "unknown flags 0x%" PRIx64,
                                         flags & ~FLUSH1_FLUSH_KNOWN);
        if (flags & FLUSH1_FLUSH_ALL_CPUS)
                kflags |= KERNEL_WB_ALL_CPUS;
        if (flags & FLUSH1_FLUSH_NO_INVALIDATE)
                kflags |= KERNEL_WB_NO_INVALIDATE;

        /* 3. identify */
        r = bus_identify(message, &id);
        if (r < 0)
                return log_error_errno(r, "Failed to identify the sender %s: %m",
                                       sd_bus_message_get_sender(message) ?: "?");
        if (r > 0)
                return bus_reply_outcome(message, r, NULL);

        /* 4. policy */
        policy_match(m->policy, id->cgroup, &match);
        r = policy_check(m->policy, &match, flags & FLUSH1_FLUSH_ALL_CPUS);
        if (r != 0) {
                m->n_denied++;
                manager_notify_status(m);
                section_describe(m, match.chain[0], section, sizeof(section));
                return bus_reply_outcome(message, r, "%s, which governs cgroup %s, does not allow %s",
                                         section, id->cgroup,
                                         r == POLICY_E_DENIED ? "flushes (Allow=no)" :
                                                                "all-CPU flushes (AllowAllCPUs=no)");
        }

        /* 5. charge every matching section and the global bucket, all or nothing */
        manager_charge_prepare(m, &match, &charge);
        r = quota_charge(charge.buckets, charge.n, manager_now(), &empty, &retry_ns);
        if (r != 0) {
                m->n_throttled++;
                manager_notify_status(m);
                section_describe(m, charge.sections[empty], section, sizeof(section));
                ms = (retry_ns + 999999) / 1000000;
                return bus_reply_outcome(message, r, "rate limit of %s reached; retry after %" PRIu64 ".%03" PRIu64 "s",
                                         section, ms / 1000, ms % 1000);
        }

        /* 6. kernel. Synchronous from the event loop in this version: a slow
         * write-back delays other callers until the worker pool lands. */
        r = kernel_write_back(m->kernel, fd, kflags, &result);
        if (r != 0)
                quota_refund(charge.buckets, charge.n, manager_now());
        if (r < 0)
                return log_error_errno(r, "IOMMU_CACHE_WB failed: %m");
        if (r > 0)
                return bus_reply_outcome(message, r, "%s", kernel_outcome_to_string(m->kernel, r));

        /* 7. reply */
        m->n_granted++;
        manager_notify_status(m);
        return sd_bus_reply_method_return(message, "uut", result.flushed, result.coalesced, result.nsec);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("KernelSupport", "s", NULL, offsetof(Manager, kernel_support),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CPUs", "u", NULL, offsetof(Manager, n_cpus), SD_BUS_VTABLE_PROPERTY_CONST),
        /* Counters change with every call: no PropertiesChanged for them. */
        SD_BUS_PROPERTY("Granted", "t", NULL, offsetof(Manager, n_granted), 0),
        SD_BUS_PROPERTY("Denied", "t", NULL, offsetof(Manager, n_denied), 0),
        SD_BUS_PROPERTY("Throttled", "t", NULL, offsetof(Manager, n_throttled), 0),
        SD_BUS_METHOD_WITH_ARGS("Flush",
                                SD_BUS_ARGS("h", iommufd, "t", flags),
                                SD_BUS_RESULT("u", flushed, "u", coalesced, "t", nsec),
                                method_flush,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int bus_add_manager(Manager *m) {
        int r;

        assert(m);
        assert(m->bus);

        r = sd_bus_add_object_vtable(m->bus, &m->vtable_slot, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the object vtable: %m");
        return 0;
}

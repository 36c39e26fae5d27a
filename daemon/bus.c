/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus.c - the org.flushd.Flush1.Manager D-Bus interface
 *
 * Marshalling only: the vtable, reading arguments, and the one table that
 * maps every module's positive outcome to a D-Bus error name, so that a
 * caller can always tell denied from throttled from busy from broken. The
 * pipeline of a request is request.c's. No handler waits for anything:
 * Flush either answers at once (bad arguments, Busy) or hands the message
 * to request.c, which answers it later from the loop.
 */
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "bus.h"
#include "escape.h"
#include "identity.h"
#include "kernel.h"
#include "log.h"
#include "manager.h"
#include "policy.h"
#include "quota.h"
#include "request.h"
#include "util/macro.h"

typedef struct BusErrorMap {
        int outcome;
        const char *name;
        const char *summary;
} BusErrorMap;

static const BusErrorMap bus_errors[] = {
        { BUS_E_INVALID_ARGS,       FLUSH1_ERROR_INVALID_ARGS,   "invalid arguments" },
        { IDENTITY_E_UNKNOWN,       FLUSH1_ERROR_ACCESS_DENIED,  "the bus did not provide the caller's pid and uid" },
        { IDENTITY_E_GONE,          FLUSH1_ERROR_ACCESS_DENIED,  "the process that opened this connection has exited" },
        { IDENTITY_E_UID_CHANGED,   FLUSH1_ERROR_ACCESS_DENIED,  "the calling process changed its uid" },
        { IDENTITY_E_NO_CGROUP,     FLUSH1_ERROR_ACCESS_DENIED,  "the calling process is in no cgroup v2 hierarchy" },
        { POLICY_E_DENIED,          FLUSH1_ERROR_ACCESS_DENIED,  "no policy section allows the caller to flush" },
        { POLICY_E_ALL_CPUS_DENIED, FLUSH1_ERROR_ACCESS_DENIED,  "the policy does not allow all-CPU flushes" },
        { POLICY_E_USER_DENIED,     FLUSH1_ERROR_ACCESS_DENIED,  "the policy does not allow this user or group to flush" },
        { QUOTA_E_EXCEEDED,         FLUSH1_ERROR_QUOTA_EXCEEDED, "rate limit reached" },
        { KERNEL_E_INVALID_FD,      FLUSH1_ERROR_INVALID_FD,     "not an iommufd" },
        { KERNEL_E_NO_DEVICE,       FLUSH1_ERROR_NOT_SUPPORTED,  "no iommufd device" },
        { KERNEL_E_NO_IOCTL,        FLUSH1_ERROR_NOT_SUPPORTED,  "the kernel lacks IOMMU_CACHE_WB" },
        { KERNEL_E_UNSUPPORTED,     FLUSH1_ERROR_NOT_SUPPORTED,  "not supported on this machine" },
        { KERNEL_E_NO_PRIVILEGE,    FLUSH1_ERROR_NOT_SUPPORTED,  "flushd lacks CAP_SYS_RAWIO" },
        { REQUEST_E_BUSY,           FLUSH1_ERROR_BUSY,           "too many requests in flight; retry" },
        { REQUEST_E_STOPPING,       FLUSH1_ERROR_BUSY,           "flushd is stopping; retry once it is back" },
        { REQUEST_E_RESOURCES,      FLUSH1_ERROR_BUSY,           "flushd is short of resources; retry" },
        { REQUEST_E_KERNEL,         FLUSH1_ERROR_KERNEL,         "the kernel failed the write-back" },
        { REQUEST_E_IDENTITY,       FLUSH1_ERROR_ACCESS_DENIED,  "the caller's process could not be inspected" },
        { REQUEST_E_NOT_ROOT,       FLUSH1_ERROR_ACCESS_DENIED,  "this method is for root, or whom polkit allows" },
        { REQUEST_E_INVALID_POLICY, FLUSH1_ERROR_INVALID_POLICY, "the policy has an error; the previous one stays" },
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

int bus_new_outcome(sd_bus_message *message, int outcome, sd_bus_message **ret, const char *format, va_list ap) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const BusErrorMap *e;
        char text[1024];

        assert(outcome > 0);
        assert(ret);

        *ret = NULL;
        e = bus_error_find(outcome);
        if (!e)
                /* An outcome missing from the table is a bug here, not the caller's. */
                return log_error_errno(EPROTO, "BUG: outcome %d has no D-Bus error name", outcome);
        if (!sd_bus_message_get_expect_reply(message))
                return 0;
        if (format)
                vsnprintf(text, sizeof(text), format, ap);
        sd_bus_error_set_const(&error, e->name, format ? text : e->summary);
        return sd_bus_message_new_method_error(message, ret, &error);
}

int bus_reply_outcome(sd_bus_message *message, int outcome, const char *format, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = bus_new_outcome(message, outcome, &reply, format, ap);
        va_end(ap);
        if (r >= 0 && reply)
                /* The caller may be gone, or its queue full: nothing to do about it. */
                (void) sd_bus_send(NULL, reply, NULL);
        return r < 0 ? r : 1;
}

static int method_flush(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint64_t flags;
        int fd, r;

        assert(m);

        /* read: sd-bus checked the signature; "h" is the caller's fd, owned by message */
        r = sd_bus_message_read(message, "ht", &fd, &flags);
        if (r < 0)
                return bus_reply_outcome(message, BUS_E_INVALID_ARGS, "cannot read the arguments: %s",
                                         strerror(-r));

        /* validate: nothing is charged for a malformed request */
        if (flags & ~FLUSH1_FLUSH_KNOWN)
                return bus_reply_outcome(message, BUS_E_INVALID_ARGS, "unknown flags 0x%" PRIx64,
                                         flags & ~FLUSH1_FLUSH_KNOWN);

        r = request_start(m, message, REQUEST_FLUSH, fd, flags);
        return r < 0 ? 0 : r;   /* whatever went wrong was answered or logged */
}

static int method_explain(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(message, "t", &flags);
        if (r < 0)
                return bus_reply_outcome(message, BUS_E_INVALID_ARGS, "cannot read the arguments: %s",
                                         strerror(-r));
        if (flags & ~FLUSH1_FLUSH_KNOWN) {
                char reason[64];

                snprintf(reason, sizeof(reason), "unknown flags 0x%" PRIx64, flags & ~FLUSH1_FLUSH_KNOWN);
                return sd_bus_reply_method_return(message, "sa{sv}", "invalid", 2,
                                                  "error", "s", FLUSH1_ERROR_INVALID_ARGS, "reason", "s", reason);
        }
        r = request_start(m, message, REQUEST_EXPLAIN, -EBADF, flags);
        return r < 0 ? 0 : r;
}

static int method_quota(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        int r = request_start(userdata, message, REQUEST_QUOTA, -EBADF, 0);
        return r < 0 ? 0 : r;
}

static int method_reload(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        int r = request_start(userdata, message, REQUEST_RELOAD, -EBADF, 0);
        return r < 0 ? 0 : r;
}

static int method_list_cgroups(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        int r = request_start(userdata, message, REQUEST_LIST_CGROUPS, -EBADF, 0);
        return r < 0 ? 0 : r;
}

static int property_get_policy_files(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && m->policy && i < m->policy->n_files; i++) {
                char name[PATH_MAX * 4 + 1];

                /* sd-bus refuses strings that are not valid UTF-8 */
                r = sd_bus_message_append(reply, "s", escape_utf8(m->policy->files[i], name, sizeof(name)));
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("KernelSupport", "s", NULL, offsetof(Manager, kernel_support),
                        SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CPUs", "u", NULL, offsetof(Manager, n_cpus), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PolicyFiles", "as", property_get_policy_files, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        /* Counters change with every call: no PropertiesChanged for them. */
        SD_BUS_PROPERTY("Granted", "t", NULL, offsetof(Manager, n_granted), 0),
        SD_BUS_PROPERTY("Denied", "t", NULL, offsetof(Manager, n_denied), 0),
        SD_BUS_PROPERTY("Throttled", "t", NULL, offsetof(Manager, n_throttled), 0),
        SD_BUS_PROPERTY("Busy", "t", NULL, offsetof(Manager, n_busy), 0),
        SD_BUS_METHOD_WITH_ARGS("Flush",
                                SD_BUS_ARGS("h", iommufd, "t", flags),
                                SD_BUS_RESULT("u", flushed, "u", coalesced, "t", nsec),
                                method_flush,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Explain",
                                SD_BUS_ARGS("t", flags),
                                SD_BUS_RESULT("s", verdict, "a{sv}", details),
                                method_explain,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Quota",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", quota),
                                method_quota,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        /* Root only, checked by request.c against the connection's uid
         * once it is known. Still UNPRIVILEGED here: without the flag,
         * sd-bus checks privileges itself with a synchronous credentials
         * call, which would block the loop. */
        SD_BUS_METHOD_WITH_ARGS("Reload",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_reload,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListCgroups",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(sa{sv})", sections),
                                method_list_cgroups,
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

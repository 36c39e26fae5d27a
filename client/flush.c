/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flush.c - the bus side of libflushd: connect, call Flush, read the answer
 *
 * A FlushdClient is one sd-bus connection that can pass file descriptors
 * (the iommufd travels as a D-Bus 'h'). sd-bus objects are not thread-safe,
 * and messages hold a reference to their bus, so every use of the connection,
 * from building the call to freeing the reply, happens under the client's
 * mutex; threads that want to flush concurrently open a client each. The
 * daemon's answer is either (u flushed, u coalesced, t nsec) or a D-Bus
 * error, which error.c turns into a return code; its name and message are
 * handed out on request, since a QuotaExceeded message says when to retry.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus/flush1.h"
#include "flushd.h"
#include "libflushd-internal.h"
#include "util/macro.h"

/* flushd.h is installed on its own, so it spells the flags out. */
_Static_assert(FLUSHD_FLUSH_ALL_CPUS == FLUSH1_FLUSH_ALL_CPUS, "Flush flag drift");
_Static_assert(FLUSHD_FLUSH_NO_INVALIDATE == FLUSH1_FLUSH_NO_INVALIDATE, "Flush flag drift");

struct FlushdClient {
        pthread_mutex_t lock;   /* serializes all use of bus */
        sd_bus *bus;
};

/* Takes over *bus once the connection is known to carry fds. */
static int client_new(FlushdClient **ret, sd_bus **bus) {
        FlushdClient *c;
        int r;

        r = sd_bus_can_send(*bus, SD_BUS_TYPE_UNIX_FD);
        if (r < 0)
                return r;
        if (r == 0)
                return -EOPNOTSUPP;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;

        r = pthread_mutex_init(&c->lock, NULL);
        if (r != 0) {
                free(c);
                return -r;
        }

        c->bus = TAKE_PTR(*bus);
        *ret = c;
        return 0;
}

int flushd_open(FlushdClient **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (!ret)
                return -EINVAL;

        /* sd-bus negotiates fd passing by default; client_new() checks it. */
        r = sd_bus_open_system_with_description(&bus, "libflushd");
        if (r < 0)
                return r;

        return client_new(ret, &bus);
}

int flushd_open_address(FlushdClient **ret, const char *address) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (!ret || !address)
                return -EINVAL;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;

        r = sd_bus_set_description(bus, "libflushd");
        if (r < 0)
                return r;

        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;

        r = sd_bus_set_bus_client(bus, 1);
        if (r < 0)
                return r;

        r = sd_bus_negotiate_fds(bus, 1);
        if (r < 0)
                return r;

        r = sd_bus_start(bus);
        if (r < 0)
                return r;

        return client_new(ret, &bus);
}

FlushdClient *flushd_close(FlushdClient *c) {
        if (!c)
                return NULL;

        sd_bus_flush_close_unref(c->bus);
        (void) pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
}

static void error_hand_out(const sd_bus_error *e, char **ret_name, char **ret_message) {
        if (!sd_bus_error_is_set(e))
                return;

        /* Best effort: without memory the caller still gets the return code. */
        if (ret_name)
                *ret_name = strdup(e->name);
        if (ret_message && e->message)
                *ret_message = strdup(e->message);
}

static int client_flush_locked(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret,
                               char **ret_error_name, char **ret_error_message) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint32_t flushed, coalesced;
        uint64_t nsec;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                           FLUSH1_INTERFACE, "Flush");
        if (r < 0)
                return r;

        /* sd-bus duplicates the fd here; a closed fd fails with -EBADF. */
        r = sd_bus_message_append(m, "ht", iommufd, flags);
        if (r < 0)
                return r;

        r = sd_bus_call(c->bus, m, 0, &error, &reply);
        if (r < 0) {
                error_hand_out(&error, ret_error_name, ret_error_message);
                return error_from_bus(&error, r);
        }

        if (!sd_bus_message_has_signature(reply, "uut"))
                return -EBADMSG;

        r = sd_bus_message_read(reply, "uut", &flushed, &coalesced, &nsec);
        if (r < 0)
                return r;

        if (ret)
                *ret = (FlushdResult) {
                        .flushed = flushed,
                        .coalesced = coalesced,
                        .nsec = nsec,
                };
        return 0;
}

int flushd_flush_full(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret,
                      char **ret_error_name, char **ret_error_message) {
        int r;

        if (ret_error_name)
                *ret_error_name = NULL;
        if (ret_error_message)
                *ret_error_message = NULL;

        if (!c)
                return -EINVAL;
        if (iommufd < 0)
                return -EBADF;

        r = pthread_mutex_lock(&c->lock);
        if (r != 0)
                return -r;

        r = client_flush_locked(c, iommufd, flags, ret, ret_error_name, ret_error_message);

        (void) pthread_mutex_unlock(&c->lock);
        return r;
}

int flushd_flush(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret) {
        return flushd_flush_full(c, iommufd, flags, ret, NULL, NULL);
}

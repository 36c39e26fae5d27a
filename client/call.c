/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * call.c - libflushd's connection: open, close, and one method call at a time
 *
 * A FlushdClient is one sd-bus connection that can pass file descriptors
 * (the iommufd travels as a D-Bus 'h'). sd-bus objects are not thread-safe,
 * and messages hold a reference to their bus, so every use of the connection,
 * from building the call to freeing the reply, happens under the client's
 * mutex in client_call(); threads that want to call concurrently open a
 * client each. A reply is either of the expected signature, then a parser
 * turns it into plain C data before the lock is dropped, or a D-Bus error,
 * which error.c turns into a return code and, on request, a FlushdError.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "bus/flush1.h"
#include "flushd.h"
#include "libflushd-internal.h"
#include "util/macro.h"

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

static int client_call_locked(FlushdClient *c, const char *interface, const char *member,
                              const char *reply_signature, ReplyParser parse, void *userdata,
                              FlushdError **ret_error, const char *types, va_list ap) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                           interface, member);
        if (r < 0)
                return r;

        /* sd-bus duplicates an 'h' fd here; a closed fd fails with -EBADF. */
        if (types) {
                r = sd_bus_message_appendv(m, types, ap);
                if (r < 0)
                        return r;
        }

        r = sd_bus_call(c->bus, m, 0, &error, &reply);
        if (r < 0) {
                r = error_from_bus(&error, r);
                if (ret_error && sd_bus_error_is_set(&error))
                        *ret_error = error_new(&error, r);
                return r;
        }

        if (!sd_bus_message_has_signature(reply, reply_signature))
                return -EBADMSG;

        return parse ? parse(reply, userdata) : 0;
}

int client_call(FlushdClient *c, const char *interface, const char *member,
                const char *reply_signature, ReplyParser parse, void *userdata,
                FlushdError **ret_error, const char *types, ...) {
        va_list ap;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!c)
                return -EINVAL;

        r = pthread_mutex_lock(&c->lock);
        if (r != 0)
                return -r;

        va_start(ap, types);
        r = client_call_locked(c, interface, member, reply_signature, parse, userdata,
                               ret_error, types, ap);
        va_end(ap);

        (void) pthread_mutex_unlock(&c->lock);
        return r;
}

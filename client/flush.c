/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flush.c - the Flush method: hand an iommufd to flushd, read (u, u, t)
 *
 * The daemon's answer is either (u flushed, u coalesced, t nsec) or a D-Bus
 * error, which error.c turns into a return code; its name and message are
 * handed out on request, since a QuotaExceeded message says when to retry.
 */
#include <errno.h>
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

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdError *, flushd_error_free);

static int flush_reply(sd_bus_message *reply, void *userdata) {
        FlushdResult *ret = userdata;
        uint32_t flushed, coalesced;
        uint64_t nsec;
        int r;

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

int flushd_flush_ex(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret,
                    FlushdError **ret_error) {
        if (ret_error)
                *ret_error = NULL;
        if (!c)
                return -EINVAL;
        if (iommufd < 0)
                return -EBADF;

        return client_call(c, FLUSH1_INTERFACE, "Flush", "uut", flush_reply, ret, ret_error,
                           "ht", iommufd, flags);
}

int flushd_flush_full(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret,
                      char **ret_error_name, char **ret_error_message) {
        _cleanup_(flushd_error_freep) FlushdError *e = NULL;
        int r;

        if (ret_error_name)
                *ret_error_name = NULL;
        if (ret_error_message)
                *ret_error_message = NULL;

        r = flushd_flush_ex(c, iommufd, flags, ret,
                            ret_error_name || ret_error_message ? &e : NULL);

        /* Best effort: without memory the caller still gets the return code. */
        if (e && ret_error_name)
                *ret_error_name = strdup(flushd_error_get_name(e));
        if (e && ret_error_message && *flushd_error_get_message(e))
                *ret_error_message = strdup(flushd_error_get_message(e));
        return r;
}

int flushd_flush(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret) {
        return flushd_flush_ex(c, iommufd, flags, ret, NULL);
}

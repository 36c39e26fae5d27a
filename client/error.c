/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.c - libflushd's error codes: D-Bus error names in, descriptions out
 *
 * A caller must be able to tell "denied" from "throttled" from "broken", so
 * every error name flushd defines, plus the bus's "nobody owns that name"
 * and "the bus policy refuses this call", maps to its own FLUSHD_E_* code
 * through the one table below. A FlushdError keeps the name and message
 * for the caller, and reads the retry-after time out of a QuotaExceeded
 * message. Any other
 * D-Bus error keeps the errno sd-bus assigns to its name (-EIO if it has
 * none); failures that never reached the bus pass through unchanged.
 * FLUSHD_E_* start at 4096, above every errno, so one int carries both.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bus/flush1.h"
#include "flushd.h"
#include "libflushd-internal.h"
#include "util/macro.h"

typedef struct ErrorMap {
        const char *name;
        int code;
        const char *description;
} ErrorMap;

static const ErrorMap error_map[] = {
        { FLUSH1_ERROR_ACCESS_DENIED, FLUSHD_E_ACCESS_DENIED,  "Access denied by flushd policy" },
        { FLUSH1_ERROR_QUOTA_EXCEEDED, FLUSHD_E_QUOTA_EXCEEDED, "Flush quota exceeded, retry later" },
        { FLUSH1_ERROR_INVALID_FD, FLUSHD_E_INVALID_FD,     "File descriptor is not an iommufd" },
        { FLUSH1_ERROR_NOT_SUPPORTED, FLUSHD_E_NOT_SUPPORTED,  "Kernel lacks cache write-back support" },
        { FLUSH1_ERROR_BUSY, FLUSHD_E_BUSY,           "flushd is busy, retry later" },
        { FLUSH1_ERROR_INVALID_ARGS, FLUSHD_E_INVALID_ARGS,   "Invalid arguments to flushd" },
        { FLUSH1_ERROR_KERNEL, FLUSHD_E_KERNEL,          "The kernel failed the write-back" },
        { FLUSH1_ERROR_INVALID_POLICY, FLUSHD_E_INVALID_POLICY, "flushd policy file has an error" },
        { "org.freedesktop.DBus.Error.AccessDenied", FLUSHD_E_BUS_ACCESS_DENIED,
          "The bus policy refused the call to flushd" },
        { "org.freedesktop.DBus.Error.ServiceUnknown", FLUSHD_E_NO_DAEMON,  "flushd is not running on the bus" },
        { "org.freedesktop.DBus.Error.NameHasNoOwner", FLUSHD_E_NO_DAEMON,  "flushd is not running on the bus" },
};

int error_code_from_bus_name(const char *name) {
        if (!name)
                return 0;

        for (size_t i = 0; i < ELEMENTSOF(error_map); i++)
                if (strcmp(error_map[i].name, name) == 0)
                        return error_map[i].code;

        return 0;
}

int error_from_bus(const sd_bus_error *e, int r) {
        int code;

        if (!sd_bus_error_is_set(e))
                return r < 0 ? r : -EIO;

        code = error_code_from_bus_name(e->name);
        if (code > 0)
                return -code;

        code = sd_bus_error_get_errno(e);
        return code > 0 ? -code : -EIO;
}

const char *flushd_strerror(int r) {
        const char *s;

        if (r >= 0)
                return "Success";
        if (r == INT_MIN)
                return "Unknown error";

        for (size_t i = 0; i < ELEMENTSOF(error_map); i++)
                if (error_map[i].code == -r)
                        return error_map[i].description;

        /* strerrordesc_np() returns a constant string, unlike strerror(). */
        s = strerrordesc_np(-r);
        return s ?: "Unknown error";
}

struct FlushdError {
        char *name;
        char *message;
        int code;
};

FlushdError *error_new(const sd_bus_error *e, int code) {
        FlushdError *err;

        err = calloc(1, sizeof(*err));
        if (!err)
                return NULL;

        err->name = strdup(e->name);
        err->message = strdup(e->message ?: "");
        if (!err->name || !err->message)
                return flushd_error_free(err);
        err->code = code;
        return err;
}

FlushdError *flushd_error_free(FlushdError *e) {
        if (!e)
                return NULL;
        free(e->name);
        free(e->message);
        free(e);
        return NULL;
}

const char *flushd_error_get_name(const FlushdError *e) {
        return e ? e->name : "";
}

const char *flushd_error_get_message(const FlushdError *e) {
        return e ? e->message : "";
}

int flushd_error_get_code(const FlushdError *e) {
        return e ? e->code : -EINVAL;
}

/* "retry after S.FFFs": seconds, then up to six decimals. */
int flushd_error_get_retry_after(const FlushdError *e, uint64_t *ret_usec) {
        static const char marker[] = "retry after ";
        const char *p;
        uint64_t sec = 0, frac = 0, scale = 1000000;

        if (!e || !ret_usec)
                return -EINVAL;

        p = strstr(e->message, marker);
        if (!p)
                return -ENODATA;
        p += strlen(marker);
        if (*p < '0' || *p > '9')
                return -ENODATA;

        for (; *p >= '0' && *p <= '9'; p++) {
                if (sec > UINT64_MAX / 10000000)
                        return -ENODATA;
                sec = sec * 10 + (uint64_t) (*p - '0');
        }
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (uint64_t) (*p - '0') * scale;
                        }
        if (*p != 's')
                return -ENODATA;

        *ret_usec = sec * 1000000 + frac;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl-common.c - what every flushctl verb does the same way
 *
 * One exit status per outcome libflushd tells apart (the table below is the
 * only place that maps codes to statuses), one way to connect, and one way
 * to report a failure: "flushctl: ERROR-NAME: MESSAGE" when the daemon or
 * the bus answered with an error, "flushctl: WHAT failed: DESCRIPTION"
 * otherwise, always on standard error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "flushctl.h"

static const struct {
        int code;
        int status;
} exit_map[] = {
        { FLUSHD_E_ACCESS_DENIED,     EXIT_ACCESS_DENIED  },
        { FLUSHD_E_BUS_ACCESS_DENIED, EXIT_ACCESS_DENIED  },
        { FLUSHD_E_QUOTA_EXCEEDED,    EXIT_QUOTA_EXCEEDED },
        { FLUSHD_E_INVALID_FD,        EXIT_INVALID_FD     },
        { FLUSHD_E_NOT_SUPPORTED,     EXIT_NOT_SUPPORTED  },
        { FLUSHD_E_BUSY,              EXIT_BUSY           },
        { FLUSHD_E_INVALID_ARGS,      EXIT_INVALID_ARGS   },
        { FLUSHD_E_NO_DAEMON,         EXIT_NO_DAEMON      },
        { FLUSHD_E_KERNEL,            EXIT_KERNEL         },
        { FLUSHD_E_INVALID_POLICY,    EXIT_INVALID_POLICY },
};

int exit_status_from(int r) {
        for (size_t i = 0; i < ELEMENTSOF(exit_map); i++)
                if (-r == exit_map[i].code)
                        return exit_map[i].status;
        return EXIT_FAILURE;
}

void log_errorv(const char *fmt, va_list ap) {
        fprintf(stderr, "%s: ", program_invocation_short_name);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void log_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_errorv(fmt, ap);
        va_end(ap);
}

int ctl_connect(const Args *args, FlushdClient **ret) {
        int r;

        if (args->bus_address)
                r = flushd_open_address(ret, args->bus_address);
        else
                r = flushd_open(ret);
        if (r < 0) {
                log_error("Failed to connect to %s: %s",
                          args->bus_address ?: "the system bus", flushd_strerror(r));
                return EXIT_FAILURE;
        }
        return 0;
}

int ctl_failed(const char *what, int r, const FlushdError *e) {
        if (e)
                log_error("%s: %s", flushd_error_get_name(e),
                          *flushd_error_get_message(e) ? flushd_error_get_message(e) : flushd_strerror(r));
        else
                log_error("%s failed: %s", what, flushd_strerror(r));
        return exit_status_from(r);
}

int ctl_output_done(void) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
                log_error("Failed to write the output: %m");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

const char *format_usec(char *buf, size_t size, uint64_t usec) {
        snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", usec / 1000000, usec / 1000 % 1000);
        return buf;
}

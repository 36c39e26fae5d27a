/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h - the daemon's logging: one line on stderr per event
 *
 * Only manager.c, bus.c and flushd.c log; the pure modules (policy, quota,
 * identity, kernel) return codes and let their caller decide. The *_errno()
 * forms take a negative (or positive) errno r, make "%m" print strerror(|r|)
 * and return -|r|, so a failure is logged and passed on in one statement:
 *
 *         return log_error_errno(r, "Failed to connect to bus: %m");
 *
 * Under systemd stderr goes to the journal, so no timestamps are added.
 */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((format(printf, 3, 4)))
static inline int log_full_errno(const char *level, int r, const char *format, ...) {
        va_list ap;

        /* glibc's %m prints strerror(errno). */
        errno = abs(r);
        fprintf(stderr, "flushd: %s", level);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        return -abs(r);
}

#define log_error_errno(r, ...)   log_full_errno("", (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_full_errno("warning: ", (r), __VA_ARGS__)
#define log_error(...)            ((void) log_full_errno("", 0, __VA_ARGS__))
#define log_warning(...)          ((void) log_full_errno("warning: ", 0, __VA_ARGS__))
#define log_info(...)             ((void) log_full_errno("", 0, __VA_ARGS__))

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl.h - what flushctl's verbs share: parsed arguments, exit codes, helpers
 *
 * flushctl.c parses the command line into Args and dispatches to one
 * verb_*() function; each flushctl-<group>.c holds a group of verbs, and
 * flushctl-common.c the helpers they share (connecting, reporting a
 * failure with the right exit status).
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "flushd.h"
#include "util/macro.h"

#define _printf_(a, b) __attribute__((format(printf, a, b)))

/* Exit statuses; documented in flushctl(1) and --help. */
enum {
        EXIT_USAGE = 2,
        EXIT_ACCESS_DENIED = 3,         /* also the bus policy's refusal */
        EXIT_QUOTA_EXCEEDED = 4,
        EXIT_INVALID_FD = 5,
        EXIT_NOT_SUPPORTED = 6,
        EXIT_BUSY = 7,
        EXIT_INVALID_ARGS = 8,
        EXIT_NO_DAEMON = 9,
        EXIT_KERNEL = 10,
        EXIT_INVALID_POLICY = 11,
};

typedef struct Args {
        int fd;                 /* --fd=N, or -EBADF */
        uint64_t flush_flags;   /* FLUSHD_FLUSH_* */
        unsigned track_flags;   /* FLUSHD_TRACK_* */
        const char *bus_address;
        bool json;
        unsigned iterations;    /* top: 0 runs until q or a signal */
        unsigned seen;          /* OPT() of every option given */
        char **command;         /* the words after the verb's options */
} Args;

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdClient *, flushd_close);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdError *, flushd_error_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdExplain *, flushd_explain_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdQuota *, flushd_quota_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdCgroupList *, flushd_cgroup_list_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdStatus *, flushd_status_free);

/* flushctl-common.c */
int exit_status_from(int r);
_printf_(1, 2) void log_error(const char *fmt, ...);
_printf_(1, 0) void log_errorv(const char *fmt, va_list ap);
/* Connects to --bus=ADDRESS or the system bus; 0 or an exit status (after a message). */
int ctl_connect(const Args *args, FlushdClient **ret);
/* Reports a failed call (what: "Explain") and returns its exit status. */
int ctl_failed(const char *what, int r, const FlushdError *e);
/* Flushes stdout; EXIT_SUCCESS, or EXIT_FAILURE after a message. */
int ctl_output_done(void);
/* "1.250s" for microseconds, into buf. */
const char *format_usec(char *buf, size_t size, uint64_t usec);

/* The verbs: each returns the exit status. */
int verb_flush(const Args *args);               /* flushctl-flush.c */
int verb_track_exec(const Args *args);
int verb_explain(const Args *args);             /* flushctl-explain.c */
int verb_quota(const Args *args);
int verb_status(const Args *args);              /* flushctl-admin.c */
int verb_reload(const Args *args);
int verb_check_config(const Args *args);
int verb_stats(const Args *args);               /* flushctl-stats.c */
int verb_top(const Args *args);

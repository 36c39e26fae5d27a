/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event-log.h - one structured journal record per refused request, rate-limited
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

typedef enum EventKind {
        EVENT_DENIED,
        EVENT_THROTTLED,
        EVENT_BUSY,
        EVENT_KERNEL_FAILURE,
        _EVENT_MAX,
} EventKind;

#define EVENT_BURST 10                          /* records per kind per window */
#define EVENT_WINDOW_NS (UINT64_C(5) * 1000000000)

typedef struct EventFields {
        const char *sender;
        uid_t uid;
        pid_t pid;
        const char *cgroup;                     /* escaped, valid UTF-8 */
        const char *section;                    /* label, "[Default]" or "[Daemon]" */
        const char *verdict;                    /* the D-Bus error name */
        int64_t tokens;                         /* of the bucket that decided; INT64_MAX if none */
} EventFields;

typedef struct EventLog {
        struct {
                uint64_t window_start_ns;
                unsigned n;
                uint64_t suppressed;
        } kinds[_EVENT_MAX];
        int to_journal;                         /* stderr is the journal's stream: send records there */
} EventLog;

void event_log_init(EventLog *e);
/* Logs one event of kind with its fields and a message, unless the kind
 * used up its burst in this window; the first record of the next window
 * says how many were suppressed. */
void event_log(EventLog *e, EventKind kind, uint64_t now_ns, const EventFields *f, const char *message);

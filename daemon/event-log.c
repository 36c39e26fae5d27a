/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event-log.c - one structured journal record per refused request, rate-limited
 *
 * A refused request is worth a record an admin can filter on (journalctl
 * MESSAGE_ID=..., FLUSHD_UID=1000, FLUSHD_SECTION=gpu), but a caller
 * choosing to be refused a million times must not write a million records.
 * So each kind (denied, throttled, busy, kernel failure) has a fixed
 * MESSAGE_ID and may log EVENT_BURST records per EVENT_WINDOW_NS; the
 * rest are counted, and the first record of the next window is preceded by
 * one line saying how many were suppressed.
 *
 * Records go to the journal with sd_journal_send() when stderr is the
 * journal's stream (JOURNAL_STREAM, as systemd sets it), and to stderr as
 * one line otherwise (the busybox guest, a terminal), never both.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "event-log.h"
#include "util/macro.h"

static const struct {
        const char *name;
        const char *message_id;
        int priority;
} kinds[_EVENT_MAX] = {
        [EVENT_DENIED]         = { "denied",         "6b0c3e1f4a2d4e8b9c7f1a2b3c4d5e01", LOG_NOTICE },
        [EVENT_THROTTLED]      = { "throttled",      "6b0c3e1f4a2d4e8b9c7f1a2b3c4d5e02", LOG_INFO },
        [EVENT_BUSY]           = { "busy",           "6b0c3e1f4a2d4e8b9c7f1a2b3c4d5e03", LOG_WARNING },
        [EVENT_KERNEL_FAILURE] = { "kernel failure", "6b0c3e1f4a2d4e8b9c7f1a2b3c4d5e04", LOG_ERR },
};

void event_log_init(EventLog *e) {
        const char *s = getenv("JOURNAL_STREAM");
        unsigned long dev, ino;
        struct stat st;

        *e = (EventLog) {};
        /* "DEVICE:INODE" of the journal stream; only if stderr still is it. */
        e->to_journal = s && sscanf(s, "%lu:%lu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                        st.st_dev == dev && st.st_ino == ino;
}

static void emit(const EventLog *e, EventKind kind, const EventFields *f, const char *message) {
        char tokens[32] = "";

        if (f->tokens != INT64_MAX)
                snprintf(tokens, sizeof(tokens), "%" PRIi64, f->tokens);
        if (e->to_journal) {
                sd_journal_send("MESSAGE=%s", message,
                                "MESSAGE_ID=%s", kinds[kind].message_id,
                                "PRIORITY=%d", kinds[kind].priority,
                                "FLUSHD_EVENT=%s", kinds[kind].name,
                                "FLUSHD_SENDER=%s", f->sender ?: "",
                                "FLUSHD_UID=%d", (int) f->uid,
                                "FLUSHD_PID=%d", (int) f->pid,
                                "FLUSHD_CGROUP=%s", f->cgroup ?: "",
                                "FLUSHD_SECTION=%s", f->section ?: "",
                                "FLUSHD_VERDICT=%s", f->verdict ?: "",
                                "FLUSHD_TOKENS=%s", tokens,
                                NULL);
                return;
        }
        fprintf(stderr, "flushd: %s: %s (sender=%s uid=%d pid=%d cgroup=%s section=%s%s%s)\n",
                kinds[kind].name, message, f->sender ?: "?", (int) f->uid, (int) f->pid,
                f->cgroup ?: "?", f->section ?: "-", *tokens ? " tokens=" : "", tokens);
}

static void emit_summary(const EventLog *e, EventKind kind, uint64_t n) {
        char message[128];

        snprintf(message, sizeof(message), "Suppressed %" PRIu64 " '%s' records in the last %" PRIu64 " s",
                 n, kinds[kind].name, EVENT_WINDOW_NS / 1000000000);
        if (e->to_journal)
                sd_journal_send("MESSAGE=%s", message, "MESSAGE_ID=%s", kinds[kind].message_id,
                                "PRIORITY=%d", LOG_NOTICE, "FLUSHD_EVENT=%s", kinds[kind].name,
                                "FLUSHD_SUPPRESSED=%" PRIu64, n, NULL);
        else
                fprintf(stderr, "flushd: %s\n", message);
}

void event_log(EventLog *e, EventKind kind, uint64_t now_ns, const EventFields *f, const char *message) {
        __typeof__(e->kinds[0]) *k;

        assert(e);
        assert(kind < _EVENT_MAX);
        assert(f);

        k = &e->kinds[kind];
        if (now_ns - k->window_start_ns >= EVENT_WINDOW_NS) {
                if (k->suppressed > 0)
                        emit_summary(e, kind, k->suppressed);
                k->window_start_ns = now_ns;
                k->n = 0;
                k->suppressed = 0;
        }
        if (k->n >= EVENT_BURST) {
                k->suppressed++;
                return;
        }
        k->n++;
        emit(e, kind, f, message);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report.c - the ledger and the policy as D-Bus values, for Explain, Quota, ListCgroups
 *
 * Marshalling only, in the shapes org.flushd.Flush1(5) documents: a bucket
 * is (section, kind, tokens, burst, refill tokens, refill period in µs,
 * wait in µs) - the refill exactly as the policy wrote it, so 1/h is not
 * rounded to nothing - a section
 * of ListCgroups a label with a dictionary of counters and levels. Nothing
 * here changes the ledger (reading a bucket refills it, which changes no
 * outcome), and nothing here logs.
 */
#include <assert.h>
#include <stdio.h>

#include "report.h"

const char *report_account_name(const Account *a) {
        if (!a->label)
                return "[Default]";
        return *a->label ? a->label : "[Daemon]";
}

static const char *const bucket_kinds[] = {
        [BUCKET_RATE] = "rate",
        [BUCKET_USER] = "user",
        [BUCKET_TIME] = "time",
};

/* Opens the {sv} entry key whose variant is an array of element; the
 * caller appends the elements and calls entry_array_close(). */
static int entry_array_open(sd_bus_message *m, const char *key, const char *element) {
        char type[32];
        int r;

        snprintf(type, sizeof(type), "a%s", element);
        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', type);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', element);
        return r;
}

static int entry_array_close(sd_bus_message *m) {
        int r = 0;

        for (int i = 0; r >= 0 && i < 3; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

int report_append_buckets(sd_bus_message *reply, const BucketInfo *b, size_t n) {
        int r;

        r = entry_array_open(reply, "buckets", "(ssxxttt)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "(ssxxttt)", report_account_name(b[i].account),
                                          bucket_kinds[b[i].kind], b[i].tokens, (int64_t) b[i].burst,
                                          b[i].refill_tokens, b[i].refill_period_ns / 1000,
                                          b[i].wait_ns / 1000);
        return r < 0 ? r : entry_array_close(reply);
}

int report_append_chain(sd_bus_message *reply, const Ledger *l, const PolicyMatch *match) {
        int r;

        r = entry_array_open(reply, "sections", "s");
        for (size_t i = 0; r >= 0 && i < match->n_chain; i++)
                r = sd_bus_message_append(reply, "s", report_account_name(ledger_account(l, match->chain[i])));
        return r < 0 ? r : entry_array_close(reply);
}

static int append_t(sd_bus_message *m, const char *key, uint64_t v) {
        return sd_bus_message_append(m, "{sv}", key, "t", v);
}

static int append_section(sd_bus_message *m, const char *path, Account *a, uint64_t now_ns) {
        const AccountCounters *c = &a->counters;
        int r;

        r = sd_bus_message_open_container(m, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", report_account_name(a));
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "path", "s", path ?: "");
        if (r >= 0)
                r = append_t(m, "granted", c->granted);
        if (r >= 0)
                r = append_t(m, "denied", c->denied);
        if (r >= 0)
                r = append_t(m, "denied_allow", c->denied_allow);
        if (r >= 0)
                r = append_t(m, "denied_user", c->denied_user);
        if (r >= 0)
                r = append_t(m, "denied_all_cpus", c->denied_all_cpus);
        if (r >= 0)
                r = append_t(m, "throttled", c->throttled);
        if (r >= 0)
                r = append_t(m, "busy", c->busy);
        if (r >= 0)
                r = append_t(m, "failed", c->failed);
        if (r >= 0)
                r = append_t(m, "cpus_flushed", c->cpus_flushed);
        if (r >= 0)
                r = append_t(m, "cpus_coalesced", c->cpus_coalesced);
        if (r >= 0)
                r = append_t(m, "time_used_nsec", c->time_ns);
        if (r >= 0 && !quota_limit_is_unlimited(&a->rate.limit))
                r = sd_bus_message_append(m, "{sv}", "tokens", "x", quota_bucket_tokens(&a->rate, now_ns));
        if (r >= 0 && !quota_limit_is_unlimited(&a->time.limit))
                r = sd_bus_message_append(m, "{sv}", "time_tokens", "x", quota_bucket_tokens(&a->time, now_ns));
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "users", "u", (uint32_t) a->n_users);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

int report_append_sections(sd_bus_message *reply, const Policy *p, Ledger *l, uint64_t now_ns) {
        int r;

        assert(reply);
        assert(p);
        assert(l);

        r = sd_bus_message_open_container(reply, 'a', "(sa{sv})");
        for (size_t i = 0; r >= 0 && i < l->n_sections; i++)
                r = append_section(reply, p->sections[i].path, l->sections[i], now_ns);
        if (r >= 0)
                r = append_section(reply, NULL, l->global, now_ns);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

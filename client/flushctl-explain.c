/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl-explain.c - the workload's questions: explain and quota
 *
 * "explain" shows what a flush with the given flags would get now and why
 * (verdict, reason, the matching sections, the deciding one, each bucket);
 * "quota" what is left of the caller's limits. Both print a "Key: value"
 * block and a bucket table, or one JSON object with --json. A refusal is
 * the answer here, not a failure: both exit 0 when the daemon answered.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flushctl.h"
#include "json.h"
#include "table.h"
#include "util/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);

typedef const FlushdBucket *(*BucketAt)(const void *object, size_t i);

static const FlushdBucket *explain_bucket_at(const void *o, size_t i) { return flushd_explain_get_bucket(o, i); }
static const FlushdBucket *quota_bucket_at(const void *o, size_t i) { return flushd_quota_get_bucket(o, i); }

static void buckets_json(JsonWriter *w, const void *object, size_t n, BucketAt at) {
        json_key(w, "buckets");
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                const FlushdBucket *b = at(object, i);
                uint64_t period;

                json_object_begin(w);
                json_key(w, "section");
                json_string(w, flushd_bucket_get_section(b));
                json_key(w, "kind");
                json_string(w, flushd_bucket_get_kind(b));
                json_key(w, "tokens");
                json_int(w, flushd_bucket_get_tokens(b));
                json_key(w, "burst");
                json_int(w, flushd_bucket_get_burst(b));
                json_key(w, "refill");
                json_uint(w, flushd_bucket_get_refill(b, &period));
                json_key(w, "refill_period_usec");
                json_uint(w, period);
                json_key(w, "wait_usec");
                json_uint(w, flushd_bucket_get_wait_usec(b));
                json_object_end(w);
        }
        json_array_end(w);
}

/* "100/s", "1/h", "5/30s"; a time budget's nanoseconds as "0.020s/s". */
static const char *format_refill(char *buf, size_t size, const FlushdBucket *b) {
        static const struct { uint64_t usec; const char *name; } units[] = {
                { UINT64_C(3600000000), "h" }, { UINT64_C(60000000), "min" }, { UINT64_C(1000000), "s" },
        };
        char amount[32], per[32];
        uint64_t period, refill = flushd_bucket_get_refill(b, &period);
        const char *unit = NULL;

        if (strcmp(flushd_bucket_get_kind(b), "time") == 0)
                format_usec(amount, sizeof(amount), refill / 1000);
        else
                snprintf(amount, sizeof(amount), "%" PRIu64, refill);
        for (size_t i = 0; i < ELEMENTSOF(units) && !unit; i++)
                if (period == units[i].usec)
                        unit = units[i].name;
        snprintf(buf, size, "%s/%s", amount, unit ?: format_usec(per, sizeof(per), period));
        return buf;
}

static int buckets_print(const void *object, size_t n, BucketAt at) {
        static const char *const columns[] = { "SECTION", "KIND", ">TOKENS", ">BURST", ">REFILL", ">WAIT", NULL };
        _cleanup_(table_freep) Table *t = NULL;
        char buf[80];
        int r = 0;

        if (n == 0) {
                printf("Buckets:     none (unlimited)\n");
                return 0;
        }

        t = table_new(columns);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const FlushdBucket *b = at(object, i);

                r = table_add(t, "%s", flushd_bucket_get_section(b));
                if (r >= 0)
                        r = table_add(t, "%s", flushd_bucket_get_kind(b));
                if (r >= 0)
                        r = table_add(t, "%" PRIi64, flushd_bucket_get_tokens(b));
                if (r >= 0)
                        r = table_add(t, "%" PRIi64, flushd_bucket_get_burst(b));
                if (r >= 0)
                        r = table_add(t, "%s", format_refill(buf, sizeof(buf), b));
                if (r >= 0)
                        r = table_add(t, "%s", format_usec(buf, sizeof(buf), flushd_bucket_get_wait_usec(b)));
        }
        if (r < 0)
                return r;
        printf("\n");
        return table_print(t, stdout);
}

static void explain_json(const FlushdExplain *e) {
        JsonWriter w;
        size_t n;

        json_init(&w, stdout);
        json_object_begin(&w);
        json_key(&w, "verdict");
        json_string(&w, flushd_explain_get_verdict(e));
        json_key(&w, "error");
        json_string(&w, flushd_explain_get_error(e));
        json_key(&w, "reason");
        json_string(&w, flushd_explain_get_reason(e));
        json_key(&w, "uid");
        json_uint(&w, flushd_explain_get_uid(e));
        json_key(&w, "pid");
        json_uint(&w, flushd_explain_get_pid(e));
        json_key(&w, "cgroup");
        json_string(&w, flushd_explain_get_cgroup(e));
        json_key(&w, "sections");
        json_array_begin(&w);
        n = flushd_explain_get_n_sections(e);
        for (size_t i = 0; i < n; i++)
                json_string(&w, flushd_explain_get_section(e, i));
        json_array_end(&w);
        json_key(&w, "decider");
        json_string(&w, flushd_explain_get_decider(e));
        json_key(&w, "cost");
        json_uint(&w, flushd_explain_get_cost(e));
        json_key(&w, "retry_after_usec");
        json_uint(&w, flushd_explain_get_retry_after_usec(e));
        buckets_json(&w, e, flushd_explain_get_n_buckets(e), explain_bucket_at);
        json_object_end(&w);
        (void) json_finish(&w);
}

static int explain_print(const FlushdExplain *e) {
        const char *error = flushd_explain_get_error(e);
        size_t n = flushd_explain_get_n_sections(e);
        char buf[32];

        printf("Verdict:     %s\n", flushd_explain_get_verdict(e));
        printf("Error:       %s\n", *error ? error : "-");
        printf("Reason:      %s\n", flushd_explain_get_reason(e));
        printf("Caller:      uid %" PRIu32 ", pid %" PRIu32 "\n",
               flushd_explain_get_uid(e), flushd_explain_get_pid(e));
        printf("Cgroup:      %s\n", flushd_explain_get_cgroup(e));
        printf("Sections:    ");
        for (size_t i = 0; i < n; i++)
                printf("%s%s", i > 0 ? " " : "", flushd_explain_get_section(e, i));
        printf("%s\n", n == 0 ? "-" : "");
        printf("Decider:     %s\n", flushd_explain_get_decider(e));
        printf("Cost:        %" PRIu64 "\n", flushd_explain_get_cost(e));
        printf("Retry after: %s\n", format_usec(buf, sizeof(buf), flushd_explain_get_retry_after_usec(e)));
        return buckets_print(e, flushd_explain_get_n_buckets(e), explain_bucket_at);
}

int verb_explain(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_error_freep) FlushdError *error = NULL;
        _cleanup_(flushd_explain_freep) FlushdExplain *e = NULL;
        int r;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;

        r = flushd_explain(client, args->flush_flags, &e, &error);
        if (r < 0)
                return ctl_failed("Explain", r, error);

        if (args->json)
                explain_json(e);
        else if (explain_print(e) < 0) {
                log_error("Out of memory.");
                return EXIT_FAILURE;
        }
        return ctl_output_done();
}

static void quota_json(const FlushdQuota *q) {
        JsonWriter w;

        json_init(&w, stdout);
        json_object_begin(&w);
        json_key(&w, "tokens");
        json_int(&w, flushd_quota_get_tokens(q));
        json_key(&w, "retry_after_usec");
        json_uint(&w, flushd_quota_get_retry_after_usec(q));
        json_key(&w, "decider");
        json_string(&w, flushd_quota_get_decider(q));
        json_key(&w, "allow");
        json_bool(&w, flushd_quota_get_allow(q));
        json_key(&w, "allow_all_cpus");
        json_bool(&w, flushd_quota_get_allow_all_cpus(q));
        buckets_json(&w, q, flushd_quota_get_n_buckets(q), quota_bucket_at);
        json_object_end(&w);
        (void) json_finish(&w);
}

static int quota_print(const FlushdQuota *q) {
        int64_t tokens = flushd_quota_get_tokens(q);
        char buf[32];

        if (tokens < 0)
                printf("Flushes now: 0 (time budget in debt)\n");
        else if (tokens == INT64_MAX)
                printf("Flushes now: unlimited\n");
        else
                printf("Flushes now: %" PRIi64 "\n", tokens);
        printf("Retry after: %s\n", format_usec(buf, sizeof(buf), flushd_quota_get_retry_after_usec(q)));
        printf("Decider:     %s\n", flushd_quota_get_decider(q));
        printf("Allow:       %s\n", flushd_quota_get_allow(q) ? "yes" : "no");
        printf("All CPUs:    %s\n", flushd_quota_get_allow_all_cpus(q) ? "yes" : "no");
        return buckets_print(q, flushd_quota_get_n_buckets(q), quota_bucket_at);
}

int verb_quota(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_error_freep) FlushdError *error = NULL;
        _cleanup_(flushd_quota_freep) FlushdQuota *q = NULL;
        int r;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;

        r = flushd_quota(client, &q, &error);
        if (r < 0)
                return ctl_failed("Quota", r, error);

        if (args->json)
                quota_json(q);
        else if (quota_print(q) < 0) {
                log_error("Out of memory.");
                return EXIT_FAILURE;
        }
        return ctl_output_done();
}

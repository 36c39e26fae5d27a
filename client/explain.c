/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * explain.c - Explain and Quota: what flushd would answer the caller, and why
 *
 * Both are dry runs the daemon answers from its policy and buckets without
 * charging anything. Their answers are dictionaries (dict.c); the objects
 * here keep the dictionary and read fields out of it by key, so new keys
 * need new accessors only, never a new struct layout. A FlushdBucket is
 * one entry of the "buckets" array and lives as long as its object.
 */
#include <errno.h>
#include <stdlib.h>

#include "bus/flush1.h"
#include "flushd.h"
#include "libflushd-internal.h"
#include "util/macro.h"

struct FlushdExplain {
        char *verdict;
        Dict details;
};

struct FlushdQuota {
        Dict quota;
};

const char *flushd_bucket_get_section(const FlushdBucket *b) { return b ? b->section : ""; }
const char *flushd_bucket_get_kind(const FlushdBucket *b) { return b ? b->kind : ""; }
int64_t flushd_bucket_get_tokens(const FlushdBucket *b) { return b ? b->tokens : 0; }
int64_t flushd_bucket_get_burst(const FlushdBucket *b) { return b ? b->burst : 0; }
uint64_t flushd_bucket_get_rate(const FlushdBucket *b) {
        if (!b || b->refill_period_usec == 0)
                return 0;
        return (uint64_t) ((unsigned __int128) b->refill * 1000000 / b->refill_period_usec);
}

uint64_t flushd_bucket_get_refill(const FlushdBucket *b, uint64_t *ret_period_usec) {
        if (ret_period_usec)
                *ret_period_usec = b ? b->refill_period_usec : 0;
        return b ? b->refill : 0;
}
uint64_t flushd_bucket_get_wait_usec(const FlushdBucket *b) { return b ? b->wait_usec : 0; }

FlushdExplain *flushd_explain_free(FlushdExplain *e) {
        if (!e)
                return NULL;
        free(e->verdict);
        dict_done(&e->details);
        free(e);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdExplain *, flushd_explain_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdQuota *, flushd_quota_free);

static int explain_reply(sd_bus_message *reply, void *userdata) {
        FlushdExplain *e = userdata;
        const char *verdict;
        int r;

        r = sd_bus_message_read(reply, "s", &verdict);
        if (r < 0)
                return r;
        e->verdict = strdup(verdict);
        if (!e->verdict)
                return -ENOMEM;
        return dict_read(reply, &e->details);
}

int flushd_explain(FlushdClient *c, uint64_t flags, FlushdExplain **ret, FlushdError **ret_error) {
        _cleanup_(flushd_explain_freep) FlushdExplain *e = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!c || !ret)
                return -EINVAL;

        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;

        r = client_call(c, FLUSH1_INTERFACE, "Explain", "sa{sv}", explain_reply, e, ret_error,
                        "t", flags);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(e);
        return 0;
}

const char *flushd_explain_get_verdict(const FlushdExplain *e) { return e && e->verdict ? e->verdict : ""; }
const char *flushd_explain_get_error(const FlushdExplain *e) { return e ? dict_string(&e->details, "error") : ""; }
const char *flushd_explain_get_reason(const FlushdExplain *e) { return e ? dict_string(&e->details, "reason") : ""; }
uint32_t flushd_explain_get_uid(const FlushdExplain *e) { return e ? (uint32_t) dict_unsigned(&e->details, "uid") : 0; }
uint32_t flushd_explain_get_pid(const FlushdExplain *e) { return e ? (uint32_t) dict_unsigned(&e->details, "pid") : 0; }
const char *flushd_explain_get_cgroup(const FlushdExplain *e) { return e ? dict_string(&e->details, "cgroup") : ""; }
size_t flushd_explain_get_n_sections(const FlushdExplain *e) { return e ? dict_strv_len(&e->details, "sections") : 0; }
const char *flushd_explain_get_decider(const FlushdExplain *e) { return e ? dict_string(&e->details, "decider") : ""; }
uint64_t flushd_explain_get_cost(const FlushdExplain *e) { return e ? dict_unsigned(&e->details, "cost") : 0; }
size_t flushd_explain_get_n_buckets(const FlushdExplain *e) { return e ? dict_n_buckets(&e->details, "buckets") : 0; }

const char *flushd_explain_get_section(const FlushdExplain *e, size_t i) {
        return e ? dict_strv_item(&e->details, "sections", i) : NULL;
}

uint64_t flushd_explain_get_retry_after_usec(const FlushdExplain *e) {
        return e ? dict_unsigned(&e->details, "retry_after_usec") : 0;
}

const FlushdBucket *flushd_explain_get_bucket(const FlushdExplain *e, size_t i) {
        return e ? dict_bucket(&e->details, "buckets", i) : NULL;
}

FlushdQuota *flushd_quota_free(FlushdQuota *q) {
        if (!q)
                return NULL;
        dict_done(&q->quota);
        free(q);
        return NULL;
}

static int quota_reply(sd_bus_message *reply, void *userdata) {
        FlushdQuota *q = userdata;
        return dict_read(reply, &q->quota);
}

int flushd_quota(FlushdClient *c, FlushdQuota **ret, FlushdError **ret_error) {
        _cleanup_(flushd_quota_freep) FlushdQuota *q = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!c || !ret)
                return -EINVAL;

        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;

        r = client_call(c, FLUSH1_INTERFACE, "Quota", "a{sv}", quota_reply, q, ret_error, NULL);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(q);
        return 0;
}

int64_t flushd_quota_get_tokens(const FlushdQuota *q) {
        int64_t v = 0;

        if (q)
                (void) dict_get_signed(&q->quota, "tokens", &v);
        return v;
}

uint64_t flushd_quota_get_retry_after_usec(const FlushdQuota *q) {
        return q ? dict_unsigned(&q->quota, "retry_after_usec") : 0;
}

const char *flushd_quota_get_decider(const FlushdQuota *q) { return q ? dict_string(&q->quota, "decider") : ""; }
int flushd_quota_get_allow(const FlushdQuota *q) { return q && dict_bool(&q->quota, "allow"); }
int flushd_quota_get_allow_all_cpus(const FlushdQuota *q) { return q && dict_bool(&q->quota, "allow_all_cpus"); }
size_t flushd_quota_get_n_buckets(const FlushdQuota *q) { return q ? dict_n_buckets(&q->quota, "buckets") : 0; }

const FlushdBucket *flushd_quota_get_bucket(const FlushdQuota *q, size_t i) {
        return q ? dict_bucket(&q->quota, "buckets", i) : NULL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * quota.c - token buckets with debt and an injected clock
 *
 * A bucket holds up to `burst` tokens and gains `tokens` every `period_ns`.
 * To make refill exact with integer arithmetic, the level is kept in units
 * where one token is `period_ns` units and every elapsed nanosecond adds
 * `tokens` units: 100/s refills 100 units per ns and a token costs 1e9
 * units. Nothing is rounded, so a bucket never drifts however often it is
 * refilled, and the wait for the next token is ceil(missing / tokens) ns.
 * Levels are 128-bit, so no limit a policy can express overflows them.
 *
 * The same bucket serves two kinds of limit. A rate (Rate=) counts
 * requests, or CPUs for an all-CPU flush. A time budget (FlushTime=)
 * counts nanoseconds of kernel time as tokens and is charged after the
 * fact, with what the kernel reports. Both admit a request only while the
 * bucket holds at least one token, and a charge may leave it in debt: an
 * expensive write-back is paid for by refusing new work until the debt is
 * repaid, never by a refusal that comes too late.
 *
 * A request is charged to several buckets at once (every matching policy
 * section, the caller's share of it, and the global one). quota_charge()
 * refills all of them and takes from each only if every one has a token:
 * a full parent never leaves its child half-charged. The clock is a
 * parameter (the daemon passes CLOCK_MONOTONIC), which keeps this file pure
 * and testable.
 */
#include <assert.h>

#include "quota.h"

uint64_t quota_default_burst(uint64_t tokens, uint64_t period_ns) {
        uint64_t b;

        /* One second's worth of tokens, at least one: 100/s -> 100,
         * 600/min -> 10, 10/h -> 1. */
        if (tokens == 0 || period_ns == 0)
                return 0;
        b = tokens * QUOTA_NSEC_PER_SEC / period_ns;
        if (b < 1)
                b = 1;
        return b;
}

static __int128 bucket_capacity(const QuotaBucket *b) {
        return (__int128) b->limit.burst * b->limit.period_ns;
}

/* The deepest debt a bucket can reach: generous, and far from overflow. */
static __int128 bucket_floor(const QuotaBucket *b) {
        return -((__int128) QUOTA_TIME_TOKENS_MAX * 1000 * b->limit.period_ns);
}

void quota_bucket_init(QuotaBucket *b, const QuotaLimit *limit, uint64_t now_ns) {
        assert(b);
        assert(limit);
        assert(limit->period_ns <= QUOTA_PERIOD_MAX);

        *b = (QuotaBucket) {
                .limit = *limit,
                .last_ns = now_ns,
        };
}

void quota_bucket_fill(QuotaBucket *b) {
        assert(b);
        b->level = bucket_capacity(b);
}

static void bucket_refill(QuotaBucket *b, uint64_t now_ns) {
        __int128 cap;

        if (quota_limit_is_unlimited(&b->limit))
                return;
        if (now_ns <= b->last_ns)
                return; /* a monotonic clock never goes back; ignore if it does */

        cap = bucket_capacity(b);
        if (b->level < cap) {
                __int128 gain = (__int128) (now_ns - b->last_ns) * b->limit.tokens;

                b->level = gain >= cap - b->level ? cap : b->level + gain;
        }
        b->last_ns = now_ns;
}

bool quota_bucket_is_full(QuotaBucket *b, uint64_t now_ns) {
        assert(b);
        bucket_refill(b, now_ns);
        return quota_limit_is_unlimited(&b->limit) || b->level >= bucket_capacity(b);
}

int64_t quota_bucket_tokens(QuotaBucket *b, uint64_t now_ns) {
        __int128 t;

        assert(b);

        if (quota_limit_is_unlimited(&b->limit))
                return INT64_MAX;
        bucket_refill(b, now_ns);
        /* C division truncates toward zero; round debt toward minus infinity. */
        t = b->level / b->limit.period_ns;
        if (b->level < 0 && t * b->limit.period_ns != b->level)
                t--;
        return (int64_t) t;
}

static uint64_t bucket_wait_ns(const QuotaBucket *b) {
        __int128 missing = (__int128) b->limit.period_ns - b->level, w;

        if (missing <= 0)
                return 0;
        w = (missing + b->limit.tokens - 1) / b->limit.tokens;
        return w > UINT64_MAX ? UINT64_MAX : (uint64_t) w;
}

uint64_t quota_bucket_wait_ns(QuotaBucket *b, uint64_t now_ns) {
        assert(b);

        if (quota_limit_is_unlimited(&b->limit))
                return 0;
        bucket_refill(b, now_ns);
        return bucket_wait_ns(b);
}

void quota_bucket_relimit(QuotaBucket *b, const QuotaLimit *limit, uint64_t now_ns) {
        __int128 tokens;

        assert(b);
        assert(limit);

        /* Keep the level in tokens, not in units: the period may change. */
        bucket_refill(b, now_ns);
        tokens = quota_limit_is_unlimited(&b->limit) ? INT64_MAX : b->level / b->limit.period_ns;
        b->limit = *limit;
        b->last_ns = now_ns;
        if (quota_limit_is_unlimited(limit)) {
                b->level = 0;
                return;
        }
        b->level = tokens * limit->period_ns;
        if (b->level > bucket_capacity(b))
                b->level = bucket_capacity(b);
        if (b->level < bucket_floor(b))
                b->level = bucket_floor(b);
}

int quota_charge(QuotaBucket *const *buckets, const uint64_t *costs, size_t n, uint64_t now_ns,
                 size_t *ret_index, uint64_t *ret_retry_ns) {
        uint64_t longest = 0;
        size_t longest_index = 0;
        bool empty = false;

        assert(buckets || n == 0);

        /* First pass: refill and look; nothing is taken yet. */
        for (size_t i = 0; i < n; i++) {
                QuotaBucket *b = buckets[i];
                uint64_t w;

                if (quota_limit_is_unlimited(&b->limit))
                        continue;
                bucket_refill(b, now_ns);
                if (b->level >= (__int128) b->limit.period_ns)
                        continue;

                w = bucket_wait_ns(b);
                if (!empty || w > longest) {
                        longest = w;
                        longest_index = i;
                }
                empty = true;
        }

        if (empty) {
                if (ret_index)
                        *ret_index = longest_index;
                if (ret_retry_ns)
                        *ret_retry_ns = longest;
                return QUOTA_E_EXCEEDED;
        }

        /* Second pass: every bucket has a token; take each one's cost. */
        for (size_t i = 0; i < n; i++)
                quota_spend(buckets[i], costs ? costs[i] : 1, now_ns);
        return 0;
}

void quota_spend(QuotaBucket *b, uint64_t amount, uint64_t now_ns) {
        assert(b);

        if (quota_limit_is_unlimited(&b->limit))
                return;
        bucket_refill(b, now_ns);
        b->level -= (__int128) amount * b->limit.period_ns;
        if (b->level < bucket_floor(b))
                b->level = bucket_floor(b);
}

void quota_refund(QuotaBucket *b, uint64_t amount, uint64_t now_ns) {
        assert(b);

        if (quota_limit_is_unlimited(&b->limit))
                return;
        bucket_refill(b, now_ns);
        b->level += (__int128) amount * b->limit.period_ns;
        if (b->level > bucket_capacity(b))
                b->level = bucket_capacity(b);
}

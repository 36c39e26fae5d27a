/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * quota.c - token buckets with an injected clock
 *
 * A bucket holds up to `burst` tokens and gains `tokens` every `period_ns`.
 * To make refill exact with integer arithmetic, the level is kept in units
 * where one token is `period_ns` units and every elapsed nanosecond adds
 * `tokens` units: 100/s refills 100 units per ns and a token costs 1e9
 * units. Nothing is rounded, so a bucket never drifts however often it is
 * refilled, and the wait for the next token is ceil(missing / tokens) ns.
 *
 * A request is charged to several buckets at once (every matching policy
 * section plus the global one). quota_charge() refills all of them, and
 * takes one token from each only if every one has a token: a full parent
 * never leaves its child half-charged. The clock is a parameter (the daemon
 * passes CLOCK_MONOTONIC), which keeps this file pure and testable.
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
        if (b > QUOTA_BURST_MAX)
                b = QUOTA_BURST_MAX;
        return b;
}

static uint64_t bucket_capacity(const QuotaBucket *b) {
        return b->limit.burst * b->limit.period_ns;
}

void quota_bucket_init(QuotaBucket *b, const QuotaLimit *limit, uint64_t now_ns) {
        assert(b);
        assert(limit);
        assert(limit->tokens <= QUOTA_TOKENS_MAX);
        assert(limit->burst <= QUOTA_BURST_MAX);
        assert(limit->period_ns <= QUOTA_PERIOD_MAX);

        *b = (QuotaBucket) {
                .limit = *limit,
                .last_ns = now_ns,
        };
        b->level = bucket_capacity(b);
}

static void bucket_refill(QuotaBucket *b, uint64_t now_ns) {
        uint64_t cap, room, elapsed;

        if (quota_limit_is_unlimited(&b->limit))
                return;
        if (now_ns <= b->last_ns)
                return; /* a monotonic clock never goes back; ignore if it does */

        elapsed = now_ns - b->last_ns;
        b->last_ns = now_ns;
        cap = bucket_capacity(b);
        room = cap - b->level;
        /* elapsed * tokens > room  <=>  elapsed > room / tokens (integers);
         * testing it this way round cannot overflow. */
        if (elapsed > room / b->limit.tokens)
                b->level = cap;
        else
                b->level += elapsed * b->limit.tokens;
}

uint64_t quota_bucket_tokens(QuotaBucket *b, uint64_t now_ns) {
        assert(b);

        if (quota_limit_is_unlimited(&b->limit))
                return UINT64_MAX;
        bucket_refill(b, now_ns);
        return b->level / b->limit.period_ns;
}

static uint64_t bucket_wait_ns(const QuotaBucket *b) {
        uint64_t missing = b->limit.period_ns - b->level;

        return (missing + b->limit.tokens - 1) / b->limit.tokens;
}

int quota_charge(QuotaBucket *const *buckets, size_t n, uint64_t now_ns,
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
                if (b->level >= b->limit.period_ns)
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

        /* Second pass: every bucket has a token, take one from each. */
        for (size_t i = 0; i < n; i++)
                if (!quota_limit_is_unlimited(&buckets[i]->limit))
                        buckets[i]->level -= buckets[i]->limit.period_ns;

        return 0;
}

void quota_refund(QuotaBucket *const *buckets, size_t n, uint64_t now_ns) {
        assert(buckets || n == 0);

        for (size_t i = 0; i < n; i++) {
                QuotaBucket *b = buckets[i];
                uint64_t cap;

                if (quota_limit_is_unlimited(&b->limit))
                        continue;
                bucket_refill(b, now_ns);
                cap = bucket_capacity(b);
                b->level = cap - b->level < b->limit.period_ns ? cap : b->level + b->limit.period_ns;
        }
}

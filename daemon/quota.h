/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * quota.h - token buckets with an injected clock
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUOTA_NSEC_PER_SEC UINT64_C(1000000000)

/* Bounds that keep burst * period_ns within 64 bits (1e6 * 3600 s < 2^63). */
#define QUOTA_TOKENS_MAX UINT64_C(1000000)
#define QUOTA_BURST_MAX  UINT64_C(1000000)
#define QUOTA_PERIOD_MAX (UINT64_C(3600) * QUOTA_NSEC_PER_SEC)

/*
 * "tokens per period_ns, at most burst saved up". tokens == 0 means
 * unlimited: such a bucket never denies and is never charged.
 */
typedef struct QuotaLimit {
        uint64_t tokens;
        uint64_t period_ns;
        uint64_t burst;
} QuotaLimit;

typedef struct QuotaBucket {
        QuotaLimit limit;
        uint64_t level;         /* in units; one token is limit.period_ns units */
        uint64_t last_ns;       /* clock value of the last refill */
} QuotaBucket;

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _QUOTA_E_SUCCESS = 0,
        QUOTA_E_EXCEEDED = 200, /* some bucket is empty; nothing was taken */
};

static inline bool quota_limit_is_unlimited(const QuotaLimit *l) {
        return l->tokens == 0;
}

uint64_t quota_default_burst(uint64_t tokens, uint64_t period_ns);

void quota_bucket_init(QuotaBucket *b, const QuotaLimit *limit, uint64_t now_ns);
uint64_t quota_bucket_tokens(QuotaBucket *b, uint64_t now_ns);

int quota_charge(QuotaBucket *const *buckets, size_t n, uint64_t now_ns,
                 size_t *ret_index, uint64_t *ret_retry_ns);
void quota_refund(QuotaBucket *const *buckets, size_t n, uint64_t now_ns);

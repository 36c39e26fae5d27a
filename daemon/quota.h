/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * quota.h - token buckets with debt and an injected clock
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUOTA_NSEC_PER_SEC UINT64_C(1000000000)

/* Bounds on what a policy may ask for; the level arithmetic is 128-bit. */
#define QUOTA_TOKENS_MAX UINT64_C(1000000)
#define QUOTA_BURST_MAX  UINT64_C(1000000)
#define QUOTA_PERIOD_MAX (UINT64_C(3600) * QUOTA_NSEC_PER_SEC)
/* A time budget (FlushTime=) counts nanoseconds of kernel time as tokens. */
#define QUOTA_TIME_TOKENS_MAX QUOTA_PERIOD_MAX

/*
 * "tokens per period_ns, at most burst saved up". tokens == 0 means
 * unlimited: such a bucket never denies and is never charged.
 */
typedef struct QuotaLimit {
        uint64_t tokens;
        uint64_t period_ns;
        uint64_t burst;
} QuotaLimit;

/*
 * level is in units where one token is limit.period_ns units; it may go
 * below zero (debt) when a charge is larger than what was left, and a
 * bucket in debt admits nothing until it has refilled to one token.
 */
typedef struct QuotaBucket {
        QuotaLimit limit;
        __int128 level;
        uint64_t last_ns;       /* clock value of the last refill */
} QuotaBucket;

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _QUOTA_E_SUCCESS = 0,
        QUOTA_E_EXCEEDED = 200, /* some bucket has less than a token; nothing was taken */
};

static inline bool quota_limit_is_unlimited(const QuotaLimit *l) {
        return l->tokens == 0;
}

uint64_t quota_default_burst(uint64_t tokens, uint64_t period_ns);

/* A new bucket is empty: nothing is saved up until time has passed. */
void quota_bucket_init(QuotaBucket *b, const QuotaLimit *limit, uint64_t now_ns);
void quota_bucket_fill(QuotaBucket *b);
bool quota_bucket_is_full(QuotaBucket *b, uint64_t now_ns);
/* Whole tokens available now (negative in debt); INT64_MAX if unlimited. */
int64_t quota_bucket_tokens(QuotaBucket *b, uint64_t now_ns);
/* Time until the bucket holds one token again; 0 if it does now. */
uint64_t quota_bucket_wait_ns(QuotaBucket *b, uint64_t now_ns);
/* Moves a bucket to a new limit, keeping its level (clamped to the new capacity). */
void quota_bucket_relimit(QuotaBucket *b, const QuotaLimit *limit, uint64_t now_ns);

/*
 * Admits a request if every bucket holds at least one token, then takes
 * costs[i] tokens from bucket i (1 each if costs is NULL), which may leave
 * a bucket in debt. On QUOTA_E_EXCEEDED nothing is taken, and *ret_index /
 * *ret_retry_ns name the bucket that waits longest and for how long.
 */
int quota_charge(QuotaBucket *const *buckets, const uint64_t *costs, size_t n, uint64_t now_ns,
                 size_t *ret_index, uint64_t *ret_retry_ns);
/* After the fact: takes amount tokens, going into debt if need be. */
void quota_spend(QuotaBucket *b, uint64_t amount, uint64_t now_ns);
/* Gives amount tokens back, up to the bucket's capacity. */
void quota_refund(QuotaBucket *b, uint64_t amount, uint64_t now_ns);

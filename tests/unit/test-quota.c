/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-quota.c - token buckets over a fake clock
 *
 * The clock is a plain integer passed to every call, so each test sets the
 * exact nanosecond and can assert exact refill instants and waits.
 */
#include <stdint.h>

#include "quota.h"
#include "tests.h"
#include "util/macro.h"

#define NS UINT64_C(1000000000)
#define T0 (UINT64_C(1000) * NS)        /* an arbitrary start, not 0 */

static QuotaBucket bucket(uint64_t tokens, uint64_t period_ns, uint64_t burst, uint64_t now) {
        QuotaLimit l = { .tokens = tokens, .period_ns = period_ns, .burst = burst };
        QuotaBucket b;

        quota_bucket_init(&b, &l, now);
        quota_bucket_fill(&b);  /* most tests start from a full bucket */
        return b;
}

static int charge1(QuotaBucket *b, uint64_t now, uint64_t *retry) {
        QuotaBucket *list[] = { b };
        return quota_charge(list, NULL, 1, now, NULL, retry);
}

START_TEST(test_burst_then_deny) {
        QuotaBucket b = bucket(10, NS, 5, T0);
        uint64_t retry = 0;

        ck_assert_uint_eq(quota_bucket_tokens(&b, T0), 5);
        for (int i = 0; i < 5; i++)
                ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_uint_eq(quota_bucket_tokens(&b, T0), 0);
        ck_assert_int_eq(charge1(&b, T0, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, NS / 10);               /* 1/rate */
        /* a denied request takes nothing: still exactly one token at T0 + 1/rate */
        ck_assert_int_eq(charge1(&b, T0, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(quota_bucket_tokens(&b, T0 + NS / 10), 1);
}
END_TEST

START_TEST(test_exact_refill) {
        QuotaBucket b = bucket(10, NS, 1, T0);
        uint64_t retry = 0;

        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0 + NS / 10 - 1, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, 1);
        ck_assert_int_eq(charge1(&b, T0 + NS / 10, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0 + NS / 10, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, NS / 10);
}
END_TEST

START_TEST(test_fractional_interval) {
        /* 3/s: one token every 333333333.33 ns; the wait rounds up, the
         * level does not. Burst 2, drained, so the level never hits the cap
         * (a full bucket rightly discards what it cannot hold). */
        QuotaBucket b = bucket(3, NS, 2, T0);
        uint64_t retry = 0;

        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0 + 333333333, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, 1);
        ck_assert_int_eq(charge1(&b, T0 + 333333334, NULL), 0);
        /* the 0.67 ns carried over: the third token comes at exactly 2/3 s, rounded up */
        ck_assert_int_eq(charge1(&b, T0 + 666666666, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, 1);
        ck_assert_int_eq(charge1(&b, T0 + 666666667, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0 + NS, NULL), 0);
}
END_TEST

START_TEST(test_no_drift_polling) {
        /* Poll every 1 ms for 1000 s at 3/s: exactly burst + 3000 grants,
         * although no token arrives on a millisecond boundary. */
        QuotaBucket b = bucket(3, NS, 5, T0);
        uint64_t granted = 0;

        for (uint64_t t = T0; t <= T0 + 1000 * NS; t += NS / 1000)
                while (charge1(&b, t, NULL) == 0)
                        granted++;
        ck_assert_uint_eq(granted, 5 + 3000);
}
END_TEST

START_TEST(test_no_drift_retry_after) {
        /* 7/min, always coming back exactly after retry-after: the k-th
         * refill lands at ceil(k * 60 s / 7), never later, after 100000
         * rounds (burst 2, drained, so the cap never discards a fraction). */
        QuotaBucket b = bucket(7, 60 * NS, 2, T0);
        uint64_t t = T0, retry = 0;

        ck_assert_int_eq(charge1(&b, t, NULL), 0);
        ck_assert_int_eq(charge1(&b, t, NULL), 0);
        for (uint64_t k = 1; k <= 100000; k++) {
                ck_assert_int_eq(charge1(&b, t, &retry), QUOTA_E_EXCEEDED);
                t += retry;
                ck_assert_uint_eq(t - T0, (k * 60 * NS + 6) / 7);
                ck_assert_int_eq(charge1(&b, t, NULL), 0);
        }
}
END_TEST

START_TEST(test_full_bucket_discards) {
        /* Burst 1 at 3/s: the bucket is full at 1/3 s; time after that is
         * not saved up, so the next token is 1/3 s after the late charge. */
        QuotaBucket b = bucket(3, NS, 1, T0);
        uint64_t retry = 0;

        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0 + NS / 2, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0 + NS / 2, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, 333333334);
}
END_TEST

START_TEST(test_idle_caps_at_burst) {
        QuotaBucket b = bucket(QUOTA_TOKENS_MAX, NS, QUOTA_BURST_MAX, T0);

        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        /* a huge gap must neither overflow nor exceed the burst */
        ck_assert_uint_eq(quota_bucket_tokens(&b, UINT64_MAX / 2), QUOTA_BURST_MAX);
        b = bucket(1, 3600 * NS, 2, T0);
        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_uint_eq(quota_bucket_tokens(&b, UINT64_MAX), 2);
}
END_TEST

START_TEST(test_hierarchy_all_or_nothing) {
        QuotaBucket child = bucket(10, NS, 5, T0);
        QuotaBucket parent = bucket(1, NS, 1, T0);
        QuotaBucket global = bucket(1000, NS, 1000, T0);
        QuotaBucket *list[] = { &child, &parent, &global };
        uint64_t retry = 0;
        size_t index = 99;

        ck_assert_int_eq(quota_charge(list, NULL, 3, T0, &index, &retry), 0);
        ck_assert_uint_eq(quota_bucket_tokens(&child, T0), 4);
        ck_assert_uint_eq(quota_bucket_tokens(&parent, T0), 0);
        ck_assert_uint_eq(quota_bucket_tokens(&global, T0), 999);

        /* The parent is empty: denied, and neither child nor global is charged. */
        ck_assert_int_eq(quota_charge(list, NULL, 3, T0 + 1, &index, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(index, 1);
        ck_assert_uint_eq(retry, NS - 1);
        ck_assert_uint_eq(quota_bucket_tokens(&child, T0 + 1), 4);
        ck_assert_uint_eq(quota_bucket_tokens(&global, T0 + 1), 999);
}
END_TEST

START_TEST(test_retry_is_longest_wait) {
        QuotaBucket fast = bucket(10, NS, 1, T0);      /* 100 ms per token */
        QuotaBucket slow = bucket(1, NS, 1, T0);       /* 1 s per token */
        QuotaBucket roomy = bucket(1, NS, 5, T0);
        QuotaBucket *list[] = { &fast, &roomy, &slow };
        uint64_t retry = 0;
        size_t index = 99;

        ck_assert_int_eq(quota_charge(list, NULL, 3, T0, &index, &retry), 0);
        ck_assert_int_eq(quota_charge(list, NULL, 3, T0 + NS / 20, &index, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(index, 2);
        ck_assert_uint_eq(retry, NS - NS / 20);
        /* once the slow one has a token, only the fast one matters (it is full by then) */
        ck_assert_int_eq(quota_charge(list, NULL, 3, T0 + NS, &index, &retry), 0);
        ck_assert_uint_eq(quota_bucket_tokens(&roomy, T0 + NS), 4);
}
END_TEST

START_TEST(test_global_shared) {
        QuotaBucket a = bucket(100, NS, 100, T0), b = bucket(100, NS, 100, T0);
        QuotaBucket global = bucket(2, NS, 2, T0);
        QuotaBucket *la[] = { &a, &global }, *lb[] = { &b, &global };
        uint64_t retry = 0;
        size_t index = 99;

        ck_assert_int_eq(quota_charge(la, NULL, 2, T0, &index, &retry), 0);
        ck_assert_int_eq(quota_charge(lb, NULL, 2, T0, &index, &retry), 0);
        ck_assert_int_eq(quota_charge(la, NULL, 2, T0, &index, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(index, 1);
        ck_assert_uint_eq(retry, NS / 2);
        ck_assert_int_eq(quota_charge(lb, NULL, 2, T0, &index, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(quota_bucket_tokens(&a, T0), 99);
        ck_assert_uint_eq(quota_bucket_tokens(&b, T0), 99);
        ck_assert_int_eq(quota_charge(lb, NULL, 2, T0 + NS / 2, &index, &retry), 0);
}
END_TEST

START_TEST(test_unlimited) {
        QuotaBucket u = bucket(0, 0, 0, T0);
        QuotaBucket one = bucket(1, NS, 1, T0);
        QuotaBucket *list[] = { &u, &one };
        size_t index = 99;

        for (int i = 0; i < 1000; i++)
                ck_assert_int_eq(charge1(&u, T0, NULL), 0);
        ck_assert_int_eq(quota_bucket_tokens(&u, T0), INT64_MAX);
        ck_assert_int_eq(quota_charge(list, NULL, 2, T0, &index, NULL), 0);
        ck_assert_int_eq(quota_charge(list, NULL, 2, T0, &index, NULL), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(index, 1);
}
END_TEST

START_TEST(test_refund) {
        QuotaBucket b = bucket(1, NS, 2, T0);

        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(charge1(&b, T0, NULL), QUOTA_E_EXCEEDED);
        quota_refund(&b, 1, T0);
        ck_assert_uint_eq(quota_bucket_tokens(&b, T0), 1);
        /* refunds never lift a bucket past its burst */
        quota_refund(&b, 1, T0 + 10 * NS);
        ck_assert_uint_eq(quota_bucket_tokens(&b, T0 + 10 * NS), 2);
}
END_TEST

/* A new bucket has nothing saved up: a start is never a burst. */
START_TEST(test_starts_empty) {
        QuotaLimit l = { .tokens = 10, .period_ns = NS, .burst = 5 };
        QuotaBucket b;
        uint64_t retry = 0;

        quota_bucket_init(&b, &l, T0);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0), 0);
        ck_assert_int_eq(charge1(&b, T0, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, NS / 10);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0 + NS), 5);
}
END_TEST

/* An all-CPU flush costs one token per CPU and may leave the bucket in
 * debt; nothing is admitted until the debt is repaid to one token. */
START_TEST(test_cost_and_debt) {
        QuotaBucket b = bucket(10, NS, 2, T0);
        QuotaBucket *list[] = { &b };
        uint64_t cost[] = { 4 }, retry = 0;

        ck_assert_int_eq(quota_charge(list, cost, 1, T0, NULL, NULL), 0);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0), -2);
        ck_assert_int_eq(charge1(&b, T0, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, 3 * NS / 10);         /* from -2 to +1 at 10/s */
        ck_assert_int_eq(charge1(&b, T0 + 3 * NS / 10 - 1, NULL), QUOTA_E_EXCEEDED);
        ck_assert_int_eq(charge1(&b, T0 + 3 * NS / 10, NULL), 0);
        /* refunded down to what was really used */
        quota_refund(&b, 3, T0 + 3 * NS / 10);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0 + 3 * NS / 10), 2);
}
END_TEST

/* FlushTime=20ms/s: nanoseconds of kernel time are the tokens, charged
 * after the fact; a 100 ms write-back puts the budget 80 ms in debt, which
 * takes 4 s (plus the 1 ns the next request needs) to repay. */
START_TEST(test_flush_time_debt) {
        QuotaLimit l = { .tokens = 20000000, .period_ns = NS, .burst = 20000000 };
        QuotaBucket t;
        QuotaBucket *list[] = { &t };
        uint64_t zero[] = { 0 }, retry = 0;

        quota_bucket_init(&t, &l, T0);
        quota_bucket_fill(&t);
        ck_assert_int_eq(quota_charge(list, zero, 1, T0, NULL, NULL), 0);
        quota_spend(&t, 100000000, T0);
        ck_assert_int_eq(quota_bucket_tokens(&t, T0), -80000000);
        ck_assert_int_eq(quota_charge(list, zero, 1, T0, NULL, &retry), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(retry, 4 * NS + NS / 20000000);
        ck_assert_int_eq(quota_charge(list, zero, 1, T0 + 4 * NS, NULL, NULL), QUOTA_E_EXCEEDED);
        ck_assert_int_eq(quota_charge(list, zero, 1, T0 + 4 * NS + NS / 20000000, NULL, NULL), 0);
}
END_TEST

/* A reload moves a bucket to new limits in tokens, clamped to the new burst. */
START_TEST(test_relimit) {
        QuotaBucket b = bucket(10, NS, 8, T0);
        QuotaLimit per_min = { .tokens = 60, .period_ns = 60 * NS, .burst = 5 };

        for (int i = 0; i < 5; i++)
                ck_assert_int_eq(charge1(&b, T0, NULL), 0);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0), 3);
        quota_bucket_relimit(&b, &per_min, T0);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0), 3);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0 + NS), 4);
        ck_assert_int_eq(quota_bucket_tokens(&b, T0 + 100 * NS), 5);
}
END_TEST

START_TEST(test_default_burst) {
        ck_assert_uint_eq(quota_default_burst(100, NS), 100);
        ck_assert_uint_eq(quota_default_burst(600, 60 * NS), 10);
        ck_assert_uint_eq(quota_default_burst(10, 3600 * NS), 1);
        ck_assert_uint_eq(quota_default_burst(1, NS), 1);
        ck_assert_uint_eq(quota_default_burst(0, NS), 0);
}
END_TEST

Suite *quota_suite(void) {
        Suite *s = suite_create("quota");
        TCase *tc = tcase_create("bucket");

        tcase_add_test(tc, test_burst_then_deny);
        tcase_add_test(tc, test_exact_refill);
        tcase_add_test(tc, test_fractional_interval);
        tcase_add_test(tc, test_no_drift_polling);
        tcase_add_test(tc, test_no_drift_retry_after);
        tcase_add_test(tc, test_full_bucket_discards);
        tcase_add_test(tc, test_idle_caps_at_burst);
        tcase_add_test(tc, test_hierarchy_all_or_nothing);
        tcase_add_test(tc, test_retry_is_longest_wait);
        tcase_add_test(tc, test_global_shared);
        tcase_add_test(tc, test_unlimited);
        tcase_add_test(tc, test_refund);
        tcase_add_test(tc, test_default_burst);
        tcase_add_test(tc, test_starts_empty);
        tcase_add_test(tc, test_cost_and_debt);
        tcase_add_test(tc, test_flush_time_debt);
        tcase_add_test(tc, test_relimit);
        suite_add_tcase(s, tc);
        return s;
}

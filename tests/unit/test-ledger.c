/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-ledger.c - charging sections, per-user shares, reloads and the state file
 *
 * Policies are written to a temporary file and loaded with the real
 * parser; the clock is a plain integer. The state tests write a real file,
 * "restart" by freeing everything and opening it again, and check that the
 * levels come back exactly, and that a damaged file restores nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "policy.h"
#include "state.h"
#include "tests.h"
#include "util/macro.h"

#define NS UINT64_C(1000000000)
#define T0 (UINT64_C(1000) * NS)

static Policy *policy_from(const char *text) {
        char path[] = "/tmp/flushd-test-policy-XXXXXX";
        PolicyError error = {};
        Policy *p = NULL;
        int fd, r;

        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        r = policy_load(path, &p, &error);
        unlink(path);
        ck_assert_msg(r == 0, "line %u: %s", error.line, error.message);
        return p;
}

static void settle(Charge *c, uint64_t refund, uint64_t nsec, uint64_t now) {
        charge_settle(c, refund, nsec, now);
        charge_release(c);
}

static const char *const two_users =
        "[Default]\nAllow=yes\nRate=100/s\nBurst=100\nRatePerUser=1/s\nBurstPerUser=2\n"
        "[Cgroup gpu]\nPath=/gpu\nAllow=yes\nRate=10/s\nBurst=3\nFlushTime=20ms/s\n";

static int charge(Ledger *l, const Policy *p, const char *cgroup, uid_t uid, uint64_t tokens, uint64_t now,
                  Charge *c) {
        PolicyMatch m;

        policy_match(p, cgroup, &m);
        return ledger_charge(l, &m, uid, tokens, now, c, NULL, NULL);
}

/* n single-token charges of uid in /user.slice at t, each granted and settled. */
static void grant(Ledger *l, const Policy *p, uid_t uid, int n, uint64_t t) {
        for (int i = 0; i < n; i++) {
                Charge c;

                ck_assert_int_eq(charge(l, p, "/user.slice", uid, 1, t, &c), 0);
                settle(&c, 0, 0, t);
        }
}

START_TEST(test_starts_empty_and_fills) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_(ledger_freep) Ledger *l = NULL;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        ck_assert_int_eq(charge(l, p, "/gpu/a", 1000, 1, T0, &c), QUOTA_E_EXCEEDED);
        ck_assert_int_eq(charge(l, p, "/gpu/a", 1000, 1, T0 + NS, &c), 0);
        settle(&c, 0, 0, T0 + NS);
}
END_TEST

START_TEST(test_per_user_split) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_(ledger_freep) Ledger *l = NULL;
        uint64_t t = T0 + 10 * NS;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        /* alice drains her share of [Default] (burst 2) ... */
        grant(l, p, 1000, 2, t);
        ck_assert_int_eq(charge(l, p, "/user.slice", 1000, 1, t, &c), QUOTA_E_EXCEEDED);
        /* ... and carol still has hers */
        ck_assert_int_eq(charge(l, p, "/user.slice", 1002, 1, t, &c), 0);
        settle(&c, 0, 0, t);
        ck_assert_uint_eq(l->sections[POLICY_DEFAULT]->n_users, 2);

        /* Full, unused shares are evicted: they equal new ones. */
        ledger_evict_users(l, t + 10 * NS, NULL, NULL);
        ck_assert_uint_eq(l->sections[POLICY_DEFAULT]->n_users, 0);
}
END_TEST

static const char *const global_split =
        "[Daemon]\nGlobalRate=10/s\nGlobalBurst=10\nGlobalRatePerUser=5/s\nGlobalBurstPerUser=4\n"
        "[Default]\nAllow=yes\n";

START_TEST(test_global_per_user_split) {
        _cleanup_(policy_freep) Policy *p = policy_from(global_split);
        _cleanup_(ledger_freep) Ledger *l = NULL;
        uint64_t t = T0 + 10 * NS;
        Account *owner;
        PolicyMatch m;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        policy_match(p, "/user.slice", &m);
        /* bob's flood stops at his global share (burst 4) ... */
        grant(l, p, 1001, 4, t);
        ck_assert_int_eq(ledger_charge(l, &m, 1001, 1, t, &c, &owner, NULL), QUOTA_E_EXCEEDED);
        ck_assert_ptr_eq(owner, l->global);
        /* ... so alice still gets hers; the machine-wide bucket is the last guard */
        grant(l, p, 1000, 4, t);
        ck_assert_int_eq(quota_bucket_tokens(&l->global->rate, t), 2);
        ck_assert_uint_eq(l->global->n_users, 2);
        ck_assert_int_eq(charge(l, p, "/user.slice", 1002, 2, t, &c), 0);
        settle(&c, 0, 0, t);
        ck_assert_int_eq(ledger_charge(l, &m, 1003, 1, t, &c, &owner, NULL), QUOTA_E_EXCEEDED);
        ck_assert_ptr_eq(owner, l->global);
}
END_TEST

START_TEST(test_user_overflow_shares_one_bucket) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_(ledger_freep) Ledger *l = NULL;
        uint64_t t = T0 + 10 * NS;
        Account *d;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        d = l->sections[POLICY_DEFAULT];
        d->overflow.bucket.level = 0;   /* the overflow share is empty */
        d->overflow.bucket.last_ns = t;
        for (uid_t u = 0; u < ACCOUNT_USERS_MAX; u++) {
                int e;
                ck_assert_ptr_nonnull(account_user_bucket(d, 100000 + u, t, &e));
        }
        /* the next uid gets no fresh share of its own */
        ck_assert_int_eq(charge(l, p, "/user.slice", 5, 1, t, &c), QUOTA_E_EXCEEDED);
        ck_assert_uint_eq(d->n_users, ACCOUNT_USERS_MAX);
}
END_TEST

START_TEST(test_hierarchy_and_time_budget) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_(ledger_freep) Ledger *l = NULL;
        uint64_t t = T0 + 10 * NS;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        /* a 60 ms write-back puts gpu's 20ms/s budget 40 ms in debt */
        ck_assert_int_eq(charge(l, p, "/gpu", 1000, 1, t, &c), 0);
        settle(&c, 0, 60000000, t);
        ck_assert_int_eq(charge(l, p, "/gpu", 1000, 1, t, &c), QUOTA_E_EXCEEDED);
        /* back to one nanosecond of budget, which 20ms/s earns in 50 ns */
        ck_assert_int_eq(charge(l, p, "/gpu", 1000, 1, t + 2 * NS + 49, &c), QUOTA_E_EXCEEDED);
        ck_assert_int_eq(charge(l, p, "/gpu", 1000, 1, t + 2 * NS + 50, &c), 0);
        settle(&c, 0, 0, t + 2 * NS + 50);
        ck_assert_uint_eq(l->sections[1]->counters.time_ns, 60000000);
}
END_TEST

START_TEST(test_all_cpus_refund) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_(ledger_freep) Ledger *l = NULL;
        uint64_t t = T0 + 10 * NS;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        /* 3 tokens for a 3-CPU flush; the kernel wrote back 1: 2 come back */
        ck_assert_int_eq(charge(l, p, "/gpu", 1000, 3, t, &c), 0);
        ck_assert_int_eq(quota_bucket_tokens(&l->sections[1]->rate, t), 0);
        settle(&c, 2, 0, t);
        ck_assert_int_eq(quota_bucket_tokens(&l->sections[1]->rate, t), 2);
}
END_TEST

START_TEST(test_reload_carries_surviving_labels) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_(policy_freep) Policy *q = policy_from(
                "[Default]\nAllow=yes\n[Cgroup other]\nPath=/other\nAllow=yes\nRate=1/s\n"
                "[Cgroup gpu]\nPath=/gpu2\nAllow=yes\nRate=10/s\nBurst=3\n");
        _cleanup_(ledger_freep) Ledger *l = NULL, *k = NULL;
        uint64_t t = T0 + 10 * NS;
        Charge c;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
        for (int i = 0; i < 3; i++) {
                ck_assert_int_eq(charge(l, p, "/gpu", 1000, 1, t, &c), 0);
                settle(&c, 0, 0, t);
        }
        l->sections[1]->counters.granted = 3;
        /* gpu survives (at a new path, a new index): still empty, same counters */
        ck_assert_int_eq(ledger_new(q, l, p, t, &k), 0);
        ck_assert_ptr_eq(k->sections[2], l->sections[1]);
        ck_assert_int_eq(quota_bucket_tokens(&k->sections[2]->rate, t), 0);
        ck_assert_uint_eq(k->sections[2]->counters.granted, 3);
        ck_assert_ptr_eq(k->global, l->global);
        /* a new section starts empty */
        ck_assert_int_eq(quota_bucket_tokens(&k->sections[1]->rate, t), 0);
}
END_TEST

/* ---- the state file ---- */

static char *state_path(void) {
        char *path = strdup("/tmp/flushd-test-state-XXXXXX");
        int fd;

        ck_assert_ptr_nonnull(path);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        close(fd);
        unlink(path);   /* a missing file is the first start */
        return path;
}

/* A granted charge of uid in /user.slice, written to the state as the daemon does. */
static void charge_synced(Ledger *l, State *s, const Policy *p, uid_t uid, uint64_t tokens, uint64_t t) {
        Charge c;

        ck_assert_int_eq(charge(l, p, "/user.slice", uid, tokens, t, &c), 0);
        for (size_t k = 0; k < c.n; k++) {
                state_sync_account(s, c.accounts[k]);
                if (c.users[k])
                        ck_assert_int_eq(state_sync_user(s, c.accounts[k], c.users[k]), 0);
        }
        settle(&c, 0, 0, t);
}

/* One run of the daemon, started at start: ledger from policy, state from
 * path, n charges at t. */
static void run_from(uint64_t start, const Policy *p, const char *path, int n, uint64_t t, size_t *restored,
                     int64_t *ret_tokens, int64_t *ret_user_tokens) {
        _cleanup_(ledger_freep) Ledger *l = NULL;
        _cleanup_(state_freep) State *s = NULL;

        ck_assert_int_eq(ledger_new(p, NULL, NULL, start, &l), 0);
        ck_assert_int_eq(state_open(path, &s, restored), 0);
        ck_assert_int_eq(state_adopt(s, l, t), 0);
        for (int i = 0; i < n; i++)
                charge_synced(l, s, p, 1000, 1, t);
        *ret_tokens = quota_bucket_tokens(&l->sections[POLICY_DEFAULT]->rate, t);
        *ret_user_tokens = 0;
        if (l->sections[POLICY_DEFAULT]->n_users > 0) {
                int e;
                UserBucket *u = account_user_bucket(l->sections[POLICY_DEFAULT], 1000, t, &e);
                *ret_user_tokens = quota_bucket_tokens(&u->bucket, t);
        }
        /* no orderly save: the mapping is all there is, as after kill -9 */
}

/* A restart at t itself. */
static void run(const Policy *p, const char *path, int n, uint64_t t, size_t *restored, int64_t *ret_tokens,
                int64_t *ret_user_tokens) {
        run_from(t, p, path, n, t, restored, ret_tokens, ret_user_tokens);
}

START_TEST(test_state_survives_restart) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_free_ char *path = state_path();
        uint64_t t = T0 + 10 * NS;
        int64_t tokens, user, tokens2, user2;
        size_t restored;

        run_from(T0, p, path, 2, t, &restored, &tokens, &user);
        ck_assert_uint_eq(restored, 0);
        ck_assert_int_eq(tokens, 98);
        ck_assert_int_eq(user, 0);
        /* restart at the same instant: identical levels, the user's share too */
        run(p, path, 0, t, &restored, &tokens2, &user2);
        ck_assert_uint_gt(restored, 0);
        ck_assert_int_eq(tokens2, tokens);
        ck_assert_int_eq(user2, user);
        unlink(path);
}
END_TEST

static void damage(const char *path, off_t offset, const char *bytes, size_t n) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(pwrite(fd, bytes, n, offset), (ssize_t) n);
        close(fd);
}

START_TEST(test_state_keeps_global_user_share) {
        _cleanup_(policy_freep) Policy *p = policy_from(global_split);
        _cleanup_free_ char *path = state_path();
        uint64_t t = T0 + 10 * NS;

        for (int round = 0; round < 2; round++) {
                _cleanup_(ledger_freep) Ledger *l = NULL;
                _cleanup_(state_freep) State *s = NULL;
                UserBucket *u;
                size_t restored;
                int e;

                ck_assert_int_eq(ledger_new(p, NULL, NULL, T0, &l), 0);
                ck_assert_int_eq(state_open(path, &s, &restored), 0);
                ck_assert_int_eq(state_adopt(s, l, t), 0);
                if (round == 0) {
                        ck_assert_uint_eq(restored, 0);
                        charge_synced(l, s, p, 1001, 3, t);
                        continue;       /* no orderly save, as after kill -9 */
                }
                /* the restart finds bob's global share as he left it, not refilled */
                ck_assert_uint_gt(restored, 0);
                ck_assert_int_eq(quota_bucket_tokens(&l->global->rate, t), 7);
                ck_assert_uint_eq(l->global->n_users, 1);
                u = account_user_bucket(l->global, 1001, t, &e);
                ck_assert_ptr_nonnull(u);
                ck_assert_int_eq(quota_bucket_tokens(&u->bucket, t), 1);
        }
        unlink(path);
}
END_TEST

START_TEST(test_state_corrupt_starts_empty) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_free_ char *path = state_path();
        uint64_t t = T0 + 10 * NS;
        int64_t tokens, user;
        size_t restored;

        run_from(T0, p, path, 2, t, &restored, &tokens, &user);
        damage(path, 0, "garbage!", 8);                 /* the magic */
        run(p, path, 0, t, &restored, &tokens, &user);
        ck_assert_uint_eq(restored, 0);
        ck_assert_int_eq(tokens, 0);                    /* empty, not full */
        unlink(path);
}
END_TEST

START_TEST(test_state_torn_record_is_empty) {
        _cleanup_(policy_freep) Policy *p = policy_from(two_users);
        _cleanup_free_ char *path = state_path();
        uint64_t t = T0 + 10 * NS;
        int64_t tokens, user;
        size_t restored, before;
        uint32_t odd = 7;

        run_from(T0, p, path, 2, t, &restored, &tokens, &user);
        run(p, path, 0, t, &before, &tokens, &user);
        ck_assert_int_eq(tokens, 98);
        /* The first record (the [Default] account; its sequence number
         * comes right after the 64-byte header) caught mid-update. */
        damage(path, 64, (const char *) &odd, sizeof(odd));
        run(p, path, 0, t, &restored, &tokens, &user);
        ck_assert_uint_eq(restored, before - 1);
        ck_assert_int_eq(tokens, 0);
        unlink(path);
}
END_TEST

Suite *ledger_suite(void) {
        Suite *s = suite_create("ledger");
        TCase *tc = tcase_create("ledger"), *ts = tcase_create("state");

        tcase_add_test(tc, test_starts_empty_and_fills);
        tcase_add_test(tc, test_per_user_split);
        tcase_add_test(tc, test_global_per_user_split);
        tcase_add_test(tc, test_user_overflow_shares_one_bucket);
        tcase_add_test(tc, test_hierarchy_and_time_budget);
        tcase_add_test(tc, test_all_cpus_refund);
        tcase_add_test(tc, test_reload_carries_surviving_labels);
        suite_add_tcase(s, tc);
        tcase_add_test(ts, test_state_survives_restart);
        tcase_add_test(ts, test_state_keeps_global_user_share);
        tcase_add_test(ts, test_state_corrupt_starts_empty);
        tcase_add_test(ts, test_state_torn_record_is_empty);
        suite_add_tcase(s, ts);
        return s;
}

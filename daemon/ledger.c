/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ledger.c - the buckets and counters of every policy section, and charging them
 *
 * The policy says what the limits are; the ledger holds where each section
 * stands: its Rate= bucket, its FlushTime= budget, one bucket per caller
 * uid when the section splits its rate (RatePerUser=), and its counters.
 * One account per section, plus the global one for [Daemon].
 *
 * A request is charged to the chain of sections that match its cgroup,
 * deepest first, and to the global account, all or nothing (quota.c); the
 * time budgets take nothing up front, they only must not be in debt, and
 * are charged the kernel's reported nanoseconds afterwards. An all-CPU
 * flush is charged as many tokens as there are CPUs and refunded down to
 * what the kernel really wrote back.
 *
 * Per-user buckets are bounded per section (ACCOUNT_USERS_MAX); the uids
 * past the bound share one overflow bucket, so no number of uids (a
 * user's subordinate ids, say) makes more than one extra share. A full,
 * unused per-user bucket is the same as a new one and is evicted.
 *
 * Accounts are reference-counted so that a reload can carry the accounts
 * of surviving labels into the new ledger while requests in flight still
 * settle against what they charged. Pure: the clock is a parameter.
 */
#include <assert.h>
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "util/macro.h"

static int user_compare(const void *a, const void *b) {
        uid_t x = *(const uid_t *) a, y = *(const uid_t *) b;

        return x < y ? -1 : x > y;
}

static Account *account_new(const char *label, const QuotaLimit *rate, const QuotaLimit *time,
                            const QuotaLimit *user_limit, uint64_t now_ns) {
        Account *a = calloc(1, sizeof(*a));

        if (!a)
                return NULL;
        a->n_refs = 1;
        a->slot = -1;
        a->overflow.slot = -1;
        if (label) {
                a->label = strdup(label);
                if (!a->label) {
                        free(a);
                        return NULL;
                }
        }
        quota_bucket_init(&a->rate, rate, now_ns);
        quota_bucket_init(&a->time, time, now_ns);
        a->user_limit = *user_limit;
        quota_bucket_init(&a->overflow.bucket, user_limit, now_ns);
        return a;
}

Account *account_ref(Account *a) {
        if (a)
                a->n_refs++;
        return a;
}

Account *account_unref(Account *a) {
        if (!a)
                return NULL;
        assert(a->n_refs > 0);
        if (--a->n_refs > 0)
                return NULL;
        tdestroy(a->users, free);
        free(a->label);
        free(a);
        return NULL;
}

/* Carries a into new limits; user buckets follow RatePerUser=. */
static void account_relimit(Account *a, const QuotaLimit *rate, const QuotaLimit *time,
                            const QuotaLimit *user_limit, uint64_t now_ns);

static void user_relimit(const void *node, VISIT which, void *closure) {
        UserBucket *u = *(UserBucket *const *) node;
        const void **args = closure;

        if (which == postorder || which == leaf)
                quota_bucket_relimit(&u->bucket, args[0], *(const uint64_t *) args[1]);
}

static void account_relimit(Account *a, const QuotaLimit *rate, const QuotaLimit *time,
                            const QuotaLimit *user_limit, uint64_t now_ns) {
        const void *args[2] = { user_limit, &now_ns };

        quota_bucket_relimit(&a->rate, rate, now_ns);
        quota_bucket_relimit(&a->time, time, now_ns);
        a->user_limit = *user_limit;
        quota_bucket_relimit(&a->overflow.bucket, user_limit, now_ns);
        twalk_r(a->users, user_relimit, args);
}

Ledger *ledger_free(Ledger *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n_sections; i++)
                account_unref(l->sections[i]);
        free(l->sections);
        account_unref(l->global);
        free(l);
        return NULL;
}

static Account *old_account(const Ledger *old, const Policy *old_policy, const PolicySection *s) {
        size_t i;

        if (!old)
                return NULL;
        if (!s->label)
                return old->sections[POLICY_DEFAULT];
        if (policy_find_label(old_policy, s->label, &i) < 0)
                return NULL;
        return old->sections[i];
}

int ledger_new(const Policy *policy, const Ledger *old, const Policy *old_policy, uint64_t now_ns,
               Ledger **ret) {
        _cleanup_(ledger_freep) Ledger *l = NULL;

        assert(policy);
        assert(!old || old_policy);
        assert(ret);

        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->sections = calloc(policy->n_sections, sizeof(*l->sections));
        if (!l->sections)
                return -ENOMEM;

        /* First everything that can fail, leaving the old accounts as they
         * are: the old ledger stays in force if this returns an error. */
        for (; l->n_sections < policy->n_sections; l->n_sections++) {
                const PolicySection *s = &policy->sections[l->n_sections];
                Account *a = old_account(old, old_policy, s);

                a = a ? account_ref(a) : account_new(s->label, &s->limit, &s->time_limit, &s->user_limit, now_ns);
                if (!a)
                        return -ENOMEM;
                l->sections[l->n_sections] = a;
        }
        l->global = old ? account_ref(old->global)
                        : account_new("", &policy->global, &policy->global_time,
                                      &policy->global_user, now_ns);
        if (!l->global)
                return -ENOMEM;

        /* Then the surviving accounts take their new limits, which cannot fail. */
        if (old) {
                for (size_t i = 0; i < l->n_sections; i++) {
                        const PolicySection *s = &policy->sections[i];

                        if (l->sections[i] == old_account(old, old_policy, s))
                                account_relimit(l->sections[i], &s->limit, &s->time_limit, &s->user_limit,
                                                now_ns);
                }
                account_relimit(l->global, &policy->global, &policy->global_time, &policy->global_user,
                                now_ns);
        }

        *ret = TAKE_PTR(l);
        return 0;
}

Account *ledger_account(const Ledger *l, size_t section) {
        assert(l);
        if (section == SIZE_MAX)
                return l->global;
        assert(section < l->n_sections);
        return l->sections[section];
}

UserBucket *account_user_bucket(Account *a, uid_t uid, uint64_t now_ns, int *ret_error) {
        UserBucket *u, **found;

        *ret_error = 0;
        if (quota_limit_is_unlimited(&a->user_limit))
                return NULL;
        found = tfind(&uid, &a->users, user_compare);
        if (found)
                return *found;
        if (a->n_users >= ACCOUNT_USERS_MAX)
                return &a->overflow;

        u = calloc(1, sizeof(*u));
        if (!u) {
                *ret_error = -ENOMEM;
                return NULL;
        }
        u->uid = uid;
        u->slot = -1;
        quota_bucket_init(&u->bucket, &a->user_limit, now_ns);
        quota_bucket_fill(&u->bucket);
        found = tsearch(u, &a->users, user_compare);
        if (!found) {
                free(u);
                *ret_error = -ENOMEM;
                return NULL;
        }
        a->n_users++;
        return u;
}

/* The chain of a match, then global, as accounts. */
static size_t chain_accounts(const Ledger *l, const PolicyMatch *match, Account **ret) {
        size_t n = 0;

        for (size_t i = 0; i < match->n_chain; i++)
                ret[n++] = ledger_account(l, match->chain[i]);
        ret[n++] = l->global;
        return n;
}

int ledger_charge(Ledger *l, const PolicyMatch *match, uid_t uid, uint64_t tokens, uint64_t now_ns,
                  Charge *ret, Account **ret_account, uint64_t *ret_retry_ns) {
        QuotaBucket *buckets[CHARGE_ACCOUNTS_MAX * 3];
        uint64_t costs[CHARGE_ACCOUNTS_MAX * 3];
        Account *owners[CHARGE_ACCOUNTS_MAX * 3];
        Charge c = { .tokens = tokens };
        size_t n = 0, worst;
        int r;

        assert(l);
        assert(match);
        assert(ret);

        c.n = chain_accounts(l, match, c.accounts);
        for (size_t i = 0; i < c.n; i++) {
                Account *a = c.accounts[i];

                c.users[i] = account_user_bucket(a, uid, now_ns, &r);
                if (r < 0)
                        return r;
                owners[n] = a, buckets[n] = &a->rate, costs[n++] = tokens;
                if (c.users[i])
                        owners[n] = a, buckets[n] = &c.users[i]->bucket, costs[n++] = tokens;
                owners[n] = a, buckets[n] = &a->time, costs[n++] = 0;
        }

        r = quota_charge(buckets, costs, n, now_ns, &worst, ret_retry_ns);
        if (r != 0) {
                if (ret_account)
                        *ret_account = owners[worst];
                return r;
        }

        for (size_t i = 0; i < c.n; i++) {
                account_ref(c.accounts[i]);
                if (c.users[i])
                        c.users[i]->n_refs++;
        }
        *ret = c;
        return 0;
}

void charge_settle(Charge *c, uint64_t refund, uint64_t nsec, uint64_t now_ns) {
        assert(c);
        assert(refund <= c->tokens);

        for (size_t i = 0; i < c->n; i++) {
                Account *a = c->accounts[i];

                if (refund > 0) {
                        quota_refund(&a->rate, refund, now_ns);
                        if (c->users[i])
                                quota_refund(&c->users[i]->bucket, refund, now_ns);
                }
                if (nsec > 0)
                        quota_spend(&a->time, nsec, now_ns);
                a->counters.time_ns += nsec;
        }
}

void charge_release(Charge *c) {
        assert(c);

        for (size_t i = 0; i < c->n; i++) {
                if (c->users[i])
                        c->users[i]->n_refs--;
                account_unref(c->accounts[i]);
        }
        *c = (Charge) {};
}

static void inspect_one(BucketInfo *info, const Account *a, BucketKind kind, QuotaBucket *b, uint64_t now_ns) {
        *info = (BucketInfo) {
                .account = a,
                .kind = kind,
                .tokens = quota_bucket_tokens(b, now_ns),
                .burst = b->limit.burst,
                .refill_tokens = b->limit.tokens,
                .refill_period_ns = b->limit.period_ns,
                .wait_ns = quota_bucket_wait_ns(b, now_ns),
        };
}

size_t ledger_inspect(Ledger *l, const PolicyMatch *match, uid_t uid, uint64_t now_ns, BucketInfo *ret) {
        Account *accounts[CHARGE_ACCOUNTS_MAX];
        size_t n = 0, k;

        assert(l);
        assert(match);
        assert(ret);

        k = chain_accounts(l, match, accounts);
        for (size_t i = 0; i < k; i++) {
                Account *a = accounts[i];
                UserBucket **found;

                if (!quota_limit_is_unlimited(&a->rate.limit))
                        inspect_one(&ret[n++], a, BUCKET_RATE, &a->rate, now_ns);
                if (!quota_limit_is_unlimited(&a->user_limit)) {
                        found = tfind(&uid, &a->users, user_compare);
                        if (found)
                                inspect_one(&ret[n++], a, BUCKET_USER, &(*found)->bucket, now_ns);
                        else if (a->n_users >= ACCOUNT_USERS_MAX)
                                inspect_one(&ret[n++], a, BUCKET_USER, &a->overflow.bucket, now_ns);
                        else {
                                QuotaBucket fresh;

                                quota_bucket_init(&fresh, &a->user_limit, now_ns);
                                quota_bucket_fill(&fresh);
                                inspect_one(&ret[n++], a, BUCKET_USER, &fresh, now_ns);
                        }
                }
                if (!quota_limit_is_unlimited(&a->time.limit))
                        inspect_one(&ret[n++], a, BUCKET_TIME, &a->time, now_ns);
        }
        return n;
}

typedef struct EvictContext {
        UserBucket *victims[256];
        size_t n;
        uint64_t now_ns;
} EvictContext;

static void collect_idle(const void *node, VISIT which, void *closure) {
        UserBucket *u = *(UserBucket *const *) node;
        EvictContext *e = closure;

        if ((which == postorder || which == leaf) && e->n < ELEMENTSOF(e->victims) &&
            u->n_refs == 0 && quota_bucket_is_full(&u->bucket, e->now_ns))
                e->victims[e->n++] = u;
}

void ledger_evict_users(Ledger *l, uint64_t now_ns, void (*on_evict)(UserBucket *u, void *userdata),
                        void *userdata) {
        assert(l);

        for (size_t i = 0; i < l->n_sections; i++) {
                Account *a = l->sections[i];
                EvictContext e = { .now_ns = now_ns };

                if (!a->users)
                        continue;
                twalk_r(a->users, collect_idle, &e);
                for (size_t k = 0; k < e.n; k++) {
                        tdelete(e.victims[k], &a->users, user_compare);
                        if (on_evict)
                                on_evict(e.victims[k], userdata);
                        free(e.victims[k]);
                        a->n_users--;
                }
        }
}

typedef struct ForeachContext {
        void (*f)(UserBucket *u, void *userdata);
        void *userdata;
} ForeachContext;

static void foreach_user(const void *node, VISIT which, void *closure) {
        ForeachContext *c = closure;

        if (which == postorder || which == leaf)
                c->f(*(UserBucket *const *) node, c->userdata);
}

void account_foreach_user(Account *a, void (*f)(UserBucket *u, void *userdata), void *userdata) {
        ForeachContext c = { .f = f, .userdata = userdata };

        assert(a);
        twalk_r(a->users, foreach_user, &c);
}

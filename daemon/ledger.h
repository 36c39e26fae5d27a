/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ledger.h - the buckets and counters of every policy section, and charging them
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "policy.h"
#include "quota.h"

#define ACCOUNT_USERS_MAX 1024          /* per-user buckets per section; more share one */
#define CHARGE_ACCOUNTS_MAX (POLICY_DEPTH_MAX + 2)

typedef struct AccountCounters {
        uint64_t granted;               /* write-backs the kernel performed */
        uint64_t denied;                /* refused by the policy, for any of these reasons: */
        uint64_t denied_allow;          /*   Allow=no */
        uint64_t denied_user;           /*   Users=/Groups= */
        uint64_t denied_all_cpus;       /*   AllowAllCPUs=no */
        uint64_t throttled;             /* refused by a bucket of this section */
        uint64_t busy;                  /* refused because a queue was full */
        uint64_t failed;                /* the kernel could not serve it */
        uint64_t cpus_flushed;
        uint64_t cpus_coalesced;
        uint64_t time_ns;               /* kernel time used */
} AccountCounters;

typedef struct UserBucket {
        uid_t uid;                      /* first: the tree compares it */
        unsigned n_refs;                /* charges in flight; never evicted while > 0 */
        int slot;                       /* record in the state file (state.c), -1 if none */
        QuotaBucket bucket;
} UserBucket;

/* The runtime state of one section (or of the whole daemon). Shared by
 * reference: a reload hands surviving accounts to the new ledger, and a
 * request in flight keeps the accounts it charged. */
typedef struct Account {
        unsigned n_refs;
        char *label;                    /* NULL for [Default]; "" for the global account */
        QuotaBucket rate;               /* Rate= (GlobalRate=) */
        QuotaBucket time;               /* FlushTime= (GlobalFlushTime=) */
        QuotaLimit user_limit;          /* RatePerUser= */
        void *users;                    /* tsearch() tree of UserBucket */
        size_t n_users;
        UserBucket overflow;            /* shared by the uids past ACCOUNT_USERS_MAX */
        AccountCounters counters;
        int slot;                       /* record in the state file (state.c), -1 if none */
} Account;

typedef struct Ledger {
        Account **sections;             /* parallel to Policy.sections */
        size_t n_sections;
        Account *global;
} Ledger;

/* What one admitted request took, to settle when the kernel has answered. */
typedef struct Charge {
        Account *accounts[CHARGE_ACCOUNTS_MAX];  /* the match chain, deepest first, then global */
        UserBucket *users[CHARGE_ACCOUNTS_MAX];  /* the caller's share in each, or NULL */
        size_t n;
        uint64_t tokens;                /* taken from every rate and per-user bucket */
} Charge;

Account *account_ref(Account *a);
Account *account_unref(Account *a);

/*
 * A ledger for policy, its buckets empty as at a first start. If old (the
 * ledger of old_policy) is given, accounts of sections whose label
 * survives (and [Default], and the global one) are carried over with
 * their levels and counters, moved to the new limits.
 */
int ledger_new(const Policy *policy, const Ledger *old, const Policy *old_policy, uint64_t now_ns,
               Ledger **ret);
Ledger *ledger_free(Ledger *l);
static inline void ledger_freep(Ledger **l) {
        if (*l)
                ledger_free(*l);
}

/* The account at position i of a match chain (SIZE_MAX: global). */
Account *ledger_account(const Ledger *l, size_t section);

/*
 * Charges tokens to every section of match and to the global account:
 * rate, the caller's share (RatePerUser=) and the time budget (which must
 * not be in debt). All or nothing. Returns 0 with *ret filled (holding
 * references), QUOTA_E_EXCEEDED with *ret_account and *ret_retry_ns set to
 * the account that waits longest, or -ENOMEM.
 */
int ledger_charge(Ledger *l, const PolicyMatch *match, uid_t uid, uint64_t tokens, uint64_t now_ns,
                  Charge *ret, Account **ret_account, uint64_t *ret_retry_ns);
/* After the kernel answered: give back refund tokens (of what was taken)
 * and charge nsec of kernel time. */
void charge_settle(Charge *c, uint64_t refund, uint64_t nsec, uint64_t now_ns);
/* Drops the references a charge holds; it is empty afterwards. */
void charge_release(Charge *c);

typedef enum BucketKind {
        BUCKET_RATE,
        BUCKET_USER,
        BUCKET_TIME,
} BucketKind;

/* One bucket a request would be charged to, as it stands now. */
typedef struct BucketInfo {
        const Account *account;
        BucketKind kind;
        int64_t tokens;                 /* whole tokens now; negative in debt */
        uint64_t burst;
        uint64_t refill_tokens;         /* refill: refill_tokens every refill_period_ns */
        uint64_t refill_period_ns;
        uint64_t wait_ns;               /* until it holds one token */
} BucketInfo;

/*
 * Every limited bucket a request of uid matching match would be charged
 * to, without charging or creating anything (a uid without a share of its
 * own is shown with a full one, as it would get). Returns how many were
 * written to ret (at most CHARGE_ACCOUNTS_MAX * 3).
 */
size_t ledger_inspect(Ledger *l, const PolicyMatch *match, uid_t uid, uint64_t now_ns, BucketInfo *ret);

/* Drops per-user buckets that are full and unused: they equal a new one.
 * on_evict (may be NULL) sees each before it is freed. */
void ledger_evict_users(Ledger *l, uint64_t now_ns, void (*on_evict)(UserBucket *u, void *userdata),
                        void *userdata);
/* The caller's share of a, created (full) if new; NULL if a has no split. */
UserBucket *account_user_bucket(Account *a, uid_t uid, uint64_t now_ns, int *ret_error);
/* Calls f for every per-user bucket of a. */
void account_foreach_user(Account *a, void (*f)(UserBucket *u, void *userdata), void *userdata);

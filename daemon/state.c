/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * state.c - bucket levels and counters that survive a restart
 *
 * If a restart refilled the buckets, a caller could turn a crash of the
 * daemon (or a kill -9 by an admin, or the watchdog) into a fresh burst.
 * So every account and per-user bucket has a fixed-size record in a file
 * under /run (tmpfs: it lives as long as the boot, like the monotonic clock
 * its timestamps use), mapped shared into the daemon. A change is a few
 * stores into that memory, no system call; the page cache keeps them when
 * the process dies, however it dies.
 *
 * Each record has a sequence number that is odd while the record is being
 * written: a record torn by a kill in the middle of an update, a file from
 * another boot (boot id), a bad magic, version or size, or a timestamp from
 * the future are ignored, and the buckets concerned start empty — never
 * full. Records are matched to the policy by section label (and uid), so a
 * reload or a changed policy keeps what still applies; limits may have
 * changed in between, so levels are moved to the new limits in tokens.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util/macro.h"

#define STATE_MAGIC "FLUSHDS\1"
#define STATE_VERSION 2
#define STATE_LABEL_MAX 64
#define STATE_DEFAULT_LABEL "[Default]"   /* labels cannot contain brackets */

enum {
        RECORD_FREE,
        RECORD_ACCOUNT,
        RECORD_USER,
};

typedef struct StateBucket {
        uint64_t tokens, period_ns, burst;
        int64_t level_hi;
        uint64_t level_lo;
        uint64_t last_ns;
} StateBucket;

typedef struct StateRecord {
        uint32_t seq;                   /* odd while being written */
        uint32_t kind;
        uint32_t uid;                   /* RECORD_USER */
        uint32_t reserved;
        char label[STATE_LABEL_MAX];    /* the account's */
        StateBucket rate, time;         /* RECORD_USER: rate is the per-user bucket */
        AccountCounters counters;
} StateRecord;

typedef struct StateHeader {
        char magic[8];
        uint32_t version;
        uint32_t record_size;
        char boot_id[40];
        uint64_t n_records;
} StateHeader;

struct State {
        char *path;
        int fd;
        int new_fd;                     /* the file being written by state_adopt() */
        StateHeader *map;
        size_t map_size;
        StateRecord *old;               /* valid records of the previous run, until restored */
        size_t n_old;
        bool restored;
        int *free_slots;
        size_t n_free, n_free_alloc;
        char boot_id[40];
};

static StateRecord *records(State *s) {
        return (StateRecord *) (s->map + 1);
}

static void boot_id_read(char buf[static 40]) {
        _cleanup_close_ int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, 39);

        memset(buf + (n > 0 ? n : 0), 0, 40 - (n > 0 ? n : 0));
}

static const char *account_label(const Account *a) {
        return a->label ?: STATE_DEFAULT_LABEL;
}

static void bucket_save(StateBucket *d, const QuotaBucket *b) {
        *d = (StateBucket) {
                .tokens = b->limit.tokens, .period_ns = b->limit.period_ns, .burst = b->limit.burst,
                .level_hi = (int64_t) (b->level >> 64), .level_lo = (uint64_t) b->level,
                .last_ns = b->last_ns,
        };
}

/* Moves a saved level onto b (which has the current limit). */
static void bucket_load(QuotaBucket *b, const StateBucket *d, uint64_t now_ns) {
        QuotaBucket saved = {
                .limit = { .tokens = d->tokens, .period_ns = d->period_ns, .burst = d->burst },
                .level = ((__int128) d->level_hi << 64) | d->level_lo,
                .last_ns = d->last_ns,
        };
        QuotaLimit limit = b->limit;

        if (d->last_ns > now_ns || d->period_ns == 0 || d->period_ns > QUOTA_PERIOD_MAX ||
            saved.level > (__int128) d->burst * d->period_ns)
                return;         /* not from this boot, or nonsense: stays as it is (empty) */
        quota_bucket_relimit(&saved, &limit, now_ns);
        *b = saved;
}

static void record_begin(StateRecord *r) {
        __atomic_store_n(&r->seq, r->seq | 1, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void record_end(StateRecord *r) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        __atomic_store_n(&r->seq, (r->seq | 1) + 1, __ATOMIC_RELEASE);
}

static bool record_is_valid(const StateRecord *r) {
        return !(r->seq & 1) && (r->kind == RECORD_ACCOUNT || r->kind == RECORD_USER) &&
               memchr(r->label, '\0', sizeof(r->label));
}

int state_open(const char *path, State **ret, size_t *ret_restorable) {
        _cleanup_(state_freep) State *s = NULL;
        StateHeader h;
        struct stat st;
        ssize_t n;

        assert(path);
        assert(ret);

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->fd = s->new_fd = -EBADF;
        s->path = strdup(path);
        if (!s->path)
                return -ENOMEM;
        boot_id_read(s->boot_id);

        s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (s->fd < 0)
                return -errno;
        if (fstat(s->fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;

        /* What the previous run left: only records that pass every check. */
        n = pread(s->fd, &h, sizeof(h), 0);
        if (n == (ssize_t) sizeof(h) && memcmp(h.magic, STATE_MAGIC, 8) == 0 && h.version == STATE_VERSION &&
            h.record_size == sizeof(StateRecord) && memcmp(h.boot_id, s->boot_id, 40) == 0 &&
            h.n_records <= (uint64_t) (st.st_size - sizeof(h)) / sizeof(StateRecord)) {
                s->old = calloc(h.n_records ?: 1, sizeof(StateRecord));
                if (!s->old)
                        return -ENOMEM;
                for (uint64_t i = 0; i < h.n_records; i++) {
                        StateRecord r;

                        if (pread(s->fd, &r, sizeof(r), sizeof(h) + i * sizeof(r)) != (ssize_t) sizeof(r))
                                break;
                        if (record_is_valid(&r))
                                s->old[s->n_old++] = r;
                }
        }

        if (ret_restorable)
                *ret_restorable = s->n_old;
        *ret = TAKE_PTR(s);
        return 0;
}

static void unmap(State *s) {
        if (s->map)
                munmap(s->map, s->map_size);
        s->map = NULL;
        s->map_size = 0;
}

State *state_free(State *s) {
        if (!s)
                return NULL;
        unmap(s);
        safe_close(s->fd);
        safe_close(s->new_fd);
        free(s->old);
        free(s->free_slots);
        free(s->path);
        free(s);
        return NULL;
}

static const StateRecord *old_find(State *s, uint32_t kind, const char *label, uid_t uid) {
        for (size_t i = 0; i < s->n_old; i++) {
                const StateRecord *r = &s->old[i];

                if (r->kind == kind && (kind != RECORD_USER || r->uid == uid) && strcmp(r->label, label) == 0)
                        return r;
        }
        return NULL;
}

/* A new file beside the old one, renamed over it once complete: the old
 * records stay valid until the new ones are all written. */
static int map_records(State *s, size_t n) {
        size_t size = sizeof(StateHeader) + n * sizeof(StateRecord);
        _cleanup_free_ char *tmp = NULL;
        void *p;

        if (asprintf(&tmp, "%s.new", s->path) < 0)
                return -ENOMEM;
        s->new_fd = safe_close(s->new_fd);
        s->new_fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (s->new_fd < 0)
                return -errno;
        if (ftruncate(s->new_fd, size) < 0)
                return -errno;
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, s->new_fd, 0);
        if (p == MAP_FAILED)
                return -errno;
        unmap(s);
        s->map = p;
        s->map_size = size;
        memcpy(s->map->magic, STATE_MAGIC, 8);
        s->map->version = STATE_VERSION;
        s->map->record_size = sizeof(StateRecord);
        memcpy(s->map->boot_id, s->boot_id, 40);
        s->map->n_records = n;
        return 0;
}

static int map_commit(State *s) {
        _cleanup_free_ char *tmp = NULL;

        if (asprintf(&tmp, "%s.new", s->path) < 0)
                return -ENOMEM;
        if (rename(tmp, s->path) < 0)
                return -errno;
        safe_close(s->fd);
        s->fd = TAKE_FD(s->new_fd);
        return 0;
}

typedef struct AdoptContext {
        State *s;
        const Account *a;
        uint64_t now_ns;
        size_t next;
        bool count_only;
        size_t n;
} AdoptContext;

static void record_write_user(StateRecord *r, const Account *a, const UserBucket *u) {
        record_begin(r);
        r->kind = RECORD_USER;
        r->uid = u->uid;
        snprintf(r->label, sizeof(r->label), "%s", account_label(a));
        bucket_save(&r->rate, &u->bucket);
        record_end(r);
}

static void adopt_user(UserBucket *u, void *userdata) {
        AdoptContext *c = userdata;

        if (c->count_only) {
                c->n++;
                return;
        }
        if (!c->s->restored) {
                const StateRecord *old = old_find(c->s, RECORD_USER, account_label(c->a), u->uid);

                if (old)
                        bucket_load(&u->bucket, &old->rate, c->now_ns);
        }
        u->slot = (int) c->next++;
        record_write_user(&records(c->s)[u->slot], c->a, u);
}

void state_sync_account(State *s, const Account *a) {
        StateRecord *r;

        if (!s || !s->map || a->slot < 0)
                return;
        r = &records(s)[a->slot];
        record_begin(r);
        r->kind = RECORD_ACCOUNT;
        snprintf(r->label, sizeof(r->label), "%s", account_label(a));
        bucket_save(&r->rate, &a->rate);
        bucket_save(&r->time, &a->time);
        r->counters = a->counters;
        record_end(r);
}

static int restore_old_users(State *s, Account *a, uint64_t now_ns) {
        /* Per-user buckets of the previous run that are not full. */
        for (size_t i = 0; i < s->n_old; i++) {
                const StateRecord *r = &s->old[i];
                UserBucket *u;
                int e;

                if (r->kind != RECORD_USER || strcmp(r->label, account_label(a)) != 0)
                        continue;
                u = account_user_bucket(a, r->uid, now_ns, &e);
                if (e < 0)
                        return e;
                if (u && u != &a->overflow)
                        bucket_load(&u->bucket, &r->rate, now_ns);
        }
        return 0;
}

int state_adopt(State *s, Ledger *l, uint64_t now_ns) {
        size_t n = 0, next = 0, slack;
        int r;

        assert(s);
        assert(l);

        if (!s->restored)
                for (size_t i = 0; i < l->n_sections + 1; i++) {
                        Account *a = i < l->n_sections ? l->sections[i] : l->global;
                        const StateRecord *old = old_find(s, RECORD_ACCOUNT, account_label(a), 0);

                        if (old) {
                                bucket_load(&a->rate, &old->rate, now_ns);
                                bucket_load(&a->time, &old->time, now_ns);
                                a->counters = old->counters;
                        }
                        r = restore_old_users(s, a, now_ns);
                        if (r < 0)
                                return r;
                }

        for (size_t i = 0; i < l->n_sections + 1; i++) {
                AdoptContext c = { .s = s, .count_only = true };
                Account *a = i < l->n_sections ? l->sections[i] : l->global;

                account_foreach_user(a, adopt_user, &c);
                n += 1 + c.n;
        }
        slack = 64 + n / 16;   /* room for new per-user shares until the next reload */
        r = map_records(s, n + slack);
        if (r < 0)
                return r;

        for (size_t i = 0; i < l->n_sections + 1; i++) {
                Account *a = i < l->n_sections ? l->sections[i] : l->global;
                AdoptContext c = { .s = s, .a = a, .now_ns = now_ns };

                a->slot = (int) next++;
                state_sync_account(s, a);
                c.next = next;
                account_foreach_user(a, adopt_user, &c);
                next = c.next;
        }

        /* The rest are free, highest last so they are handed out in order. */
        free(s->free_slots);
        s->n_free = 0;
        s->n_free_alloc = slack;
        s->free_slots = calloc(slack, sizeof(int));
        if (!s->free_slots)
                return -ENOMEM;
        for (size_t i = n + slack; i > n; i--)
                s->free_slots[s->n_free++] = (int) (i - 1);

        r = map_commit(s);
        if (r < 0)
                return r;
        s->restored = true;
        free(s->old);
        s->old = NULL;
        s->n_old = 0;
        return 0;
}

int state_sync_user(State *s, const Account *a, UserBucket *u) {
        if (!s || !s->map)
                return 0;
        if (u->slot < 0) {
                if (s->n_free == 0)
                        return -ENOSPC;         /* the next reload makes room */
                u->slot = s->free_slots[--s->n_free];
        }
        record_write_user(&records(s)[u->slot], a, u);
        return 0;
}

void state_release_user(State *s, UserBucket *u) {
        StateRecord *r;

        if (!s || !s->map || u->slot < 0)
                return;
        r = &records(s)[u->slot];
        record_begin(r);
        r->kind = RECORD_FREE;
        record_end(r);
        if (s->n_free < s->n_free_alloc)
                s->free_slots[s->n_free++] = u->slot;
        u->slot = -1;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strindex.c - an insert-only hash index from strings to array positions
 *
 * The policy is immutable once loaded, so its lookups (a cgroup path and
 * each of its ancestors, a section label) need no deletion: open
 * addressing with linear probing, kept at most half full, FNV-1a. The keys
 * are the admin's; a caller only chooses what is looked up, and a lookup
 * stops at the first empty slot, so its cost does not depend on how many
 * sections there are. strindex_get() takes a length so that the ancestors
 * of "/a/b/c" are looked up in place, without copies.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strindex.h"

static uint64_t hash(const char *s, size_t len) {
        return strindex_hash(STRINDEX_HASH_INIT, s, len);
}

void strindex_done(StrIndex *x) {
        free(x->slots);
        *x = (StrIndex) {};
}

static StrIndexSlot *slot_find_hashed(StrIndexSlot *slots, size_t n_slots, const char *key, size_t len,
                                      uint64_t h) {
        size_t i = h & (n_slots - 1);

        for (;; i = (i + 1) & (n_slots - 1)) {
                StrIndexSlot *s = &slots[i];

                if (!s->key)
                        return s;
                if (strncmp(s->key, key, len) == 0 && s->key[len] == '\0')
                        return s;
        }
}

static StrIndexSlot *slot_find(StrIndexSlot *slots, size_t n_slots, const char *key, size_t len) {
        return slot_find_hashed(slots, n_slots, key, len, hash(key, len));
}

static int grow(StrIndex *x) {
        size_t n = x->n_slots ? x->n_slots * 2 : 16;
        StrIndexSlot *slots;

        if (n < x->n_slots)
                return -ENOMEM;
        slots = calloc(n, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < x->n_slots; i++)
                if (x->slots[i].key)
                        *slot_find(slots, n, x->slots[i].key, strlen(x->slots[i].key)) = x->slots[i];
        free(x->slots);
        x->slots = slots;
        x->n_slots = n;
        return 0;
}

int strindex_put(StrIndex *x, const char *key, size_t value, size_t *ret_value) {
        StrIndexSlot *s;
        int r;

        assert(x);
        assert(key);

        if ((x->n_used + 1) * 2 > x->n_slots) {
                r = grow(x);
                if (r < 0)
                        return r;
        }
        s = slot_find(x->slots, x->n_slots, key, strlen(key));
        if (s->key) {
                if (ret_value)
                        *ret_value = s->value;
                return -EEXIST;
        }
        *s = (StrIndexSlot) { .key = key, .value = value };
        x->n_used++;
        return 0;
}

int strindex_get(const StrIndex *x, const char *key, size_t len, size_t *ret_value) {
        return strindex_get_hashed(x, key, len, hash(key, len), ret_value);
}

int strindex_get_hashed(const StrIndex *x, const char *key, size_t len, uint64_t h, size_t *ret_value) {
        const StrIndexSlot *s;

        assert(x);
        assert(key);

        if (x->n_slots == 0)
                return -ENOENT;
        s = slot_find_hashed(x->slots, x->n_slots, key, len, h);
        if (!s->key)
                return -ENOENT;
        if (ret_value)
                *ret_value = s->value;
        return 0;
}

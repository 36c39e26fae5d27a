/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strindex.h - an insert-only hash index from strings to array positions
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct StrIndexSlot {
        const char *key;                /* borrowed: the owner keeps the string alive */
        size_t value;
} StrIndexSlot;

typedef struct StrIndex {
        StrIndexSlot *slots;
        size_t n_slots;                 /* a power of two, at least twice n_used */
        size_t n_used;
} StrIndex;

void strindex_done(StrIndex *x);
/* 0, or -EEXIST with *ret_value set to the existing entry's value, or -ENOMEM. */
int strindex_put(StrIndex *x, const char *key, size_t value, size_t *ret_value);
/* Looks up the first len bytes of key (a prefix of a longer string is fine). */
int strindex_get(const StrIndex *x, const char *key, size_t len, size_t *ret_value);

/* The same, with the hash of those bytes already computed (strindex_hash). */
int strindex_get_hashed(const StrIndex *x, const char *key, size_t len, uint64_t hash, size_t *ret_value);
#define STRINDEX_HASH_INIT UINT64_C(0xcbf29ce484222325)
static inline uint64_t strindex_hash(uint64_t h, const char *s, size_t len) {
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char) s[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

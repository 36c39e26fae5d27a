/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strindex.h - an insert-only hash index from strings to array positions
 */
#pragma once

#include <stddef.h>

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

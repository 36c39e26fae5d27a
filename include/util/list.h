/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * list.h - intrusive doubly-linked lists
 *
 * A ListHead is embedded in the object; a list is a ListHead whose next
 * and prev point to itself when empty. An unlinked node also points to
 * itself, so list_unlink() is safe to call twice and list_linked() tells
 * whether a node is on some list. LIST_ENTRY() recovers the object.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct ListHead {
        struct ListHead *next, *prev;
} ListHead;

#define LIST_ENTRY(node, type, member) ((type *) ((char *) (node) - offsetof(type, member)))

static inline void list_init(ListHead *h) {
        h->next = h->prev = h;
}

static inline bool list_empty(const ListHead *h) {
        return h->next == h;
}

static inline bool list_linked(const ListHead *n) {
        return n->next != n;
}

static inline void list_unlink(ListHead *n) {
        n->prev->next = n->next;
        n->next->prev = n->prev;
        list_init(n);
}

static inline void list_append(ListHead *h, ListHead *n) {
        n->prev = h->prev;
        n->next = h;
        h->prev->next = n;
        h->prev = n;
}

static inline ListHead *list_first(const ListHead *h) {
        return list_empty(h) ? NULL : h->next;
}

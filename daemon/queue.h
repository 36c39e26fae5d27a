/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * queue.h - round-robin across classes, then across flows within a class
 */
#pragma once

#include <stddef.h>

#include "util/list.h"

typedef struct QueueClass QueueClass;

/* A flow is one caller (embedded in its Peer); an item one request. */
typedef struct QueueFlow {
        ListHead items;
        ListHead node;                  /* in its class's ring while it has items */
        QueueClass *klass;
} QueueFlow;

typedef struct QueueItem {
        ListHead node;
        QueueFlow *flow;
} QueueItem;

typedef struct Queue {
        ListHead classes;               /* ring of classes that have flows with items */
        void *tree;                     /* tsearch() tree of QueueClass, by id */
        size_t n_items;
} Queue;

void queue_init(Queue *q);
void queue_done(Queue *q);              /* the queue must be empty */
static inline void queue_flow_init(QueueFlow *f) {
        list_init(&f->items);
        list_init(&f->node);
        f->klass = NULL;
}
static inline void queue_item_init(QueueItem *i) {
        list_init(&i->node);
        i->flow = NULL;
}

/* Appends item to flow, which joins class id's ring if it was idle. A
 * flow with items keeps the class it joined with. */
int queue_push(Queue *q, size_t id, QueueFlow *flow, QueueItem *item);
/* The next item: the first flow of the first class; both then move to
 * the back of their rings. NULL if empty. */
QueueItem *queue_pop(Queue *q);
/* Takes a queued item out (a cancelled request); no-op if not queued. */
void queue_remove(Queue *q, QueueItem *item);

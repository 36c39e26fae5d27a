/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * queue.c - round-robin across classes, then across flows within a class
 *
 * Admitted requests wait here for a worker thread. A class is a policy
 * section (the one that decided the request) and a flow is one caller's
 * connection. Each pop serves the class at the front of the ring and, in
 * it, the flow at the front of its ring, then sends both to the back: a
 * section with a thousand busy connections gets one turn like a section
 * with one, and inside a section every connection gets one turn in
 * order. A caller that floods only lengthens its own flow. Classes exist
 * only while they hold items, so their number is bounded by the requests
 * in flight, not by the size of the policy. Pure: no bus, no clock.
 */
#include <assert.h>
#include <errno.h>
#include <search.h>
#include <stdlib.h>

#include "queue.h"

struct QueueClass {
        size_t id;                      /* first: the tree compares it */
        ListHead node;                  /* in Queue.classes */
        ListHead flows;                 /* ring of flows with items */
};

static int class_compare(const void *a, const void *b) {
        size_t x = *(const size_t *) a, y = *(const size_t *) b;

        return x < y ? -1 : x > y;
}

void queue_init(Queue *q) {
        *q = (Queue) {};
        list_init(&q->classes);
}

void queue_done(Queue *q) {
        assert(q->n_items == 0);
        assert(!q->tree);
}

static QueueClass *class_get(Queue *q, size_t id) {
        QueueClass *c, **found;

        found = tfind(&id, &q->tree, class_compare);
        if (found)
                return *found;

        c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->id = id;
        list_init(&c->flows);
        found = tsearch(c, &q->tree, class_compare);
        if (!found) {
                free(c);
                return NULL;
        }
        list_append(&q->classes, &c->node);
        return c;
}

static void class_put(Queue *q, QueueClass *c) {
        if (!list_empty(&c->flows))
                return;
        list_unlink(&c->node);
        tdelete(c, &q->tree, class_compare);
        free(c);
}

int queue_push(Queue *q, size_t id, QueueFlow *flow, QueueItem *item) {
        assert(q);
        assert(flow);
        assert(item);
        assert(!list_linked(&item->node));

        if (!flow->klass) {
                QueueClass *c = class_get(q, id);

                if (!c)
                        return -ENOMEM;
                flow->klass = c;
                list_append(&c->flows, &flow->node);
        }
        item->flow = flow;
        list_append(&flow->items, &item->node);
        q->n_items++;
        return 0;
}

/* After an item left flow: idle flows leave their class, empty classes go. */
static void flow_settle(Queue *q, QueueFlow *flow) {
        QueueClass *c = flow->klass;

        if (!list_empty(&flow->items))
                return;
        list_unlink(&flow->node);
        flow->klass = NULL;
        class_put(q, c);
}

QueueItem *queue_pop(Queue *q) {
        QueueClass *c;
        QueueFlow *flow;
        QueueItem *item;
        ListHead *n;

        assert(q);

        n = list_first(&q->classes);
        if (!n)
                return NULL;
        c = LIST_ENTRY(n, QueueClass, node);
        flow = LIST_ENTRY(list_first(&c->flows), QueueFlow, node);
        item = LIST_ENTRY(list_first(&flow->items), QueueItem, node);

        list_unlink(&item->node);
        item->flow = NULL;
        q->n_items--;

        /* Both go to the back of their rings, or away if now idle. */
        list_unlink(&c->node);
        list_append(&q->classes, &c->node);
        list_unlink(&flow->node);
        list_append(&c->flows, &flow->node);
        flow_settle(q, flow);
        return item;
}

void queue_remove(Queue *q, QueueItem *item) {
        QueueFlow *flow;

        assert(q);
        assert(item);

        if (!list_linked(&item->node))
                return;
        flow = item->flow;
        list_unlink(&item->node);
        item->flow = NULL;
        q->n_items--;
        flow_settle(q, flow);
}

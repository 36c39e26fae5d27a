/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * outbox.h - replies leave round-robin across connections when the bus is slow to take them
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "util/list.h"

#define OUTBOX_WQUEUE_MAX 32            /* sd-bus write queue above which replies wait here */
#define OUTBOX_PEER_MAX   64            /* replies one connection may have waiting; more are dropped */
#define OUTBOX_SNDBUF     (64 * 1024)   /* the bus socket's send buffer, see outbox.c */

/* One connection's waiting replies (embedded in its Peer). */
typedef struct OutboxQueue {
        ListHead messages;
        ListHead node;                  /* in Outbox.ready while it has messages */
        unsigned n;
} OutboxQueue;

typedef struct Outbox {
        sd_bus *bus;
        sd_event_source *post;
        ListHead ready;
        uint64_t n_dropped;
} Outbox;

int outbox_init(Outbox *o, sd_bus *bus, sd_event *event);
void outbox_done(Outbox *o);
static inline void outbox_queue_init(OutboxQueue *q) {
        list_init(&q->messages);
        list_init(&q->node);
        q->n = 0;
}
/* Drops what q still holds (its connection went away). */
void outbox_queue_clear(OutboxQueue *q);

/* Sends reply now, or queues it on q (NULL: always now) behind the others
 * of its connection if the bus is not keeping up. Returns 0 or < 0. */
int outbox_send(Outbox *o, OutboxQueue *q, sd_bus_message *reply);

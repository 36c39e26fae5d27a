/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * outbox.c - replies leave round-robin across connections when the bus is slow to take them
 *
 * Every reply flushd sends goes down one socket to the bus daemon, which
 * reads it at its own pace. Under a flood the bus daemon is the slowest
 * part (it routes every flood call and every reply, and logs what it
 * rejects), and a FIFO of replies would put an innocent caller's answer
 * behind thousands of answers to the flooder: sd-bus grows the socket's
 * send buffer to 8 MiB, and its own write queue has no bound.
 *
 * So the socket's send buffer is set back to OUTBOX_SNDBUF, and once
 * sd-bus's write queue holds OUTBOX_WQUEUE_MAX messages, replies wait
 * here instead, one queue per connection, and leave round-robin as the
 * write queue drains (a post source of the event loop tops it up after
 * every dispatch). A connection whose waiting replies reach
 * OUTBOX_PEER_MAX is not reading them: further ones are dropped and
 * counted, as the bus daemon would do with a full queue anyway.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "outbox.h"

typedef struct OutboxItem {
        ListHead node;
        sd_bus_message *message;
} OutboxItem;

static uint64_t wqueue_length(sd_bus *bus) {
        uint64_t n = 0;

        (void) sd_bus_get_n_queued_write(bus, &n);
        return n;
}

static int on_post(sd_event_source *s, void *userdata) {
        Outbox *o = userdata;

        while (!list_empty(&o->ready) && wqueue_length(o->bus) < OUTBOX_WQUEUE_MAX) {
                OutboxQueue *q = LIST_ENTRY(list_first(&o->ready), OutboxQueue, node);
                OutboxItem *item = LIST_ENTRY(list_first(&q->messages), OutboxItem, node);

                list_unlink(&item->node);
                q->n--;
                (void) sd_bus_send(o->bus, item->message, NULL);
                sd_bus_message_unref(item->message);
                free(item);

                /* this connection goes to the back of the ring, or leaves it */
                list_unlink(&q->node);
                if (q->n > 0)
                        list_append(&o->ready, &q->node);
        }
        if (list_empty(&o->ready))
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

int outbox_init(Outbox *o, sd_bus *bus, sd_event *event) {
        int fd, size = OUTBOX_SNDBUF, r;

        assert(o);
        assert(bus);

        *o = (Outbox) { .bus = bus };
        list_init(&o->ready);

        fd = sd_bus_get_fd(bus);
        if (fd >= 0)
                (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));

        r = sd_event_add_post(event, &o->post, on_post, o);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(o->post, SD_EVENT_OFF);
}

void outbox_queue_clear(OutboxQueue *q) {
        ListHead *n;

        while ((n = list_first(&q->messages))) {
                OutboxItem *item = LIST_ENTRY(n, OutboxItem, node);

                list_unlink(n);
                sd_bus_message_unref(item->message);
                free(item);
        }
        q->n = 0;
        list_unlink(&q->node);
}

void outbox_done(Outbox *o) {
        if (!o->bus)
                return;         /* never set up (e.g. --check-config) */
        while (!list_empty(&o->ready))
                outbox_queue_clear(LIST_ENTRY(list_first(&o->ready), OutboxQueue, node));
        o->post = sd_event_source_disable_unref(o->post);
}

int outbox_send(Outbox *o, OutboxQueue *q, sd_bus_message *reply) {
        OutboxItem *item;

        assert(o);
        assert(reply);

        if (!q || (list_empty(&o->ready) && wqueue_length(o->bus) < OUTBOX_WQUEUE_MAX))
                return sd_bus_send(o->bus, reply, NULL);

        if (q->n >= OUTBOX_PEER_MAX) {
                o->n_dropped++;
                return 0;
        }
        item = calloc(1, sizeof(*item));
        if (!item)
                return -ENOMEM;
        item->message = sd_bus_message_ref(reply);
        list_append(&q->messages, &item->node);
        q->n++;
        if (!list_linked(&q->node))
                list_append(&o->ready, &q->node);
        return sd_event_source_set_enabled(o->post, SD_EVENT_ON);
}

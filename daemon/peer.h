/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peer.h - the callers' connections: identity fetched once, asynchronously
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "identity.h"
#include "outbox.h"
#include "queue.h"
#include "util/list.h"

#define PEERS_MAX           4096        /* connections with a record (and two fds each) */
#define PEERS_RESOLVING_MAX 64          /* records whose credentials are still on the way */
#define PEER_CREDENTIALS_TIMEOUT_USEC (UINT64_C(5) * 1000000)   /* per attempt */
#define PEER_CREDENTIALS_ATTEMPTS 3

typedef struct PeerTable PeerTable;

typedef enum PeerState {
        PEER_RESOLVING,                 /* GetConnectionCredentials sent */
        PEER_READY,                     /* identity holds a pidfd and the cgroup file */
        PEER_FAILED,                    /* outcome says why; requests fail with it */
} PeerState;

typedef struct Peer {
        char *name;                     /* unique bus name (name_buf); first, it is the tree's key */
        PeerTable *table;
        PeerState state;
        int outcome;                    /* PEER_FAILED: IDENTITY_E_* or a negative errno */
        Identity *identity;
        sd_bus_slot *slot;              /* the credentials call in flight */
        unsigned attempts;
        ListHead requests;              /* the requests of this connection, owned elsewhere */
        unsigned n_requests;
        ListHead lru;                   /* in PeerTable.lru, least recently used first */
        QueueFlow flow;                 /* this connection's admitted requests waiting for a worker */
        OutboxQueue outq;               /* its replies waiting for the bus to take them */
        char name_buf[];
} Peer;

/* Called when a peer's identity is settled (ready or failed), and when a
 * peer goes away; the peer is freed right after on_gone returns. */
typedef struct PeerCallbacks {
        void (*on_settled)(Peer *p, void *userdata);
        void (*on_gone)(Peer *p, void *userdata);
        void *userdata;
} PeerCallbacks;

int peer_table_new(sd_bus *bus, const PeerCallbacks *callbacks, PeerTable **ret);
PeerTable *peer_table_free(PeerTable *t);
static inline void peer_table_freep(PeerTable **t) {
        if (*t)
                peer_table_free(*t);
}

/*
 * The record of the connection that sent message, created (and its
 * credentials asked for) if there is none. Returns 0, or -EBUSY when no
 * record can be made now (too many connections resolving, or every record
 * in use), or another negative errno.
 */
int peer_table_get(PeerTable *t, sd_bus_message *message, Peer **ret);
/* The connection went away: drop its record, if any. */
void peer_table_forget(PeerTable *t, const char *name);
/* Frees up to n idle records, least recently used first; returns how many. */
unsigned peer_table_evict(PeerTable *t, unsigned n);
unsigned peer_table_count(const PeerTable *t);

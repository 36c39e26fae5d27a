/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peer.c - the callers' connections: identity fetched once, asynchronously
 *
 * A caller is a bus connection, named by its unique name (":1.42", never
 * reused while the bus runs). The first request from a connection creates
 * its record and sends one asynchronous GetConnectionCredentials to the
 * bus; requests that arrive before the answer wait on the record, and the
 * event loop goes on serving everyone else. The answer (uid, groups, pid)
 * becomes an Identity: a pidfd and the open /proc/PID/cgroup of the
 * process that connected. Nothing here ever blocks on the bus.
 *
 * The bus calls and the departure match go over a connection of their own
 * (manager.c), which the bus never refuses to queue for: a flood of calls
 * to the daemon cannot make it lose an answer about a caller.
 *
 * Records are dropped when the bus says the connection went away (one
 * match on NameOwnerChanged for names losing their owner, installed before
 * the daemon takes its name, so no departure is missed; a request that
 * overtakes its connection's departure finds the connection gone), and idle ones are
 * evicted least recently used first when the table or the fd budget is
 * full: a connection whose record was evicted is simply identified again.
 * Every record holds two fds, so PEERS_MAX bounds them; PEERS_RESOLVING_MAX
 * bounds the credential calls one flood of new connections can start.
 */
#include <assert.h>
#include <errno.h>
#include <search.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "util/macro.h"

struct PeerTable {
        sd_bus *bus;
        sd_bus_slot *match_slot;
        PeerCallbacks callbacks;
        void *root;                     /* tsearch() tree of Peer, by name */
        unsigned n_peers;
        unsigned n_resolving;
        ListHead lru;
};

static int peer_compare(const void *a, const void *b) {
        /* Both point at a struct whose first member is the name. */
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void peer_free(Peer *p) {
        if (!p)
                return;
        if (p->state == PEER_RESOLVING)
                p->table->n_resolving--;
        sd_bus_slot_unref(p->slot);
        outbox_queue_clear(&p->outq);
        identity_free(p->identity);
        list_unlink(&p->lru);
        free(p);
}

static void peer_drop(PeerTable *t, Peer *p) {
        void *found = tdelete(p, &t->root, peer_compare);

        assert(found);
        (void) found;
        t->n_peers--;
        if (t->callbacks.on_gone)
                t->callbacks.on_gone(p, t->callbacks.userdata);
        peer_free(p);
}

static Peer *peer_find(PeerTable *t, const char *name) {
        Peer **found = tfind(&name, &t->root, peer_compare);

        return found ? *found : NULL;
}

/* Reads UnixUserID, UnixGroupIDs and ProcessID from the a{sv} answer. */
static int creds_read(sd_bus_message *reply, uid_t *ret_uid, gid_t *gids, size_t *n_gids, pid_t *ret_pid) {
        uint32_t uid = UINT32_MAX, pid = 0;
        size_t n = 0;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "UnixUserID") == 0)
                        r = sd_bus_message_read(reply, "v", "u", &uid);
                else if (strcmp(key, "ProcessID") == 0)
                        r = sd_bus_message_read(reply, "v", "u", &pid);
                else if (strcmp(key, "UnixGroupIDs") == 0) {
                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, 'a', "u");
                        while (r >= 0) {
                                uint32_t g;

                                r = sd_bus_message_read(reply, "u", &g);
                                if (r <= 0)
                                        break;
                                if (n < IDENTITY_GROUPS_MAX)
                                        gids[n++] = g;
                        }
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        *ret_uid = uid;
        *n_gids = n;
        *ret_pid = (pid_t) pid;
        return 0;
}

static int bus_call_credentials(sd_bus *bus, Peer *p);

static int on_creds(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        PeerTable *t = p->table;
        gid_t gids[IDENTITY_GROUPS_MAX];
        size_t n_gids = 0;
        uid_t uid;
        pid_t pid;
        int r;

        p->slot = sd_bus_slot_unref(p->slot);

        /* No answer in time: the bus may have dropped it (it refuses to
         * queue more for us while a flood fills our queue). Ask again, a
         * bounded number of times, before calling it a transient failure. */
        if (sd_bus_message_is_method_error(reply, SD_BUS_ERROR_NO_REPLY) ||
            sd_bus_message_is_method_error(reply, SD_BUS_ERROR_TIMEOUT) ||
            sd_bus_message_is_method_error(reply, SD_BUS_ERROR_LIMITS_EXCEEDED)) {
                if (++p->attempts < PEER_CREDENTIALS_ATTEMPTS && bus_call_credentials(t->bus, p) >= 0)
                        return 0;
        }
        t->n_resolving--;

        if (sd_bus_message_is_method_error(reply, "org.freedesktop.DBus.Error.NameHasNoOwner"))
                /* It went away before the bus could answer. */
                r = IDENTITY_E_GONE;
        else if (sd_bus_message_is_method_error(reply, NULL))
                /* A timeout, or the bus refused to queue its answer to us
                 * (LimitsExceeded while a flood fills our queue): transient. */
                r = -EAGAIN;
        else {
                r = creds_read(reply, &uid, gids, &n_gids, &pid);
                if (r < 0)
                        r = IDENTITY_E_UNKNOWN;
                else
                        r = identity_open(pid, uid, gids, n_gids, &p->identity);
        }

        p->state = r == 0 ? PEER_READY : PEER_FAILED;
        p->outcome = r;
        if (t->callbacks.on_settled)
                t->callbacks.on_settled(p, t->callbacks.userdata);
        /* A transient failure (e.g. -EMFILE) is not remembered: the next
         * request of this connection tries again. A connection that is
         * gone will send nothing more. */
        if ((r < 0 || r == IDENTITY_E_GONE) && p->n_requests == 0)
                peer_drop(t, p);
        return 0;
}

/* GetConnectionCredentials with a short timeout: if the bus dropped the
 * answer, the connection's requests get Busy within seconds, not minutes. */
static int bus_call_credentials(sd_bus *bus, Peer *p) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetConnectionCredentials");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "s", p->name);
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, &p->slot, call, on_creds, p, PEER_CREDENTIALS_TIMEOUT_USEC);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PeerTable *t = userdata;
        const char *name, *old_owner, *new_owner;
        Peer *p;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] != ':' || *new_owner)
                return 0;
        p = peer_find(t, name);
        if (p)
                peer_drop(t, p);
        return 0;
}

int peer_table_new(sd_bus *bus, const PeerCallbacks *callbacks, PeerTable **ret) {
        _cleanup_(peer_table_freep) PeerTable *t = NULL;
        int r;

        assert(bus);
        assert(callbacks);
        assert(ret);

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->bus = sd_bus_ref(bus);
        t->callbacks = *callbacks;
        list_init(&t->lru);

        /* Synchronous, once, before the daemon owns its name: from then
         * on every departure of a caller reaches us. */
        r = sd_bus_add_match(bus, &t->match_slot,
                             "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''",
                             on_name_owner_changed, t);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(t);
        return 0;
}

static void peer_tree_free(void *node) {
        Peer *p = node;

        if (p->table->callbacks.on_gone)
                p->table->callbacks.on_gone(p, p->table->callbacks.userdata);
        peer_free(p);
}

PeerTable *peer_table_free(PeerTable *t) {
        if (!t)
                return NULL;
        tdestroy(t->root, peer_tree_free);
        sd_bus_slot_unref(t->match_slot);
        sd_bus_unref(t->bus);
        free(t);
        return NULL;
}

unsigned peer_table_evict(PeerTable *t, unsigned n) {
        unsigned done = 0, looked = 0;
        ListHead *i, *next;

        assert(t);

        /* Idle records only; look at a bounded number of busy ones. */
        for (i = t->lru.next; i != &t->lru && done < n && looked < 64; i = next) {
                Peer *p = LIST_ENTRY(i, Peer, lru);

                next = i->next;
                looked++;
                if (p->n_requests > 0 || p->state == PEER_RESOLVING)
                        continue;
                peer_drop(t, p);
                done++;
        }
        return done;
}

int peer_table_get(PeerTable *t, sd_bus_message *message, Peer **ret) {
        const char *sender;
        Peer *p, **slot;
        int r;

        assert(t);
        assert(message);
        assert(ret);

        sender = sd_bus_message_get_sender(message);
        if (!sender || sender[0] != ':')
                return -EBADMSG;        /* a bus always sets the unique name */

        p = peer_find(t, sender);
        if (p) {
                /* Most recently used goes last. */
                list_unlink(&p->lru);
                list_append(&t->lru, &p->lru);
                *ret = p;
                return 0;
        }

        if (t->n_resolving >= PEERS_RESOLVING_MAX)
                return -EBUSY;
        if (t->n_peers >= PEERS_MAX && peer_table_evict(t, 1) == 0)
                return -EBUSY;

        /* One allocation: the name lives at the end of the record. */
        p = calloc(1, offsetof(Peer, name_buf) + strlen(sender) + 1);
        if (!p)
                return -ENOMEM;
        *p = (Peer) { .name = p->name_buf, .table = t, .state = PEER_RESOLVING };
        strcpy(p->name_buf, sender);
        list_init(&p->requests);
        list_init(&p->lru);
        queue_flow_init(&p->flow);
        outbox_queue_init(&p->outq);

        r = bus_call_credentials(t->bus, p);
        if (r < 0) {
                free(p);
                return r;
        }

        slot = tsearch(p, &t->root, peer_compare);
        if (!slot) {
                sd_bus_slot_unref(p->slot);
                free(p);
                return -ENOMEM;
        }
        t->n_peers++;
        t->n_resolving++;
        list_append(&t->lru, &p->lru);
        *ret = p;
        return 0;
}

void peer_table_forget(PeerTable *t, const char *name) {
        Peer *p;

        assert(t);
        assert(name);

        p = peer_find(t, name);
        if (p)
                peer_drop(t, p);
}

unsigned peer_table_count(const PeerTable *t) {
        return t ? t->n_peers : 0;
}

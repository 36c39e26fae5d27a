/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * request.h - one Flush request from arrival to reply
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "ledger.h"
#include "peer.h"
#include "queue.h"
#include "worker.h"

#define REQUESTS_PER_PEER_MAX 16        /* in flight per connection */
#define REQUESTS_MAX          512       /* in flight overall */

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _REQUEST_E_SUCCESS = 0,
        REQUEST_E_BUSY = 600,           /* a bound on requests in flight or on fds was reached */
        REQUEST_E_STOPPING,             /* the daemon is shutting down */
        REQUEST_E_RESOURCES,            /* a transient shortage (ENOMEM, EMFILE, ...) */
        REQUEST_E_KERNEL,               /* the kernel failed the write-back unexpectedly */
        REQUEST_E_IDENTITY,             /* the caller's process could not be inspected */
        REQUEST_E_NOT_ROOT,             /* an admin method called by neither root nor whom polkit allows */
        REQUEST_E_INVALID_POLICY,       /* Reload found an error; the old policy stays */
};

/* What a call asks for. All go through the same identification. */
typedef enum RequestKind {
        REQUEST_FLUSH,
        REQUEST_EXPLAIN,
        REQUEST_QUOTA,
        REQUEST_RELOAD,
        REQUEST_LIST_CGROUPS,
} RequestKind;

/* Explain and Quota share one bucket: they are free, not unlimited. */
#define REQUEST_INSPECT_RATE  50        /* per second */
#define REQUEST_INSPECT_BURST 100

typedef struct Manager Manager;

typedef enum RequestState {
        REQUEST_WAITING_PEER,           /* for the connection's credentials */
        REQUEST_WAITING_AUTH,           /* an admin call, for polkit's answer */
        REQUEST_QUEUED,                 /* admitted and charged, waiting for a worker */
        REQUEST_RUNNING,                /* in a worker */
} RequestState;

typedef struct Request {
        Manager *manager;
        Peer *peer;                     /* NULL once the connection went away */
        RequestKind kind;
        sd_bus_message *message;        /* holds the caller's fd */
        int message_fd;                 /* that fd, owned by message */
        uint64_t flags;
        RequestState state;
        ListHead peer_node;             /* in peer->requests */
        ListHead all_node;              /* in Manager.requests */
        QueueItem item;
        WorkerJob job;                  /* job.fd: our duplicate of the caller's fd */
        Charge charge;
        Account *decider;               /* the section that decided, for its counters */
        sd_bus_slot *auth_slot;         /* CheckAuthorization in flight (authority.c) */
} Request;

/* Any method: takes over nothing; refs message if the request goes on.
 * fd is Flush's (owned by message), -EBADF for the others. */
int request_start(Manager *m, sd_bus_message *message, RequestKind kind, int fd, uint64_t flags);
/* Peer callbacks (peer.c), with the Manager as userdata. */
void request_on_peer_settled(Peer *p, void *userdata);
void request_on_peer_gone(Peer *p, void *userdata);
/* Worker callback (worker.c), with the Manager as userdata. */
void request_on_job_done(WorkerJob *job, void *userdata);
/* Shutting down: every request not yet in a worker gets a named error. */
void request_stop_all(Manager *m);
/* Outcome of a negative errno met on the request path. */
int request_outcome_from_errno(int r);

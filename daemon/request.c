/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * request.c - one Flush request from arrival to reply
 *
 * The whole pipeline of a request, as a small state machine:
 *
 *   arrive ──▶ bounded? ──▶ identity known? ──▶ identify ──▶ policy ──▶ charge
 *                │ Busy        │ wait (peer.c)   │ cgroup now   │ Denied   │ Throttled
 *                ▼             ▼                 ▼              ▼          ▼
 *   ──▶ dup fd ──▶ queue (round-robin) ──▶ worker ──▶ settle ──▶ reply
 *
 * Everything but the worker runs on the event loop and never blocks: the
 * connection's credentials come from one asynchronous call per connection
 * (peer.c), the cgroup from a bounded read of an open file, policy and
 * quota are lookups. Refusals are cheap (no bus round trip, no allocation
 * beyond the request), so a flood of them costs the flooder's own
 * messages and little else.
 *
 * Bounds: REQUESTS_PER_PEER_MAX in flight per connection, REQUESTS_MAX
 * overall, and an fd budget below RLIMIT_NOFILE covering every fd a peer
 * record or a request holds; past any of them the answer is Busy at once
 * and the caller's fd is closed with the message. Admitted requests wait
 * in queue.c, served round-robin across sections and across connections
 * within a section, at most one per worker thread in flight.
 *
 * A request whose connection goes away is dropped where it stands; if it
 * is in a worker, its reply is dropped when the worker is done. The charge
 * is settled in every case: refunded when the kernel wrote nothing back
 * because it failed, and for an all-CPU flush refunded down to the CPUs
 * it really wrote back; the kernel time is charged to the time budgets.
 *
 * Explain and Quota take the same path up to the verdict and answer with
 * it instead of charging; Reload and ListCgroups are identified the same
 * way and refused unless the connection's uid is 0 or polkit allows the
 * caller org.flushd.Flush1.manage (authority.c), whatever the bus policy
 * let through.
 */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "authority.h"
#include "bus.h"
#include "escape.h"
#include "manager.h"
#include "report.h"
#include "request.h"
#include "util/macro.h"

int request_outcome_from_errno(int r) {
        switch (-r) {
        case ENOMEM:
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case EAGAIN:
        case EINTR:
        case EBUSY:
        case ENOSPC:
                return REQUEST_E_RESOURCES;
        case EACCES:
        case EPERM:
        case EBADMSG:
        case ENOENT:
        case ESRCH:
                return REQUEST_E_IDENTITY;
        default:
                return REQUEST_E_KERNEL;
        }
}

static Request *request_free(Request *req) {
        Manager *m;

        if (!req)
                return NULL;
        m = req->manager;
        assert(req->state != REQUEST_RUNNING);

        queue_remove(&m->queue, &req->item);
        list_unlink(&req->all_node);
        if (req->peer) {
                list_unlink(&req->peer_node);
                req->peer->n_requests--;
        }
        if (req->charge.n > 0) {
                /* Never reached a worker: nothing was written back. */
                charge_settle(&req->charge, req->charge.tokens, 0, manager_now());
                manager_sync_charge(m, &req->charge);
                charge_release(&req->charge);
        }
        account_unref(req->decider);
        sd_bus_slot_unref(req->auth_slot);
        safe_close(req->job.fd);
        sd_bus_message_unref(req->message);
        assert(m->n_requests > 0);
        m->n_requests--;
        free(req);
        return NULL;
}

/* Answers with an outcome's error, unless the caller is gone. */
__attribute__((format(printf, 3, 0)))
static void request_answerv(Request *req, int outcome, const char *format, va_list ap) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

        if (!req->peer)
                return;
        (void) bus_new_outcome(req->message, outcome, &reply, format, ap);
        manager_send(req->manager, req->peer, reply);
}

__attribute__((format(printf, 3, 4)))
static void request_answer(Request *req, int outcome, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        request_answerv(req, outcome, format, ap);
        va_end(ap);
}

/* A Busy answer to a request whose section is known counts there too. */
static void count_busy(Manager *m, Account *a) {
        m->n_busy++;
        a->counters.busy++;
        state_sync_account(m->state, a);
        manager_notify_status(m);
}

/* Answer with an outcome's error, then free. */
__attribute__((format(printf, 3, 4)))
static void request_fail(Request *req, int outcome, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        request_answerv(req, outcome, format, ap);
        va_end(ap);
        request_free(req);
}

static void log_refusal(Request *req, EventKind kind, int outcome, const char *cgroup, const Account *a,
                        int64_t tokens, const char *message) {
        Manager *m = req->manager;
        const Identity *id = req->peer && req->peer->identity ? req->peer->identity : NULL;
        EventFields f = {
                .sender = sd_bus_message_get_sender(req->message),
                .uid = id ? id->uid : (uid_t) -1,
                .pid = id ? id->pid : 0,
                .cgroup = cgroup,
                .section = a ? report_account_name(a) : NULL,
                .verdict = bus_error_name(outcome),
                .tokens = tokens,
        };

        event_log(&m->events, kind, manager_now(), &f, message);
}

static void deny_text(char *buf, size_t size, const Account *decider, const char *cgroup, int outcome,
                      uid_t uid) {
        char what[96];

        switch (outcome) {
        case POLICY_E_DENIED:
                snprintf(what, sizeof(what), "flushes (Allow=no)");
                break;
        case POLICY_E_USER_DENIED:
                snprintf(what, sizeof(what), "uid %u to flush (Users=, Groups=)", (unsigned) uid);
                break;
        default:
                snprintf(what, sizeof(what), "all-CPU flushes (AllowAllCPUs=no)");
                break;
        }
        snprintf(buf, size, "%s%s, which governs cgroup %s, does not allow %s",
                 decider->label ? "cgroup section " : "section ", report_account_name(decider), cgroup, what);
}

static void throttle_text(char *buf, size_t size, const Manager *m, const Account *worst, uint64_t retry_ns) {
        uint64_t ms = (retry_ns + 999999) / 1000000;

        snprintf(buf, size, "quota of %s reached; retry after %" PRIu64 ".%03" PRIu64 "s",
                 worst == m->ledger->global ? "the daemon ([Daemon])" : report_account_name(worst),
                 ms / 1000, ms % 1000);
}

static void dispatch(Manager *m) {
        QueueItem *item;

        if (worker_pool_busy(m->workers) == 0 && m->queue.n_items > 0)
                manager_kernel_retry(m);

        while (worker_pool_busy(m->workers) < worker_pool_size(m->workers) && (item = queue_pop(&m->queue))) {
                Request *req = LIST_ENTRY(item, Request, item);

                req->state = REQUEST_RUNNING;
                worker_pool_submit(m->workers, &req->job);
        }
}

/* Sends a ready reply (unless the caller is gone) and frees the request. */
static void request_reply(Request *req, sd_bus_message *reply, int r) {
        if (r < 0)
                return request_fail(req, request_outcome_from_errno(r), "cannot build the reply: %s",
                                    strerror(-r));
        if (req->peer)
                manager_send(req->manager, req->peer, reply);
        request_free(req);
}

static int append_common(sd_bus_message *reply, const Identity *id, const char *cgroup, const Account *decider) {
        int r;

        r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}", "uid", "u", (uint32_t) id->uid,
                                  "pid", "u", (uint32_t) id->pid, "cgroup", "s", cgroup,
                                  "decider", "s", report_account_name(decider));
        return r;
}

/* Explain and Quota: the verdict Flush would give now, and the buckets. */
static void request_inspect(Request *req, const PolicyMatch *match, const char *cgroup) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = req->manager;
        const Identity *id = req->peer->identity;
        BucketInfo buckets[CHARGE_ACCOUNTS_MAX * 3];
        Account *decider = ledger_account(m->ledger, match->chain[0]);
        const PolicySection *ds = policy_section(m->policy, match->chain[0]);
        const BucketInfo *worst = NULL;
        char reason[1024] = "";
        const char *verdict = "granted", *error = "";
        int64_t tokens = INT64_MAX;
        uint64_t now = manager_now(), cost;
        size_t n;
        int r, p;

        cost = req->flags & FLUSH1_FLUSH_ALL_CPUS ? (m->n_cpus ?: 1) : 1;
        n = ledger_inspect(m->ledger, match, id->uid, now, buckets);
        for (size_t i = 0; i < n; i++) {
                if (buckets[i].wait_ns > 0 && (!worst || buckets[i].wait_ns > worst->wait_ns))
                        worst = &buckets[i];
                if (buckets[i].kind == BUCKET_TIME)
                        tokens = buckets[i].tokens < 1 && tokens > -1 ? -1 : tokens;
                else if (buckets[i].tokens < tokens)
                        tokens = buckets[i].tokens;
        }

        p = policy_check(m->policy, match, req->flags & FLUSH1_FLUSH_ALL_CPUS, id->uid, id->gids, id->n_gids);
        if (p != 0) {
                verdict = "denied";
                error = bus_error_name(p);
                deny_text(reason, sizeof(reason), decider, cgroup, p, id->uid);
        } else if (worst) {
                verdict = "throttled";
                error = FLUSH1_ERROR_QUOTA_EXCEEDED;
                throttle_text(reason, sizeof(reason), m, worst->account, worst->wait_ns);
        } else
                snprintf(reason, sizeof(reason), "%s allows the caller and every bucket has room",
                         report_account_name(decider));

        r = sd_bus_message_new_method_return(req->message, &reply);
        if (r >= 0 && req->kind == REQUEST_EXPLAIN)
                r = sd_bus_message_append(reply, "s", verdict);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = append_common(reply, id, cgroup, decider);
        if (r >= 0 && req->kind == REQUEST_EXPLAIN)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "error", "s", error, "reason", "s", reason,
                                          "cost", "t", cost);
        if (r >= 0 && req->kind == REQUEST_QUOTA)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "tokens", "x", tokens,
                                          "allow", "b", ds->allow, "allow_all_cpus", "b", ds->allow_all_cpus);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}", "retry_after_usec", "t",
                                          p == 0 && worst ? (worst->wait_ns + 999) / 1000 : UINT64_C(0));
        if (r >= 0)
                r = report_append_chain(reply, m->ledger, match);
        if (r >= 0)
                r = report_append_buckets(reply, buckets, n);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        request_reply(req, reply, r);
}

static const char *admin_method(const Request *req) {
        return req->kind == REQUEST_RELOAD ? "Reload" : "ListCgroups";
}

/* Reload and ListCgroups, for a caller allowed them. */
static void request_admin_run(Request *req) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = req->manager;
        char error[MANAGER_ERROR_MAX];
        int r;

        if (req->kind == REQUEST_RELOAD) {
                r = manager_reload(m, error, sizeof(error));
                if (r < 0)
                        return request_fail(req, REQUEST_E_INVALID_POLICY, "%s", error);
                r = sd_bus_message_new_method_return(req->message, &reply);
        } else {
                r = sd_bus_message_new_method_return(req->message, &reply);
                if (r >= 0)
                        r = report_append_sections(reply, m->policy, m->ledger, manager_now());
        }
        request_reply(req, reply, r);
}

static int on_authorization(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Request *req = userdata;
        char why[256];
        bool allowed;

        /* A request whose caller left was freed, and this slot with it. */
        assert(req->peer);
        req->auth_slot = sd_bus_slot_unref(req->auth_slot);
        authority_parse_reply(reply, &allowed, why, sizeof(why));
        if (allowed)
                request_admin_run(req);
        else
                request_fail(req, REQUEST_E_NOT_ROOT, "%s is for root, or whom polkit allows %s; the caller is "
                             "uid %u, and %s", admin_method(req), AUTHORITY_ACTION_MANAGE,
                             (unsigned) req->peer->identity->uid, why);
        return 0;
}

/* Reload and ListCgroups: root, or polkit's yes, checked here whatever the
 * bus allowed. */
static void request_admin(Request *req) {
        Manager *m = req->manager;
        int r;

        if (req->peer->identity->uid == 0)
                return request_admin_run(req);

        if (quota_charge((QuotaBucket *[]) { &m->auth_bucket }, NULL, 1, manager_now(), NULL, NULL) != 0) {
                count_busy(m, m->ledger->global);
                return request_fail(req, REQUEST_E_BUSY, "too many authorization checks; retry later");
        }
        r = authority_check_async(m->driver_bus, sd_bus_message_get_sender(req->message), AUTHORITY_ACTION_MANAGE,
                                  &req->auth_slot, on_authorization, req);
        if (r < 0)
                return request_fail(req, request_outcome_from_errno(r), "cannot ask polkit: %s", strerror(-r));
        req->state = REQUEST_WAITING_AUTH;
}

static void request_complete(Request *req);

/*
 * The kernel's QUERY, run on the loop: it selects the target's dirty CPUs
 * under a short lock and writes back nothing, so it waits for no IPI and
 * no CPU. A target with nothing dirty is then answered here, without a
 * worker or a duplicate fd: it is as clean as a write-back issued at the
 * same instant would have found it, and the stores a reply covers came
 * before the call. So is a target the kernel refuses (not an iommufd, no
 * support): the write-back would be refused alike. True if answered; an
 * errno (say ENOMEM) leaves the write-back to a worker, which reports its own.
 */
static bool request_try_clean(Request *req) {
        Manager *m = req->manager;
        WorkerJob *job = &req->job;

        if (job->flags & KERNEL_WB_ALL_CPUS)
                return false;
        if (worker_pool_busy(m->workers) == 0)
                manager_kernel_retry(m);
        job->outcome = m->backend(m->backend_data, req->message_fd, job->flags | KERNEL_WB_QUERY, &job->result);
        if (job->outcome < 0 || (job->outcome == 0 && job->result.dirty > 0))
                return false;
        request_complete(req);  /* a QUERY flushed and coalesced nothing */
        return true;
}

/* The connection's identity is settled: identify, decide, charge, then
 * answer a clean target or queue. */
static void request_admit(Request *req) {
        Manager *m = req->manager;
        Peer *p = req->peer;
        char buf[IDENTITY_CGROUP_BUF], cgroup[512], text[1024];
        const char *path;
        Account *decider, *worst = NULL;
        PolicyMatch match;
        uint64_t tokens, retry_ns, now;
        int r;

        assert(p);

        /* identify: the connection's process, alive, and where it is now */
        if (p->state == PEER_FAILED) {
                r = p->outcome;
                if (r < 0)
                        return request_fail(req, request_outcome_from_errno(r),
                                            "cannot identify the caller: %s", strerror(-r));
                return request_fail(req, r, NULL);
        }
        r = identity_current_cgroup(p->identity, buf, sizeof(buf), &path);
        if (r < 0)
                return request_fail(req, request_outcome_from_errno(r),
                                    "cannot read the caller's cgroup: %s", strerror(-r));
        if (r > 0)
                return request_fail(req, r, NULL);
        escape_utf8(path, cgroup, sizeof(cgroup));

        /* policy */
        policy_match(m->policy, path, &match);
        switch (req->kind) {
        case REQUEST_FLUSH:
                break;
        case REQUEST_EXPLAIN:
        case REQUEST_QUOTA:
                return request_inspect(req, &match, cgroup);
        case REQUEST_RELOAD:
        case REQUEST_LIST_CGROUPS:
                return request_admin(req);
        }
        decider = ledger_account(m->ledger, match.chain[0]);
        r = policy_check(m->policy, &match, req->flags & FLUSH1_FLUSH_ALL_CPUS,
                         p->identity->uid, p->identity->gids, p->identity->n_gids);
        if (r != 0) {
                deny_text(text, sizeof(text), decider, cgroup, r, p->identity->uid);
                m->n_denied++;
                decider->counters.denied++;
                if (r == POLICY_E_DENIED)
                        decider->counters.denied_allow++;
                else if (r == POLICY_E_USER_DENIED)
                        decider->counters.denied_user++;
                else
                        decider->counters.denied_all_cpus++;
                state_sync_account(m->state, decider);
                manager_notify_status(m);
                log_refusal(req, EVENT_DENIED, r, cgroup, decider, INT64_MAX, text);
                return request_fail(req, r, "%s", text);
        }

        /* charge: every matching section, the caller's share, global */
        now = manager_now();
        tokens = req->flags & FLUSH1_FLUSH_ALL_CPUS ? (m->n_cpus ?: 1) : 1;
        r = ledger_charge(m->ledger, &match, p->identity->uid, tokens, now, &req->charge, &worst, &retry_ns);
        if (r < 0) {
                count_busy(m, decider);
                return request_fail(req, REQUEST_E_RESOURCES, "cannot charge the request: %s", strerror(-r));
        }
        if (r > 0) {
                throttle_text(text, sizeof(text), m, worst, retry_ns);
                m->n_throttled++;
                worst->counters.throttled++;
                state_sync_account(m->state, worst);
                manager_notify_status(m);
                log_refusal(req, EVENT_THROTTLED, r, cgroup, worst, quota_bucket_tokens(&worst->rate, now), text);
                return request_fail(req, r, "%s", text);
        }
        manager_sync_charge(m, &req->charge);
        req->decider = account_ref(decider);
        if (request_try_clean(req))
                return;

        /* Our own fd for the worker: the message's may go with it. */
        req->job.fd = fcntl(req->message_fd, F_DUPFD_CLOEXEC, 3);
        if (req->job.fd < 0) {
                req->job.fd = -EBADF;
                count_busy(m, decider);
                return request_fail(req, REQUEST_E_RESOURCES, "cannot keep the file descriptor: %m");
        }

        r = queue_push(&m->queue, match.chain[0], &p->flow, &req->item);
        if (r < 0) {
                count_busy(m, decider);
                return request_fail(req, REQUEST_E_RESOURCES, "cannot queue the request: %s", strerror(-r));
        }
        req->state = REQUEST_QUEUED;
        dispatch(m);
}

int request_start(Manager *m, sd_bus_message *message, RequestKind kind, int fd, uint64_t flags) {
        Request *req;
        Peer *p;
        int r;

        assert(m);
        assert(message);

        if (m->stopping)
                return bus_reply_outcome(message, REQUEST_E_STOPPING, NULL);
        if (m->n_requests >= REQUESTS_MAX || !manager_fds_available(m))
                return manager_reply_busy(m, message, "too many requests in flight");

        r = peer_table_get(m->peers, message, &p);
        if (r == -EBUSY)
                return manager_reply_busy(m, message, "too many new connections at once");
        if (r < 0)
                return bus_reply_outcome(message, request_outcome_from_errno(r), "cannot track the caller: %s",
                                         strerror(-r));
        if (p->n_requests >= REQUESTS_PER_PEER_MAX)
                return manager_reply_busy(m, message, "too many requests in flight on this connection");
        if ((kind == REQUEST_EXPLAIN || kind == REQUEST_QUOTA) &&
            quota_charge((QuotaBucket *[]) { &m->inspect_bucket }, NULL, 1, manager_now(), NULL, NULL) != 0)
                return manager_reply_busy(m, message, "too many Explain and Quota calls");

        req = calloc(1, sizeof(*req));
        if (!req)
                return bus_reply_outcome(message, REQUEST_E_RESOURCES, "out of memory");
        *req = (Request) {
                .manager = m,
                .kind = kind,
                .message_fd = -EBADF,
                .peer = p,
                .message = sd_bus_message_ref(message),
                .flags = flags,
                .state = REQUEST_WAITING_PEER,
                .job = { .fd = -EBADF },
        };
        req->message_fd = fd;
        if (flags & FLUSH1_FLUSH_ALL_CPUS)
                req->job.flags |= KERNEL_WB_ALL_CPUS;
        if (flags & FLUSH1_FLUSH_NO_INVALIDATE)
                req->job.flags |= KERNEL_WB_NO_INVALIDATE;
        queue_item_init(&req->item);
        list_init(&req->job.node);
        list_append(&p->requests, &req->peer_node);
        list_append(&m->requests, &req->all_node);
        p->n_requests++;
        m->n_requests++;

        if (p->state != PEER_RESOLVING)
                request_admit(req);
        return 1;
}

void request_on_peer_settled(Peer *p, void *userdata) {
        ListHead *i, *next;

        /* Admitting may free requests: walk with a lookahead. */
        for (i = p->requests.next; i != &p->requests; i = next) {
                Request *req = LIST_ENTRY(i, Request, peer_node);

                next = i->next;
                if (req->state == REQUEST_WAITING_PEER)
                        request_admit(req);
        }
}

void request_on_peer_gone(Peer *p, void *userdata) {
        ListHead *i, *next;

        for (i = p->requests.next; i != &p->requests; i = next) {
                Request *req = LIST_ENTRY(i, Request, peer_node);

                next = i->next;
                list_unlink(&req->peer_node);
                p->n_requests--;
                req->peer = NULL;
                if (req->state != REQUEST_RUNNING)
                        request_free(req);
                /* else: orphaned, freed when its worker is done */
        }
}

/* Settles, counts and answers a write-back that has run (on a worker or,
 * for a clean target, as a query on the loop), then frees it. */
static void request_complete(Request *req) {
        Manager *m = req->manager;
        const KernelResult *res = &req->job.result;
        uint64_t refund = 0, now = manager_now();
        Account *a = req->decider;
        int r = req->job.outcome;

        req->state = REQUEST_QUEUED;    /* out of the worker; request_free() may run */

        if (r != 0)
                refund = req->charge.tokens;
        else if (req->flags & FLUSH1_FLUSH_ALL_CPUS) {
                uint64_t used = res->flushed > 0 ? res->flushed : 1;
                refund = req->charge.tokens > used ? req->charge.tokens - used : 0;
        }
        charge_settle(&req->charge, refund, r == 0 ? res->nsec : 0, now);
        manager_sync_charge(m, &req->charge);
        charge_release(&req->charge);

        if (r == 0) {
                m->n_granted++;
                a->counters.granted++;
                a->counters.cpus_flushed += res->flushed;
                a->counters.cpus_coalesced += res->coalesced;
        } else if (r == -ECANCELED) {
                m->n_busy++;
                a->counters.busy++;
        } else
                a->counters.failed++;
        state_sync_account(m->state, a);
        manager_notify_status(m);

        if (!req->peer)
                ;               /* the caller is gone: drop the answer */
        else if (r == 0) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

                if (sd_bus_message_get_expect_reply(req->message) &&
                    sd_bus_message_new_method_return(req->message, &reply) >= 0 &&
                    sd_bus_message_append(reply, "uut", res->flushed, res->coalesced, res->nsec) >= 0)
                        manager_send(m, req->peer, reply);
        } else if (r > 0)
                request_answer(req, r, "%s", kernel_outcome_to_string(m->kernel, r));
        else if (r == -ECANCELED)
                request_answer(req, REQUEST_E_STOPPING, NULL);
        else {
                char text[256];

                snprintf(text, sizeof(text), "IOMMU_CACHE_WB failed: %s", strerror(-r));
                log_refusal(req, EVENT_KERNEL_FAILURE, REQUEST_E_KERNEL, NULL, a, INT64_MAX, text);
                request_answer(req, request_outcome_from_errno(r), "%s", text);
        }
        request_free(req);
        if (!m->stopping)
                dispatch(m);
        else if (worker_pool_busy(m->workers) == 0)
                (void) sd_event_exit(m->event, 0);
}

void request_on_job_done(WorkerJob *job, void *userdata) {
        request_complete(LIST_ENTRY(job, Request, job));
}

void request_stop_all(Manager *m) {
        ListHead *i, *next;

        m->stopping = true;
        for (i = m->requests.next; i != &m->requests; i = next) {
                Request *req = LIST_ENTRY(i, Request, all_node);

                next = i->next;
                if (req->state == REQUEST_RUNNING)
                        continue;
                count_busy(m, req->decider ?: m->ledger->global);
                request_fail(req, REQUEST_E_STOPPING, NULL);
        }
}

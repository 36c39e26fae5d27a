/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo.c - a tracked workload asks flushd for write-backs until throttled
 *
 * Runs as the unprivileged workload (the guest puts it in its cgroup and
 * drops to its user): two threads pinned to CPUs 1 and 3 are tracked with
 * libflushd and dirty a buffer before every request; the untracked main
 * thread then calls Flush a number of times in a row and finally once with
 * the all-CPUs flag. It uses flushd_flush_full() so that each row can show
 * the daemon's own error name and the retry-after it puts in the
 * QuotaExceeded message.
 *
 * Every row goes to stdout prefixed with "FLUSHD-DEMO " for the host to
 * print. Exit status 0 if every request got a reply or a flushd error (any
 * other failure means the demo itself did not work).
 *
 * Usage: demo [REQUESTS]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bus/flush1.h"
#include "flushd.h"
#include "util/macro.h"
#include "workers.h"

#define ERROR_PREFIX FLUSH1_ERROR("")

static const int cpus[] = { 1, 3 };

typedef struct Caller {
        char user[32];
        char cgroup[256];
} Caller;

static void caller_get(Caller *c) {
        struct passwd *pw = getpwuid(getuid());
        char line[256] = "";
        FILE *f;

        snprintf(c->user, sizeof(c->user), "%s", pw ? pw->pw_name : "?");
        snprintf(c->cgroup, sizeof(c->cgroup), "?");
        f = fopen("/proc/self/cgroup", "re");
        if (f && fgets(line, sizeof(line), f) && !strncmp(line, "0::", 3)) {
                line[strcspn(line, "\n")] = 0;
                snprintf(c->cgroup, sizeof(c->cgroup), "%s", line + 3);
        }
        if (f)
                fclose(f);
}

/* "... retry after 19.8s" → "19.8s": the text after "retry", minus filler. */
static const char *retry_after(const char *msg) {
        static const char *const filler[] = { "-after", " after", " in", ":", "=", " " };
        const char *p = NULL;

        for (const char *q = msg; q && *q; q++)
                if (!strncasecmp(q, "retry", 5)) {
                        p = q + 5;
                        break;
                }
        if (!p)
                return "(not in message)";
        for (size_t i = 0; i < ELEMENTSOF(filler); i++)
                if (!strncasecmp(p, filler[i], strlen(filler[i])))
                        p += strlen(filler[i]);
        while (*p == ' ')
                p++;
        return *p ? p : "(not in message)";
}

static int request(FlushdClient *c, int n, const Caller *who, int iommufd, uint64_t flags) {
        _cleanup_free_ char *name = NULL, *message = NULL;
        const char *kind = flags & FLUSHD_FLUSH_ALL_CPUS ? "all-cpus" : "dirty";
        FlushdResult res = {};
        char caller[300];
        int r;

        snprintf(caller, sizeof(caller), "%s %s", who->user, who->cgroup);
        r = flushd_flush_full(c, iommufd, flags, &res, &name, &message);
        if (r >= 0)
                printf("FLUSHD-DEMO %2d  %-42s %-8s %-14s %4" PRIu32 " %9" PRIu32 " %9.1f us  %s\n",
                       n, caller, kind, "granted", res.flushed, res.coalesced, res.nsec / 1000.0, "-");
        else if (name && !strncmp(name, ERROR_PREFIX, strlen(ERROR_PREFIX)))
                printf("FLUSHD-DEMO %2d  %-42s %-8s %-14s %4s %9s %12s  %s\n",
                       n, caller, kind, name + strlen(ERROR_PREFIX), "-", "-", "-",
                       r == -FLUSHD_E_QUOTA_EXCEEDED ? retry_after(message ?: "") : "-");
        else
                printf("FLUSHD-DEMO %2d  %-42s request failed: %s (%s)\n", n, caller,
                       flushd_strerror(r), message ?: "no D-Bus error");
        fflush(stdout);

        /* A flushd error is a result worth showing; anything else is a failure. */
        return r >= 0 || (name && !strncmp(name, ERROR_PREFIX, strlen(ERROR_PREFIX))) ? 0 : r;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdClient *, flushd_close);

int main(int argc, char *argv[]) {
        _cleanup_(workers_freep) Workers *ws = NULL;
        _cleanup_close_ int iommufd = -EBADF;
        int requests = argc > 1 ? atoi(argv[1]) : 8;
        _cleanup_(flushd_closep) FlushdClient *c = NULL;
        Caller who;
        int r, failed = 0;

        caller_get(&who);

        iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (iommufd < 0) {
                printf("FLUSHD-DEMO cannot open /dev/iommu: %m\n");
                return 1;
        }
        r = workers_new(&ws, iommufd, cpus, ELEMENTSOF(cpus));
        if (r < 0) {
                printf("FLUSHD-DEMO cannot track threads on CPUs 1 and 3: %s\n", flushd_strerror(r));
                return 1;
        }
        r = flushd_open(&c);
        if (r < 0) {
                printf("FLUSHD-DEMO cannot connect to the system bus: %s\n", flushd_strerror(r));
                return 1;
        }

        printf("FLUSHD-DEMO  #  %-42s %-8s %-14s %4s %9s %12s  %s\n",
               "caller (user, cgroup)", "request", "result", "CPUs", "coalesced", "kernel time",
               "retry after");
        for (int i = 1; i <= requests; i++) {
                /* Fresh dirt on CPUs 1 and 3 before every request. */
                if (i > 1 && workers_dirty(ws) < 0)
                        failed++;
                if (request(c, i, &who, iommufd, 0) < 0)
                        failed++;
        }
        if (request(c, requests + 1, &who, iommufd, FLUSHD_FLUSH_ALL_CPUS) < 0)
                failed++;
        return failed ? 1 : 0;
}

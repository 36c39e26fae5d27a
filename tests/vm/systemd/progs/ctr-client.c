/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctr-client.c - a workload in a container: tracked threads, flushes through libflushd
 *
 * Runs inside a rootless container (or any user namespace) whose only link
 * to the host is the bind-mounted system bus socket and /dev/iommu. It
 * opens /dev/iommu, starts one worker thread pinned to CPU 1 that tracks
 * itself and dirties a buffer (tests/vm/progs/workers.c), and then:
 *
 *   ctr-client who        prints what flushd makes of the caller (Explain):
 *                         "who: uid=U pid=P cgroup=C decider=D verdict=V"
 *   ctr-client flush N    makes up to N Flush calls in a row, the worker
 *                         dirtying its buffer before each, and stops at the
 *                         first refusal; prints one line per call
 *                         ("flush I: granted flushed=F" or "flush I: NAME")
 *                         and a summary "flush: granted=G refused=NAME|none"
 *
 * Exit status 0 when it could ask (whatever the answers), 2 on a setup or
 * transport failure (no /dev/iommu, no bus, tracking refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flushd.h"
#include "util/macro.h"
#include "../../progs/workers.h"

static const int cpus[] = { 1 };

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdClient *, flushd_close);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdError *, flushd_error_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdExplain *, flushd_explain_free);

static int who(FlushdClient *c) {
        _cleanup_(flushd_explain_freep) FlushdExplain *e = NULL;
        _cleanup_(flushd_error_freep) FlushdError *err = NULL;
        int r;

        r = flushd_explain(c, 0, &e, &err);
        if (r < 0) {
                printf("who: Explain failed: %s\n", err ? flushd_error_get_name(err) : flushd_strerror(r));
                return 2;
        }
        printf("who: uid=%" PRIu32 " pid=%" PRIu32 " cgroup=%s decider=%s verdict=%s\n",
               flushd_explain_get_uid(e), flushd_explain_get_pid(e), flushd_explain_get_cgroup(e),
               flushd_explain_get_decider(e), flushd_explain_get_verdict(e));
        return 0;
}

static int flush_n(FlushdClient *c, int iommufd, Workers *w, int n) {
        int granted = 0;

        for (int i = 1; i <= n; i++) {
                _cleanup_(flushd_error_freep) FlushdError *err = NULL;
                FlushdResult res = {};
                int r;

                r = workers_dirty(w);
                if (r < 0) {
                        printf("flush %d: workers: %s\n", i, strerror(-r));
                        return 2;
                }
                r = flushd_flush_ex(c, iommufd, 0, &res, &err);
                if (r < 0 && !err) {
                        printf("flush %d: transport: %s\n", i, flushd_strerror(r));
                        return 2;
                }
                if (r < 0) {
                        printf("flush %d: %s\n", i, flushd_error_get_name(err));
                        printf("flush: granted=%d refused=%s\n", granted, flushd_error_get_name(err));
                        return 0;
                }
                granted++;
                printf("flush %d: granted flushed=%" PRIu32 "\n", i, res.flushed);
        }
        printf("flush: granted=%d refused=none\n", granted);
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(flushd_closep) FlushdClient *c = NULL;
        _cleanup_(workers_freep) Workers *w = NULL;
        _cleanup_close_ int iommufd = -EBADF;
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2 || (strcmp(argv[1], "who") != 0 && (strcmp(argv[1], "flush") != 0 || argc != 3))) {
                fprintf(stderr, "Usage: ctr-client who | flush N\n");
                return 2;
        }
        r = flushd_open(&c);
        if (r < 0) {
                printf("ctr-client: cannot reach the system bus: %s\n", flushd_strerror(r));
                return 2;
        }
        if (strcmp(argv[1], "who") == 0)
                return who(c);

        iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (iommufd < 0) {
                printf("ctr-client: cannot open /dev/iommu: %m\n");
                return 2;
        }
        r = workers_new(&w, iommufd, cpus, ELEMENTSOF(cpus));
        if (r < 0) {
                printf("ctr-client: tracked worker on CPU 1: %s\n", strerror(-r));
                return 2;
        }
        return flush_n(c, iommufd, w, atoi(argv[2]));
}

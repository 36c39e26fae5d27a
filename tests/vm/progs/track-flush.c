/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * track-flush.c - end to end: tracked threads on CPUs 1 and 3, flushed twice
 *
 * The whole product in one unprivileged process: open /dev/iommu, let two
 * threads pinned to CPUs 1 and 3 start tracking and dirty a buffer, then,
 * while they are blocked, ask flushd for a write-back from the untracked
 * main thread through libflushd. The kernel must report exactly those two
 * CPUs written back. The threads then dirty their buffers again and the
 * same iommufd is handed to `flushctl flush --fd=N` (inherited across exec),
 * whose output must also say flushed=2. Exit status 0 only if both held.
 *
 * Usage: track-flush
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flushd.h"
#include "util/macro.h"
#include "workers.h"

static const int cpus[] = { 1, 3 };

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdClient *, flushd_close);

static int check_libflushd(FlushdClient *c, int iommufd) {
        FlushdResult res = {};
        int r;

        r = flushd_flush(c, iommufd, 0, &res);
        if (r < 0) {
                printf("track-flush: flushd_flush failed: %s\n", flushd_strerror(r));
                return -1;
        }
        printf("track-flush: flushd_flush: flushed=%" PRIu32 " coalesced=%" PRIu32 " nsec=%" PRIu64 "\n",
               res.flushed, res.coalesced, res.nsec);
        if (res.flushed != ELEMENTSOF(cpus) || res.coalesced != 0) {
                printf("track-flush: want flushed=%zu coalesced=0 (CPUs 1 and 3)\n", ELEMENTSOF(cpus));
                return -1;
        }
        return 0;
}

/* Runs flushctl with the iommufd inherited; returns its parsed "flushed". */
static int check_flushctl(int iommufd) {
        _cleanup_close_ int rd = -EBADF, wr = -EBADF;
        char arg[32], out[256] = {};
        unsigned flushed, coalesced;
        unsigned long long nsec;
        int p[2], status;
        ssize_t n, len = 0;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        rd = p[0];
        wr = p[1];
        snprintf(arg, sizeof(arg), "--fd=%d", iommufd);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* dup2() clears O_CLOEXEC on stdout; iommufd has none. */
                if (dup2(wr, STDOUT_FILENO) < 0)
                        _exit(127);
                execlp("flushctl", "flushctl", "flush", arg, (char *) NULL);
                _exit(127);
        }
        wr = safe_close(wr);
        while (len < (ssize_t) sizeof(out) - 1 &&
               (n = read(rd, out + len, sizeof(out) - 1 - len)) > 0)
                len += n;
        if (waitpid(pid, &status, 0) < 0)
                return -errno;

        printf("track-flush: flushctl flush %s -> status %d, output: %s", arg,
               WIFEXITED(status) ? WEXITSTATUS(status) : -1, len > 0 ? out : "(none)\n");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        if (sscanf(out, "flushed=%u coalesced=%u nsec=%llu", &flushed, &coalesced, &nsec) != 3) {
                printf("track-flush: output does not match 'flushed=<u> coalesced=<u> nsec=<t>'\n");
                return -1;
        }
        if (flushed != ELEMENTSOF(cpus)) {
                printf("track-flush: want flushed=%zu (CPUs 1 and 3)\n", ELEMENTSOF(cpus));
                return -1;
        }
        return 0;
}

int main(void) {
        _cleanup_(flushd_closep) FlushdClient *c = NULL;
        _cleanup_(workers_freep) Workers *ws = NULL;
        _cleanup_close_ int iommufd = -EBADF;
        int r, failed = 0;

        if (sysconf(_SC_NPROCESSORS_ONLN) < 4) {
                printf("track-flush: needs 4 online CPUs, have %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
                return 1;
        }

        /* No O_CLOEXEC: flushctl inherits it across exec. */
        iommufd = open("/dev/iommu", O_RDWR);
        if (iommufd < 0) {
                printf("track-flush: open /dev/iommu: %m\n");
                return 1;
        }

        r = flushd_open(&c);
        if (r < 0) {
                printf("track-flush: flushd_open: %s\n", flushd_strerror(r));
                return 1;
        }

        r = workers_new(&ws, iommufd, cpus, ELEMENTSOF(cpus));
        if (r < 0) {
                printf("track-flush: pinning/tracking threads on CPUs 1,3 failed: %s\n",
                       flushd_strerror(r));
                return 1;
        }

        if (check_libflushd(c, iommufd) < 0)
                failed++;

        r = workers_dirty(ws);
        if (r < 0) {
                printf("track-flush: second round of writes failed: %s\n", strerror(-r));
                return 1;
        }
        if (check_flushctl(iommufd) != 0)
                failed++;

        printf("track-flush: %s\n", failed ? "FAILED" : "both flushes wrote back exactly CPUs 1 and 3");
        return failed ? 1 : 0;
}

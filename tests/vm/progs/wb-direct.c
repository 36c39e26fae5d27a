/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wb-direct.c - issue the iommufd cache ioctls directly, without flushd
 *
 * The point of flushd is that IOMMU_CACHE_WB needs CAP_SYS_RAWIO in the
 * initial user namespace while IOMMU_CACHE_WB_TRACK needs nothing. This
 * program proves both halves on one /dev/iommu fd of its own: TRACK START
 * succeeds (so the fd and the kernel support are fine), then IOMMU_CACHE_WB
 * with target_fd = -1 (this fd), target_fd = the fd number itself, and the
 * QUERY flag must all fail with EPERM when run unprivileged ("eperm"), and
 * must all succeed when run as root ("granted"), which shows that the only
 * difference is the capability. TRACK STOP ends the run.
 *
 * "unsupported" is for a kernel built with the series but without
 * CONFIG_IOMMUFD_CACHE_WB (kernel/series-check.sh): TRACK START, STOP and
 * IOMMU_CACHE_WB must all fail with EOPNOTSUPP, for any caller: the kernel
 * says "unsupported" before it checks the capability, so an unprivileged
 * caller gets EOPNOTSUPP too, not EPERM (and no capability audit record).
 * "absent" is for a kernel without the series' ioctls: each must fail
 * with ENOTTY, what iommufd answers to an ioctl it does not know.
 * "disabled" is for iommufd.cache_wb_enable=N: START and IOMMU_CACHE_WB
 * fail with EOPNOTSUPP, but STOP keeps working (ENOENT: this fd tracks
 * nothing), so that threads tracked before the switch can still stop.
 *
 * Usage: wb-direct eperm|granted|unsupported|absent|disabled
 *                                         exit 0 when every check held
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "util/macro.h"

#define _attribute_printf_(a, b) __attribute__((format(printf, a, b)))

/* Prints one verdict line; returns 1 if the check failed, for summing. */
_attribute_printf_(2, 3)
static int check(bool ok, const char *fmt, ...) {
        va_list ap;

        printf("wb-direct: %s: ", ok ? "ok" : "FAILED");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        return !ok;
}

static int track(int fd, unsigned op, uint64_t *ret_nr) {
        struct iommu_cache_wb_track t = {
                .size = sizeof(t),
                .op = op,
        };

        if (ioctl(fd, IOMMU_CACHE_WB_TRACK, &t) < 0)
                return -errno;
        *ret_nr = t.out_nr_tracked;
        return 0;
}

static int cache_wb(int fd, int target_fd, unsigned flags, struct iommu_cache_wb *ret) {
        *ret = (struct iommu_cache_wb) {
                .size = sizeof(*ret),
                .flags = flags,
                .target_fd = target_fd,
        };
        return ioctl(fd, IOMMU_CACHE_WB, ret) < 0 ? -errno : 0;
}

/* Returns the number of failed checks. */
static int check_wb(int fd, int target_fd, unsigned flags, bool privileged) {
        struct iommu_cache_wb wb;
        int r;

        r = cache_wb(fd, target_fd, flags, &wb);
        if (!privileged)
                return check(r == -EPERM, "IOMMU_CACHE_WB target_fd=%d flags=%#x as uid %d -> %s (want EPERM)",
                             target_fd, flags, (int) geteuid(), r < 0 ? strerror(-r) : "success");
        if (check(r == 0, "IOMMU_CACHE_WB target_fd=%d flags=%#x as uid %d -> %s (want success)",
                  target_fd, flags, (int) geteuid(), r < 0 ? strerror(-r) : "success"))
                return 1;
        if (flags & IOMMU_CACHE_WB_QUERY)
                return 0;
        /* This very thread is tracked and running, so its CPU is dirty. */
        return check(wb.out_nr_flushed + wb.out_nr_coalesced >= 1,
                     "running tracked thread's CPU written back (dirty=%u flushed=%u coalesced=%u)",
                     wb.out_nr_dirty, wb.out_nr_flushed, wb.out_nr_coalesced);
}

/*
 * Returns the number of failed checks: every ioctl must fail with errno
 * want, STOP with want_stop.
 */
static int check_unsupported(int fd, int want, int want_stop) {
        static const struct {
                const char *what;
                bool is_track;
                unsigned op_or_flags;
        } calls[] = {
                { "IOMMU_CACHE_WB_TRACK START", true, IOMMU_CACHE_WB_TRACK_START },
                { "IOMMU_CACHE_WB_TRACK STOP", true, IOMMU_CACHE_WB_TRACK_STOP },
                { "IOMMU_CACHE_WB", false, 0 },
                { "IOMMU_CACHE_WB QUERY", false, IOMMU_CACHE_WB_QUERY },
        };
        int failures = 0;

        /* In order: STOP after START. */
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                struct iommu_cache_wb wb;
                uint64_t nr = 0;
                bool is_stop = calls[i].is_track && calls[i].op_or_flags == IOMMU_CACHE_WB_TRACK_STOP;
                int r, w = is_stop ? want_stop : want;

                r = calls[i].is_track ? track(fd, calls[i].op_or_flags, &nr) :
                                        cache_wb(fd, -1, calls[i].op_or_flags, &wb);
                failures += check(r == -w, "%s as uid %d -> %s (want %s)", calls[i].what, (int) geteuid(),
                                  r < 0 ? strerror(-r) : "success", strerror(w));
        }
        return failures;
}

int main(int argc, char *argv[]) {
        _cleanup_close_ int fd = -EBADF;
        bool privileged;
        uint64_t nr = 0;
        int r, failures = 0;

        if (argc != 2 || (strcmp(argv[1], "eperm") && strcmp(argv[1], "granted") &&
                          strcmp(argv[1], "unsupported") && strcmp(argv[1], "absent") &&
                          strcmp(argv[1], "disabled"))) {
                fprintf(stderr, "Usage: wb-direct eperm|granted|unsupported|absent|disabled\n");
                return 2;
        }
        privileged = !strcmp(argv[1], "granted");

        fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                printf("wb-direct: FAILED: open /dev/iommu as uid %d: %m\n", (int) geteuid());
                return 1;
        }
        if (!strcmp(argv[1], "unsupported"))
                return check_unsupported(fd, EOPNOTSUPP, EOPNOTSUPP) ? 1 : 0;
        if (!strcmp(argv[1], "absent"))
                return check_unsupported(fd, ENOTTY, ENOTTY) ? 1 : 0;
        if (!strcmp(argv[1], "disabled"))
                return check_unsupported(fd, EOPNOTSUPP, ENOENT) ? 1 : 0;

        r = track(fd, IOMMU_CACHE_WB_TRACK_START, &nr);
        failures += check(r == 0 && nr == 1,
                          "IOMMU_CACHE_WB_TRACK START as uid %d -> %s, out_nr_tracked=%llu (want 1)",
                          (int) geteuid(), r < 0 ? strerror(-r) : "success", (unsigned long long) nr);

        failures += check_wb(fd, -1, 0, privileged);
        failures += check_wb(fd, fd, 0, privileged);
        failures += check_wb(fd, -1, IOMMU_CACHE_WB_QUERY, privileged);

        r = track(fd, IOMMU_CACHE_WB_TRACK_STOP, &nr);
        failures += check(r == 0 && nr == 0,
                          "IOMMU_CACHE_WB_TRACK STOP -> %s, out_nr_tracked=%llu (want 0)",
                          r < 0 ? strerror(-r) : "success", (unsigned long long) nr);

        return failures ? 1 : 0;
}

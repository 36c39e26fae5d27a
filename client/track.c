/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * track.c - IOMMU_CACHE_WB_TRACK: record which CPUs the calling thread runs on
 *
 * Tracking is a property of one thread and one iommufd: the kernel marks
 * each CPU the thread runs on as dirty for that iommufd, so a later
 * IOMMU_CACHE_WB (issued by flushd) writes back only those CPUs. No privilege
 * is needed, and nothing is sent to the daemon. This is the only file of the
 * library that knows the uapi structures; its flags are translated here so
 * the public header does not depend on <linux/iommufd.h>.
 */
#include <errno.h>
#include <limits.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include "flushd.h"

static int track_ioctl(int iommufd, unsigned op, unsigned flags) {
        struct iommu_cache_wb_track cmd = {
                .size = sizeof(cmd),
                .op = op,
        };

        if (iommufd < 0)
                return -EBADF;
        if (flags & ~(unsigned) FLUSHD_TRACK_MARK_ALL)
                return -EINVAL;

        if (flags & FLUSHD_TRACK_MARK_ALL)
                cmd.flags |= IOMMU_CACHE_WB_TRACK_MARK_ALL;

        if (ioctl(iommufd, IOMMU_CACHE_WB_TRACK, &cmd) < 0)
                return -errno;

        return cmd.out_nr_tracked > INT_MAX ? INT_MAX : (int) cmd.out_nr_tracked;
}

int flushd_track_thread(int iommufd, unsigned flags) {
        return track_ioctl(iommufd, IOMMU_CACHE_WB_TRACK_START, flags);
}

int flushd_untrack_thread(int iommufd) {
        return track_ioctl(iommufd, IOMMU_CACHE_WB_TRACK_STOP, 0);
}

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PROVISIONAL: stands in for the patched kernel's uapi header until
 * kernel/build.sh generates this file from the patched tree (make uapi).
 * Holds only the flushd additions.
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

enum {
	IOMMUFD_CMD_CACHE_WB_TRACK = 0x9e,
	IOMMUFD_CMD_CACHE_WB = 0x9f,
};

enum iommu_cache_wb_track_op {
	IOMMU_CACHE_WB_TRACK_START = 0,
	IOMMU_CACHE_WB_TRACK_STOP = 1,
};

enum iommu_cache_wb_track_flags {
	IOMMU_CACHE_WB_TRACK_MARK_ALL = 1 << 0,
};

struct iommu_cache_wb_track {
	__u32 size;
	__u32 flags;
	__u32 op;
	__u32 __reserved;
	__aligned_u64 out_nr_tracked;
};
#define IOMMU_CACHE_WB_TRACK _IO(IOMMUFD_TYPE, IOMMUFD_CMD_CACHE_WB_TRACK)

enum iommu_cache_wb_flags {
	IOMMU_CACHE_WB_QUERY = 1 << 0,
	IOMMU_CACHE_WB_ALL_CPUS = 1 << 1,
	IOMMU_CACHE_WB_NO_INVALIDATE = 1 << 2,
	IOMMU_CACHE_WB_NO_COALESCE = 1 << 3,
};

enum iommu_cache_wb_out_flags {
	IOMMU_CACHE_WB_OUT_NOINVD = 1 << 0,
	IOMMU_CACHE_WB_OUT_NONCOHERENT_DEV = 1 << 1,
};

struct iommu_cache_wb {
	__u32 size;
	__u32 flags;
	__s32 target_fd;
	__u32 cpumask_len;
	__aligned_u64 cpumask_uptr;
	__u32 out_nr_dirty;
	__u32 out_nr_flushed;
	__u32 out_nr_coalesced;
	__u32 out_flags;
	__aligned_u64 out_total_ns;
	__aligned_u64 out_max_cpu_ns;
};
#define IOMMU_CACHE_WB _IO(IOMMUFD_TYPE, IOMMUFD_CMD_CACHE_WB)

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kernel.h - the IOMMU_CACHE_WB back end
 */
#pragma once

#include <stdint.h>

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _KERNEL_E_SUCCESS = 0,
        KERNEL_E_INVALID_FD = 400,      /* target is not an iommufd (EBADF/EBADFD) */
        KERNEL_E_NO_DEVICE,             /* the device could not be opened */
        KERNEL_E_NO_IOCTL,              /* the kernel lacks IOMMU_CACHE_WB (ENOTTY) */
        KERNEL_E_UNSUPPORTED,           /* not on this machine (EOPNOTSUPP, e.g. TDX guest) */
        KERNEL_E_NO_PRIVILEGE,          /* flushd lacks CAP_SYS_RAWIO (EPERM) */
};

typedef enum KernelFlags {
        KERNEL_WB_ALL_CPUS      = 1 << 0,
        KERNEL_WB_NO_INVALIDATE = 1 << 1,
        KERNEL_WB_QUERY         = 1 << 2,       /* write back nothing: count the dirty CPUs */
} KernelFlags;

typedef struct KernelResult {
        uint32_t dirty;                 /* CPUs selected (with QUERY: that would be) */
        uint32_t flushed;
        uint32_t coalesced;
        uint64_t nsec;
} KernelResult;

typedef struct Kernel {
        int fd;                         /* our own /dev/iommu, -EBADF if it could not be opened */
        char *device;
        char *open_error;               /* why it could not be opened */
        char *support;                  /* "yes" or "no: REASON" */
} Kernel;

Kernel *kernel_free(Kernel *k);
static inline void kernel_freep(Kernel **k) {
        if (*k)
                kernel_free(*k);
}

/* Never fails for a missing device or kernel support (only -ENOMEM):
 * requests are then answered with the KERNEL_E_* outcome. */
int kernel_new(const char *device, Kernel **ret);
/* If the device could not be opened (say, started before udev gave it to
 * its group), tries again: 1 if it is open now, 0 if not, -ENOMEM. Frees
 * and replaces k->support. Only while no write-back can be using k. */
int kernel_reopen(Kernel *k);
int kernel_write_back(Kernel *k, int target_fd, KernelFlags flags, KernelResult *ret);
const char *kernel_outcome_to_string(const Kernel *k, int outcome);
/* The one ioctl request number flushd issues (for the seccomp allow-list). */
unsigned long kernel_ioctl_request(void);

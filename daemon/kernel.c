/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kernel.c - the IOMMU_CACHE_WB back end
 *
 * The only file that includes the iommufd uapi header or calls ioctl(). The
 * daemon opens /dev/iommu itself and issues IOMMU_CACHE_WB on that fd,
 * naming the client's iommufd in target_fd; the kernel checks that it is an
 * iommufd (EBADF/EBADFD). No ioctl is ever issued on a client's fd, and
 * target_fd is never -1 (which would mean our own context).
 *
 * At start-up a QUERY on our own context tells whether the kernel has the
 * ioctl and whether we hold CAP_SYS_RAWIO; the answer is the KernelSupport
 * property. Requests still go to the kernel and are answered from what it
 * says each time. This file does not log.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/iommufd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kernel.h"
#include "util/macro.h"

Kernel *kernel_free(Kernel *k) {
        if (!k)
                return NULL;
        safe_close(k->fd);
        free(k->device);
        free(k->open_error);
        free(k->support);
        free(k);
        return NULL;
}

static int outcome_from_errno(int err) {
        switch (err) {
        case EBADF:
        case EBADFD:
                return KERNEL_E_INVALID_FD;
        case ENOTTY:
                return KERNEL_E_NO_IOCTL;
        case EOPNOTSUPP:
                return KERNEL_E_UNSUPPORTED;
        case EPERM:
                return KERNEL_E_NO_PRIVILEGE;
        default:
                return -err;
        }
}

static int kernel_ioctl(Kernel *k, int target_fd, uint32_t flags, struct iommu_cache_wb *ret) {
        struct iommu_cache_wb cmd = {
                .size = sizeof(cmd),
                .flags = flags,
                .target_fd = target_fd,
        };

        if (k->fd < 0)
                return KERNEL_E_NO_DEVICE;
        if (ioctl(k->fd, IOMMU_CACHE_WB, &cmd) < 0)
                return outcome_from_errno(errno);
        *ret = cmd;
        return 0;
}

static int kernel_probe(Kernel *k) {
        struct iommu_cache_wb cmd;
        const char *reason = NULL;
        int r;

        /* A QUERY of our own (empty) context flushes nothing. */
        r = kernel_ioctl(k, -1, IOMMU_CACHE_WB_QUERY, &cmd);
        switch (r) {
        case KERNEL_E_NO_DEVICE:
        case KERNEL_E_NO_IOCTL:
        case KERNEL_E_UNSUPPORTED:
        case KERNEL_E_NO_PRIVILEGE:
                reason = kernel_outcome_to_string(k, r);
                break;
        default:
                break;  /* the ioctl exists; any other error is per request */
        }

        if (!reason)
                k->support = strdup("yes");
        else if (asprintf(&k->support, "no: %s", reason) < 0)
                k->support = NULL;
        return k->support ? 0 : -ENOMEM;
}

/* Opens the device and probes it; k->fd < 0 and open_error say why not. */
static int kernel_open(Kernel *k) {
        free(k->open_error);
        k->open_error = NULL;
        free(k->support);
        k->support = NULL;
        k->fd = open(k->device, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (k->fd < 0) {
                /* ENOENT here usually means a kernel without iommufd. */
                if (asprintf(&k->open_error, "cannot open %s: %s", k->device, strerror(errno)) < 0) {
                        k->open_error = NULL;
                        return -ENOMEM;
                }
                k->fd = -EBADF;
        }
        return kernel_probe(k);
}

int kernel_new(const char *device, Kernel **ret) {
        _cleanup_(kernel_freep) Kernel *k = NULL;
        int r;

        assert(device);
        assert(ret);

        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        k->fd = -EBADF;
        k->device = strdup(device);
        if (!k->device)
                return -ENOMEM;

        r = kernel_open(k);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(k);
        return 0;
}

int kernel_reopen(Kernel *k) {
        int r;

        assert(k);

        if (k->fd >= 0)
                return 1;
        r = kernel_open(k);
        if (r < 0)
                return r;
        return k->fd >= 0;
}

int kernel_write_back(Kernel *k, int target_fd, KernelFlags flags, KernelResult *ret) {
        struct iommu_cache_wb cmd;
        uint32_t kflags = 0;
        int r;

        assert(k);
        assert(ret);

        if (target_fd < 0)
                return KERNEL_E_INVALID_FD;
        if (flags & KERNEL_WB_ALL_CPUS)
                kflags |= IOMMU_CACHE_WB_ALL_CPUS;
        if (flags & KERNEL_WB_NO_INVALIDATE)
                kflags |= IOMMU_CACHE_WB_NO_INVALIDATE;
        if (flags & KERNEL_WB_QUERY)
                kflags |= IOMMU_CACHE_WB_QUERY;

        r = kernel_ioctl(k, target_fd, kflags, &cmd);
        if (r != 0)
                return r;

        *ret = (KernelResult) {
                .dirty = cmd.out_nr_dirty,
                .flushed = cmd.out_nr_flushed,
                .coalesced = cmd.out_nr_coalesced,
                .nsec = cmd.out_total_ns,
        };
        return 0;
}

const char *kernel_outcome_to_string(const Kernel *k, int outcome) {
        switch (outcome) {
        case KERNEL_E_INVALID_FD:
                return "the file descriptor is not an iommufd";
        case KERNEL_E_NO_DEVICE:
                return k->open_error ?: "no iommufd device";
        case KERNEL_E_NO_IOCTL:
                return "the kernel lacks IOMMU_CACHE_WB (ENOTTY)";
        case KERNEL_E_UNSUPPORTED:
                return "cache write-back is not supported on this machine (EOPNOTSUPP)";
        case KERNEL_E_NO_PRIVILEGE:
                return "flushd lacks CAP_SYS_RAWIO (EPERM)";
        default:
                return NULL;
        }
}

unsigned long kernel_ioctl_request(void) {
        return IOMMU_CACHE_WB;
}

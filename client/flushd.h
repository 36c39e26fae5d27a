/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushd.h - libflushd: track DMA-writing threads and ask flushd for a cache write-back
 *
 * A workload opens /dev/iommu, calls flushd_track_thread() on every thread
 * that writes buffers a device will read with no-snoop DMA, and calls
 * flushd_flush() before starting the DMA. flushd, the only privileged party,
 * writes back the caches of exactly the CPUs those threads ran on, if its
 * policy and the caller's quota allow it.
 *
 * Return codes: 0 or a documented non-negative value on success; a negative
 * errno for local or transport failures; a negated FLUSHD_E_* code for the
 * conditions a caller must tell apart. flushd_strerror() describes both.
 *
 * Thread safety: no global state. The track calls act on the calling thread
 * only. A FlushdClient may be shared between threads; its calls are
 * serialized, so open one client per thread for concurrent flushes. A client
 * cannot be used in a child after fork() (-ECHILD).
 */
#ifndef FLUSHD_H
#define FLUSHD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FlushdClient FlushdClient;

typedef struct FlushdResult {
        uint32_t flushed;       /* CPUs written back by this request */
        uint32_t coalesced;     /* dirty CPUs already written back by a concurrent request */
        uint64_t nsec;          /* time the write-back took, in nanoseconds */
} FlushdResult;

/* flags of flushd_flush(), passed to the daemon unchanged (D-Bus Flush flags) */
enum {
        FLUSHD_FLUSH_ALL_CPUS      = 1 << 0,    /* every online CPU; the policy must allow it */
        FLUSHD_FLUSH_NO_INVALIDATE = 1 << 1,    /* write back without invalidating, where possible */
};

/* flags of flushd_track_thread() */
enum {
        FLUSHD_TRACK_MARK_ALL = 1 << 0,         /* count every CPU dirty once: covers writes made before tracking */
};

/* Outcomes a caller must tell apart, returned negated; above the errno range. */
enum {
        FLUSHD_E_ACCESS_DENIED = 4096,  /* no flushd policy admits the caller */
        FLUSHD_E_QUOTA_EXCEEDED,        /* rate or time quota used up; the message says when to retry */
        FLUSHD_E_INVALID_FD,            /* the fd passed is not an iommufd */
        FLUSHD_E_NOT_SUPPORTED,         /* the kernel lacks the cache write-back ioctls */
        FLUSHD_E_BUSY,                  /* flushd's request queue is full */
        FLUSHD_E_INVALID_ARGS,          /* flushd rejected the flags */
        FLUSHD_E_NO_DAEMON,             /* org.flushd.Flush1 has no owner on the bus */
        FLUSHD_E_KERNEL,                /* the kernel failed the write-back; nothing was charged */
};

/*
 * Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured).
 * Returns 0 and sets *ret, or a negative errno: -EOPNOTSUPP if the
 * connection cannot pass file descriptors, -ENOMEM, or the connect error
 * (e.g. -ENOENT, -ECONNREFUSED).
 */
int flushd_open(FlushdClient **ret);

/* As flushd_open(), on the bus at a D-Bus address such as "unix:path=/run/x". */
int flushd_open_address(FlushdClient **ret, const char *address);

/* Disconnect and free. Accepts NULL; returns NULL. */
FlushdClient *flushd_close(FlushdClient *c);

/*
 * Start tracking the calling thread on iommufd (IOMMU_CACHE_WB_TRACK START);
 * flags are FLUSHD_TRACK_*. Tracking survives execve() and ends at
 * flushd_untrack_thread(), thread exit or the last close of iommufd.
 * Returns the number of threads now tracked on iommufd (>= 1), or
 * -EINVAL (unknown flag, or a kernel thread), -EBADF (fd not open),
 * -ENOTTY (kernel without the ioctl, or fd not an iommufd), -EEXIST (already
 * tracked), -ENOSPC (kernel limit), -EOPNOTSUPP (no support on this CPU).
 */
int flushd_track_thread(int iommufd, unsigned flags);

/*
 * Stop tracking the calling thread (IOMMU_CACHE_WB_TRACK STOP).
 * Returns the number of threads still tracked on iommufd (>= 0), or
 * -ENOENT (thread not tracked), -EBADF, -ENOTTY as above.
 */
int flushd_untrack_thread(int iommufd);

/*
 * Ask flushd to write back the CPUs the threads tracked on iommufd ran on
 * since their last write-back. flags are FLUSHD_FLUSH_*; unknown bits are
 * left to the daemon to refuse. ret may be NULL.
 * Returns 0 and fills *ret, or -FLUSHD_E_* for an error flushd (or the bus,
 * for FLUSHD_E_NO_DAEMON) replied with, or a negative errno: -EINVAL (c is
 * NULL), -EBADF (iommufd not open), -ECHILD (client used after fork),
 * -EBADMSG (the reply is not (uut)), the errno sd-bus maps another D-Bus
 * error to (-EIO if none), or a transport error.
 */
int flushd_flush(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret);

/*
 * As flushd_flush(), and also hands out the D-Bus error behind a failure:
 * if ret_error_name/ret_error_message are not NULL, they are always set,
 * to malloc()ed copies of the error's name and message (free() them) when
 * the call failed with a D-Bus error, and to NULL otherwise (success, a
 * failure before the call was sent, or no memory for the copy). sd-bus
 * reports some transport failures as errors of its own, e.g. NoReply or
 * Timeout. A QuotaExceeded message carries the retry-after time.
 */
int flushd_flush_full(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret,
                      char **ret_error_name, char **ret_error_message);

/*
 * Describe r, a negative errno or -FLUSHD_E_* (r >= 0 is "Success").
 * Returns a static string; never NULL.
 */
const char *flushd_strerror(int r);

#ifdef __cplusplus
}
#endif

#endif

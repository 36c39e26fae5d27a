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
 * Results that may grow (Explain, Quota, ListCgroups, the daemon's
 * properties) are opaque objects read through accessors and freed with
 * their *_free() function (each accepts NULL and returns NULL). New fields
 * become new accessors; the generic *_get_counter() accessors also read
 * counters the daemon adds later, by their D-Bus key. The D-Bus error
 * behind a failure is handed out as an optional FlushdError.
 *
 * Thread safety: no global state. The track calls act on the calling thread
 * only. A FlushdClient may be shared between threads; its calls are
 * serialized, so open one client per thread for concurrent flushes. A client
 * cannot be used in a child after fork() (-ECHILD).
 */
#ifndef FLUSHD_H
#define FLUSHD_H

#include <stddef.h>
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
        FLUSHD_E_INVALID_POLICY,        /* Reload: a policy file has an error (FILE:LINE: message) */
        FLUSHD_E_BUS_ACCESS_DENIED,     /* the bus's own policy refused the call (not flushd's) */
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
 * The D-Bus error behind a failed call, when the call reached the bus. Every
 * call below that takes FlushdError **ret_error sets *ret_error (if
 * ret_error is not NULL) to NULL on success or on a failure without a D-Bus
 * error, and to a new FlushdError otherwise (NULL if memory ran out).
 */
typedef struct FlushdError FlushdError;

/* Free e. Accepts NULL; returns NULL. */
FlushdError *flushd_error_free(FlushdError *e);

/* The D-Bus error name, e.g. "org.flushd.Flush1.Error.QuotaExceeded"; never NULL. */
const char *flushd_error_get_name(const FlushdError *e);

/* The error's message, in words; "" if it had none; never NULL. */
const char *flushd_error_get_message(const FlushdError *e);

/* The value the call returned: -FLUSHD_E_* or a negative errno. */
int flushd_error_get_code(const FlushdError *e);

/*
 * For a QuotaExceeded error: how long until a retry can succeed, parsed
 * from the message ("retry after 0.250s"). Returns 0 and sets *ret_usec,
 * -ENODATA if the error carries no retry-after, -EINVAL if e is NULL.
 */
int flushd_error_get_retry_after(const FlushdError *e, uint64_t *ret_usec);

/*
 * As flushd_flush(), with the D-Bus error behind a failure as a FlushdError
 * (see above), so a throttled caller can read the retry-after time.
 */
int flushd_flush_ex(FlushdClient *c, int iommufd, uint64_t flags, FlushdResult *ret,
                    FlushdError **ret_error);

/*
 * One rate or time bucket a request is charged to, as Explain and Quota
 * report it. Owned by the object it came from; valid until that is freed.
 */
typedef struct FlushdBucket FlushdBucket;

const char *flushd_bucket_get_section(const FlushdBucket *b);  /* "[Default]", a label, "[Daemon]" */
const char *flushd_bucket_get_kind(const FlushdBucket *b);     /* "rate", "user" or "time" */
int64_t flushd_bucket_get_tokens(const FlushdBucket *b);       /* held now; negative in debt */
int64_t flushd_bucket_get_burst(const FlushdBucket *b);        /* capacity */
uint64_t flushd_bucket_get_rate(const FlushdBucket *b);        /* gained per second, rounded down */
/* The refill exactly: returns the tokens gained every *ret_period_usec µs. */
uint64_t flushd_bucket_get_refill(const FlushdBucket *b, uint64_t *ret_period_usec);
uint64_t flushd_bucket_get_wait_usec(const FlushdBucket *b);   /* until it holds one token */

/*
 * Explain(flags): what flushd_flush() with these flags would answer now and
 * why, for the caller itself; nothing is charged. Returns 0 and sets *ret
 * (free it with flushd_explain_free()), or an error as flushd_flush()
 * (-FLUSHD_E_BUSY if Explain's own rate limit is reached, -EBADMSG if the
 * reply is not (sa{sv})). A refusal that Flush would give is not an error
 * here: it is the verdict.
 */
typedef struct FlushdExplain FlushdExplain;

int flushd_explain(FlushdClient *c, uint64_t flags, FlushdExplain **ret, FlushdError **ret_error);
FlushdExplain *flushd_explain_free(FlushdExplain *e);

/* "granted", "denied", "throttled" or "invalid"; never NULL. */
const char *flushd_explain_get_verdict(const FlushdExplain *e);
/* The error name Flush would answer with, "" for granted; never NULL. */
const char *flushd_explain_get_error(const FlushdExplain *e);
/* Flush's message, in words; never NULL. */
const char *flushd_explain_get_reason(const FlushdExplain *e);
uint32_t flushd_explain_get_uid(const FlushdExplain *e);
uint32_t flushd_explain_get_pid(const FlushdExplain *e);
/* The caller's cgroup; never NULL. */
const char *flushd_explain_get_cgroup(const FlushdExplain *e);
/* The matching sections, deciding one first; index below ..._n_sections(). */
size_t flushd_explain_get_n_sections(const FlushdExplain *e);
const char *flushd_explain_get_section(const FlushdExplain *e, size_t i);
/* The section that decides Allow= and AllowAllCPUs=; never NULL. */
const char *flushd_explain_get_decider(const FlushdExplain *e);
/* Tokens a Flush with these flags takes from each rate bucket. */
uint64_t flushd_explain_get_cost(const FlushdExplain *e);
/* Until Flush would be admitted; 0 unless throttled. */
uint64_t flushd_explain_get_retry_after_usec(const FlushdExplain *e);
size_t flushd_explain_get_n_buckets(const FlushdExplain *e);
/* Bucket i (< ..._n_buckets()), or NULL. */
const FlushdBucket *flushd_explain_get_bucket(const FlushdExplain *e, size_t i);

/*
 * Quota(): the caller's effective limits and what is left now for a plain
 * flush. Returns 0 and sets *ret (free with flushd_quota_free()), or an
 * error as flushd_explain().
 */
typedef struct FlushdQuota FlushdQuota;

int flushd_quota(FlushdClient *c, FlushdQuota **ret, FlushdError **ret_error);
FlushdQuota *flushd_quota_free(FlushdQuota *q);

/* Flushes admitted right now; -1 if a time budget is in debt, INT64_MAX if nothing limits the caller. */
int64_t flushd_quota_get_tokens(const FlushdQuota *q);
/* Until the next flush is admitted; 0 if tokens > 0. */
uint64_t flushd_quota_get_retry_after_usec(const FlushdQuota *q);
/* The deciding section; never NULL. */
const char *flushd_quota_get_decider(const FlushdQuota *q);
/* Whether the policy admits the caller at all; 1 or 0. */
int flushd_quota_get_allow(const FlushdQuota *q);
/* Whether the caller may flush all CPUs; 1 or 0. */
int flushd_quota_get_allow_all_cpus(const FlushdQuota *q);
size_t flushd_quota_get_n_buckets(const FlushdQuota *q);
const FlushdBucket *flushd_quota_get_bucket(const FlushdQuota *q, size_t i);

/*
 * Reload(): make flushd re-read its policy files. Root only (the daemon
 * checks). Returns 0, or -FLUSHD_E_INVALID_POLICY (the previous policy stays;
 * the error's message is FILE:LINE: message), -FLUSHD_E_ACCESS_DENIED, or
 * another error as flushd_flush().
 */
int flushd_reload(FlushdClient *c, FlushdError **ret_error);

/*
 * ListCgroups(): one entry per policy section, in policy order ([Default],
 * each [Cgroup] by label, [Daemon]). Root only. Returns 0 and sets *ret
 * (free with flushd_cgroup_list_free()), or an error as flushd_flush().
 */
typedef struct FlushdCgroupList FlushdCgroupList;
typedef struct FlushdCgroup FlushdCgroup;

int flushd_list_cgroups(FlushdClient *c, FlushdCgroupList **ret, FlushdError **ret_error);
FlushdCgroupList *flushd_cgroup_list_free(FlushdCgroupList *l);
size_t flushd_cgroup_list_get_n(const FlushdCgroupList *l);
/* Section i (< ..._get_n()), owned by l; or NULL. */
const FlushdCgroup *flushd_cgroup_list_get(const FlushdCgroupList *l, size_t i);

/* "[Default]", the [Cgroup] label, or "[Daemon]"; never NULL. */
const char *flushd_cgroup_get_label(const FlushdCgroup *g);
/* The section's Path=, "" for [Default] and [Daemon]; never NULL. */
const char *flushd_cgroup_get_path(const FlushdCgroup *g);
/*
 * The counter named by its D-Bus key ("granted", "denied", "throttled",
 * "failed", "cpus_flushed", "cpus_coalesced", "time_used_nsec", "users", or
 * one the daemon adds later). Returns 0 and sets *ret, or -ENODATA.
 */
int flushd_cgroup_get_counter(const FlushdCgroup *g, const char *key, uint64_t *ret);
/* Tokens of the rate bucket / ns left in the time budget: 0, or -ENODATA if unlimited. */
int flushd_cgroup_get_tokens(const FlushdCgroup *g, int64_t *ret);
int flushd_cgroup_get_time_tokens(const FlushdCgroup *g, int64_t *ret);

/*
 * The daemon's properties (Version, KernelSupport, CPUs, PolicyFiles and the
 * counters), read at once. Returns 0 and sets *ret (free with
 * flushd_status_free()), or an error as flushd_flush().
 */
typedef struct FlushdStatus FlushdStatus;

int flushd_status(FlushdClient *c, FlushdStatus **ret, FlushdError **ret_error);
FlushdStatus *flushd_status_free(FlushdStatus *s);
/* Version and KernelSupport ("yes" or "no: REASON"); never NULL. */
const char *flushd_status_get_version(const FlushdStatus *s);
const char *flushd_status_get_kernel_support(const FlushdStatus *s);
uint32_t flushd_status_get_cpus(const FlushdStatus *s);
size_t flushd_status_get_n_policy_files(const FlushdStatus *s);
const char *flushd_status_get_policy_file(const FlushdStatus *s, size_t i);
/* A counter property by name: "Granted", "Denied", "Throttled", "Busy", or a later one. 0 or -ENODATA. */
int flushd_status_get_counter(const FlushdStatus *s, const char *name, uint64_t *ret);

/*
 * Local write-back of one buffer range (x86): the lines of [addr, addr+len)
 * are written back to memory from every cache, by a loop of CLFLUSHOPT
 * (CLWB with FLUSHD_FLUSH_NO_INVALIDATE) where the CPU has them, CLFLUSH
 * otherwise. Unprivileged, no tracking, no daemon; its cost grows with len,
 * while a flushd round trip costs about the same at any size.
 */
typedef enum FlushdRangeMode {
        FLUSHD_RANGE_AUTO = 0,          /* local below the threshold, flushd at or above it */
        FLUSHD_RANGE_LOCAL,             /* always the local loop */
        FLUSHD_RANGE_DAEMON,            /* always flushd_flush() */
} FlushdRangeMode;

/*
 * The default threshold: the range size at which the local CLFLUSHOPT loop
 * costs as much as one bus round trip. Measured by `make bench` (goal 8,
 * tests/bench/host-local.c) on the development host, an AMD EPYC VM, on
 * 2026-12-01 under load: one Flush round trip to the bus floor on a private
 * dbus-daemon 116-178 us (median), the loop on a buffer just written
 * 47-52 us per MiB, so they meet at 2.5-3.7 MiB (three runs of 21 rounds).
 * A flushd round trip costs that floor plus its mediation plus the IPIs
 * and WBINVD, so the true crossover lies higher; 2 MiB errs towards the
 * daemon.
 */
#define FLUSHD_RANGE_THRESHOLD_DEFAULT ((size_t) 2 * 1024 * 1024)

/* Return values of flushd_write_back_range() on success. */
enum {
        FLUSHD_RANGE_BY_LOCAL = 0,      /* written back here, by the local loop */
        FLUSHD_RANGE_BY_DAEMON = 1,     /* written back by flushd */
};

/* What flushd_local_write_back_method() returns. */
enum {
        FLUSHD_LOCAL_CLFLUSH = 1,
        FLUSHD_LOCAL_CLFLUSHOPT,
        FLUSHD_LOCAL_CLWB,
};

/*
 * Make [addr, addr + len) reach memory before a no-snoop DMA reads it.
 * mode FLUSHD_RANGE_AUTO runs the local loop when len < threshold (0 means
 * FLUSHD_RANGE_THRESHOLD_DEFAULT), the CPU has a write-back instruction and
 * flags lacks FLUSHD_FLUSH_ALL_CPUS, and otherwise calls flushd_flush(c,
 * iommufd, flags, ret), which writes back the CPUs the tracked threads of
 * iommufd ran on: the daemon path covers the range only if the threads
 * that wrote it are tracked. c and iommufd are not used on the local path
 * (c may be NULL there). flags are FLUSHD_FLUSH_*. ret may be NULL; after
 * the local loop it holds flushed = coalesced = 0 and the loop's time.
 * Returns FLUSHD_RANGE_BY_LOCAL (0) or FLUSHD_RANGE_BY_DAEMON (1), or
 * -EINVAL (addr NULL with len > 0, the range wraps around, unknown mode,
 * FLUSHD_RANGE_LOCAL with FLUSHD_FLUSH_ALL_CPUS, or the daemon path is
 * needed and c is NULL), -EOPNOTSUPP (FLUSHD_RANGE_LOCAL on a CPU without
 * CLFLUSH, or not x86), or any return of flushd_flush().
 */
int flushd_write_back_range(FlushdClient *c, int iommufd, const void *addr, size_t len,
                            FlushdRangeMode mode, size_t threshold, uint64_t flags, FlushdResult *ret);

/*
 * The instruction the local loop uses for flags (FLUSHD_FLUSH_NO_INVALIDATE
 * prefers CLWB): FLUSHD_LOCAL_CLFLUSH, _CLFLUSHOPT or _CLWB, or -EOPNOTSUPP
 * if the CPU has none (or is not x86).
 */
int flushd_local_write_back_method(uint64_t flags);

/*
 * Describe r, a negative errno or -FLUSHD_E_* (r >= 0 is "Success").
 * Returns a static string; never NULL.
 */
const char *flushd_strerror(int r);

#ifdef __cplusplus
}
#endif

#endif

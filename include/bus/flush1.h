/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flush1.h - the org.flushd.Flush1 wire contract, in one place
 *
 * The daemon serves these names and the library calls them; both take them
 * from here so the two sides cannot drift apart. The public flushd.h keeps
 * its own literal flag values (it is installed without this header); the
 * library checks them against these at build time. Documented in
 * org.flushd.Flush1(5).
 */
#pragma once

#include <stdint.h>

#define FLUSH1_BUS_NAME    "org.flushd.Flush1"
#define FLUSH1_OBJECT_PATH "/org/flushd/Flush1"
#define FLUSH1_INTERFACE   "org.flushd.Flush1.Manager"

#define FLUSH1_ERROR(name) "org.flushd.Flush1.Error." name
#define FLUSH1_ERROR_ACCESS_DENIED  FLUSH1_ERROR("AccessDenied")
#define FLUSH1_ERROR_QUOTA_EXCEEDED FLUSH1_ERROR("QuotaExceeded")
#define FLUSH1_ERROR_INVALID_FD     FLUSH1_ERROR("InvalidFd")
#define FLUSH1_ERROR_NOT_SUPPORTED  FLUSH1_ERROR("NotSupported")
#define FLUSH1_ERROR_BUSY           FLUSH1_ERROR("Busy")
#define FLUSH1_ERROR_INVALID_ARGS   FLUSH1_ERROR("InvalidArgs")
#define FLUSH1_ERROR_KERNEL         FLUSH1_ERROR("KernelError")
#define FLUSH1_ERROR_INVALID_POLICY FLUSH1_ERROR("InvalidPolicy")

/* Flush(h iommufd, t flags) -> (u flushed, u coalesced, t nsec) */
#define FLUSH1_FLUSH_ALL_CPUS      UINT64_C(1)
#define FLUSH1_FLUSH_NO_INVALIDATE UINT64_C(2)
#define FLUSH1_FLUSH_KNOWN         (FLUSH1_FLUSH_ALL_CPUS | FLUSH1_FLUSH_NO_INVALIDATE)

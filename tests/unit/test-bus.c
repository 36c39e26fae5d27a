/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-bus.c - every module outcome has its documented D-Bus error name
 *
 * The table below restates the contract of DESIGN.md ("D-Bus API"): a
 * caller must be able to tell denied from throttled from broken, so no
 * known outcome may be missing (which would become a generic Failed).
 */
#include <string.h>

#include "bus.h"
#include "identity.h"
#include "kernel.h"
#include "policy.h"
#include "quota.h"
#include "request.h"
#include "tests.h"
#include "util/macro.h"

#define E(name) "org.flushd.Flush1.Error." name

static const struct {
        int outcome;
        const char *name;
} cases[] = {
        { BUS_E_INVALID_ARGS,       E("InvalidArgs") },
        { IDENTITY_E_UNKNOWN,       E("AccessDenied") },
        { IDENTITY_E_GONE,          E("AccessDenied") },
        { IDENTITY_E_UID_CHANGED,   E("AccessDenied") },
        { IDENTITY_E_NO_CGROUP,     E("AccessDenied") },
        { POLICY_E_DENIED,          E("AccessDenied") },
        { POLICY_E_ALL_CPUS_DENIED, E("AccessDenied") },
        { POLICY_E_USER_DENIED,     E("AccessDenied") },
        { QUOTA_E_EXCEEDED,         E("QuotaExceeded") },
        { KERNEL_E_INVALID_FD,      E("InvalidFd") },
        { KERNEL_E_NO_DEVICE,       E("NotSupported") },
        { KERNEL_E_NO_IOCTL,        E("NotSupported") },
        { KERNEL_E_UNSUPPORTED,     E("NotSupported") },
        { KERNEL_E_NO_PRIVILEGE,    E("NotSupported") },
        { REQUEST_E_BUSY,           E("Busy") },
        { REQUEST_E_STOPPING,       E("Busy") },
        { REQUEST_E_RESOURCES,      E("Busy") },
        { REQUEST_E_KERNEL,         E("KernelError") },
        { REQUEST_E_IDENTITY,       E("AccessDenied") },
};

/* Every errno the request path can meet (the kernel's, /proc's, sd-bus's,
 * fcntl's) has a name of ours; exhaustion is Busy, so a caller retries. */
static const struct {
        int err;
        const char *name;
} errnos[] = {
        { ENOMEM,    E("Busy") },
        { EMFILE,    E("Busy") },
        { ENFILE,    E("Busy") },
        { ENOBUFS,   E("Busy") },
        { EAGAIN,    E("Busy") },
        { EINTR,     E("Busy") },
        { EBUSY,     E("Busy") },
        { ENOSPC,    E("Busy") },
        { EACCES,    E("AccessDenied") },
        { EPERM,     E("AccessDenied") },
        { ESRCH,     E("AccessDenied") },
        { ENOENT,    E("AccessDenied") },
        { EBADMSG,   E("AccessDenied") },
        { EINVAL,    E("KernelError") },
        { EMSGSIZE,  E("KernelError") },
        { EIO,       E("KernelError") },
        { EFAULT,    E("KernelError") },
        { E2BIG,     E("KernelError") },
        { EOVERFLOW, E("KernelError") },
        { ENODEV,    E("KernelError") },
        { 4095,      E("KernelError") },      /* anything else: still ours, never Failed */
};

START_TEST(test_errno_name) {
        const char *name = bus_error_name(request_outcome_from_errno(-errnos[_i].err));

        ck_assert_ptr_nonnull(name);
        ck_assert_str_eq(name, errnos[_i].name);
}
END_TEST

START_TEST(test_error_name) {
        const char *name = bus_error_name(cases[_i].outcome);

        ck_assert_ptr_nonnull(name);
        ck_assert_str_eq(name, cases[_i].name);
}
END_TEST

START_TEST(test_no_name_for_success_or_unknown) {
        ck_assert_ptr_null(bus_error_name(0));
        ck_assert_ptr_null(bus_error_name(POLICY_E_INVALID));  /* a load error, never a reply */
        ck_assert_ptr_null(bus_error_name(12345));
}
END_TEST

Suite *bus_suite(void) {
        Suite *s = suite_create("bus");
        TCase *tc = tcase_create("errors");

        tcase_add_loop_test(tc, test_error_name, 0, ELEMENTSOF(cases));
        tcase_add_loop_test(tc, test_errno_name, 0, ELEMENTSOF(errnos));
        tcase_add_test(tc, test_no_name_for_success_or_unknown);
        suite_add_tcase(s, tc);
        return s;
}

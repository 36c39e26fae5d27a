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
        { QUOTA_E_EXCEEDED,         E("QuotaExceeded") },
        { KERNEL_E_INVALID_FD,      E("InvalidFd") },
        { KERNEL_E_NO_DEVICE,       E("NotSupported") },
        { KERNEL_E_NO_IOCTL,        E("NotSupported") },
        { KERNEL_E_UNSUPPORTED,     E("NotSupported") },
        { KERNEL_E_NO_PRIVILEGE,    E("NotSupported") },
};

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
        tcase_add_test(tc, test_no_name_for_success_or_unknown);
        suite_add_tcase(s, tc);
        return s;
}

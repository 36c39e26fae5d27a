/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-identity.c - caller identity from a pid and uid
 *
 * Uses the test process itself, a child that has already been reaped (its
 * pid names nothing) and a wrong uid, so every outcome but "no cgroup v2"
 * is exercised on a real /proc; that one is covered through the parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "identity.h"
#include "tests.h"
#include "util/macro.h"

START_TEST(test_parse_cgroup) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ck_assert_int_eq(identity_parse_cgroup("0::/user.slice/u.service\n", &a), 0);
        ck_assert_str_eq(a, "/user.slice/u.service");
        ck_assert_int_eq(identity_parse_cgroup("12:pids:/x\n1:name=systemd:/y\n0::/\n", &b), 0);
        ck_assert_str_eq(b, "/");
        ck_assert_int_eq(identity_parse_cgroup("3:cpu:/a\n0::/no/newline", &c), 0);
        ck_assert_str_eq(c, "/no/newline");
}
END_TEST

START_TEST(test_parse_cgroup_v1_only) {
        char *p = NULL;

        ck_assert_int_eq(identity_parse_cgroup("12:pids:/x\n1:name=systemd:/y\n", &p), IDENTITY_E_NO_CGROUP);
        ck_assert_int_eq(identity_parse_cgroup("", &p), IDENTITY_E_NO_CGROUP);
        ck_assert_int_eq(identity_parse_cgroup("0::\n", &p), IDENTITY_E_NO_CGROUP);
        ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_self) {
        _cleanup_(identity_freep) Identity *id = NULL;
        _cleanup_free_ char *expected = NULL, *text = NULL;
        size_t size = 0;
        FILE *f;

        f = fopen("/proc/self/cgroup", "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_gt(getdelim(&text, &size, '\0', f), 0);
        fclose(f);
        ck_assert_int_eq(identity_parse_cgroup(text, &expected), 0);

        ck_assert_int_eq(identity_new(getpid(), geteuid(), &id), 0);
        ck_assert_int_eq(id->pid, getpid());
        ck_assert_uint_eq(id->uid, geteuid());
        ck_assert_int_ge(id->pidfd, 0);
        ck_assert_str_eq(id->cgroup, expected);
}
END_TEST

START_TEST(test_uid_mismatch) {
        Identity *id = NULL;

        ck_assert_int_eq(identity_new(getpid(), geteuid() + 1, &id), IDENTITY_E_UID_CHANGED);
        ck_assert_ptr_null(id);
}
END_TEST

START_TEST(test_gone) {
        Identity *id = NULL;
        pid_t pid;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(EXIT_SUCCESS);
        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);

        ck_assert_int_eq(identity_new(pid, geteuid(), &id), IDENTITY_E_GONE);
        ck_assert_ptr_null(id);
}
END_TEST

START_TEST(test_no_pid) {
        Identity *id = NULL;

        ck_assert_int_eq(identity_new(0, 0, &id), IDENTITY_E_UNKNOWN);
        ck_assert_ptr_null(id);
}
END_TEST

Suite *identity_suite(void) {
        Suite *s = suite_create("identity");
        TCase *tc = tcase_create("identity");

        tcase_add_test(tc, test_parse_cgroup);
        tcase_add_test(tc, test_parse_cgroup_v1_only);
        tcase_add_test(tc, test_self);
        tcase_add_test(tc, test_uid_mismatch);
        tcase_add_test(tc, test_gone);
        tcase_add_test(tc, test_no_pid);
        suite_add_tcase(s, tc);
        return s;
}

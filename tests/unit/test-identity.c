/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-identity.c - caller identity from a pid and uid
 *
 * Uses the test process itself, a child that has already been reaped (its
 * pid names nothing), a child that turns into a zombie after it was
 * identified, and a wrong uid, so every outcome but "no cgroup v2" is
 * exercised on a real /proc; that one is covered through the parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "identity.h"
#include "tests.h"
#include "util/macro.h"

static char *dup_or_die(const char *s) {
        char *d = strdup(s);

        ck_assert_ptr_nonnull(d);
        return d;
}

START_TEST(test_parse_cgroup) {
        _cleanup_free_ char *a = dup_or_die("0::/user.slice/u.service\n"),
                *b = dup_or_die("12:pids:/x\n1:name=systemd:/y\n0::/\n"),
                *c = dup_or_die("3:cpu:/a\n0::/no/newline");
        const char *p;

        ck_assert_int_eq(identity_parse_cgroup(a, &p), 0);
        ck_assert_str_eq(p, "/user.slice/u.service");
        ck_assert_int_eq(identity_parse_cgroup(b, &p), 0);
        ck_assert_str_eq(p, "/");
        ck_assert_int_eq(identity_parse_cgroup(c, &p), 0);
        ck_assert_str_eq(p, "/no/newline");
}
END_TEST

START_TEST(test_parse_cgroup_v1_only) {
        _cleanup_free_ char *a = dup_or_die("12:pids:/x\n1:name=systemd:/y\n"), *b = dup_or_die(""),
                *c = dup_or_die("0::\n");
        const char *p = NULL;

        ck_assert_int_eq(identity_parse_cgroup(a, &p), IDENTITY_E_NO_CGROUP);
        ck_assert_int_eq(identity_parse_cgroup(b, &p), IDENTITY_E_NO_CGROUP);
        ck_assert_int_eq(identity_parse_cgroup(c, &p), IDENTITY_E_NO_CGROUP);
        ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_self) {
        _cleanup_(identity_freep) Identity *id = NULL;
        _cleanup_free_ char *text = NULL;
        char buf[IDENTITY_CGROUP_BUF];
        const char *expected, *now;
        gid_t gids[2] = { getegid(), 4242 };
        size_t size = 0;
        FILE *f;

        f = fopen("/proc/self/cgroup", "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_gt(getdelim(&text, &size, '\0', f), 0);
        fclose(f);
        ck_assert_int_eq(identity_parse_cgroup(text, &expected), 0);

        ck_assert_int_eq(identity_open(getpid(), geteuid(), gids, 2, &id), 0);
        ck_assert_int_eq(id->pid, getpid());
        ck_assert_uint_eq(id->uid, geteuid());
        ck_assert_int_ge(id->pidfd, 0);
        ck_assert_int_ge(id->cgroup_fd, 0);
        ck_assert_int_eq(identity_in_group(id, 4242), 1);
        ck_assert_int_eq(identity_in_group(id, 4243), 0);

        /* Twice: the open file is re-read from the start each time. */
        for (int i = 0; i < 2; i++) {
                ck_assert_int_eq(identity_current_cgroup(id, buf, sizeof(buf), &now), 0);
                ck_assert_str_eq(now, expected);
        }
}
END_TEST

/* The record is sized to the groups it keeps: at most IDENTITY_GROUPS_MAX,
 * the first ones the bus reported; none at all is fine too. */
START_TEST(test_groups_kept) {
        gid_t gids[IDENTITY_GROUPS_MAX + 6];

        for (size_t i = 0; i < ELEMENTSOF(gids); i++)
                gids[i] = (gid_t) (5000 + i);

        for (size_t n = 0; n <= ELEMENTSOF(gids); n += ELEMENTSOF(gids) / 2) {
                _cleanup_(identity_freep) Identity *id = NULL;
                size_t kept = n < IDENTITY_GROUPS_MAX ? n : IDENTITY_GROUPS_MAX;

                ck_assert_int_eq(identity_open(getpid(), geteuid(), n ? gids : NULL, n, &id), 0);
                ck_assert_uint_eq(id->n_gids, kept);
                for (size_t i = 0; i < ELEMENTSOF(gids); i++)
                        ck_assert_int_eq(identity_in_group(id, gids[i]), i < kept);
        }
}
END_TEST

START_TEST(test_uid_mismatch) {
        Identity *id = NULL;

        ck_assert_int_eq(identity_open(getpid(), geteuid() + 1, NULL, 0, &id), IDENTITY_E_UID_CHANGED);
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

        ck_assert_int_eq(identity_open(pid, geteuid(), NULL, 0, &id), IDENTITY_E_GONE);
        ck_assert_ptr_null(id);
}
END_TEST

/* A child that exits after we identified it: a zombie, then reaped. Both
 * fail closed, although a zombie's pid still answers signal 0. */
START_TEST(test_zombie_fails_closed) {
        _cleanup_(identity_freep) Identity *id = NULL;
        char buf[IDENTITY_CGROUP_BUF];
        const char *path;
        int pipefd[2];
        pid_t pid;
        char c;

        ck_assert_int_eq(pipe(pipefd), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(pipefd[1]);
                (void) !read(pipefd[0], &c, 1);
                _exit(EXIT_SUCCESS);
        }
        close(pipefd[0]);

        ck_assert_int_eq(identity_open(pid, geteuid(), NULL, 0, &id), 0);
        ck_assert_int_eq(identity_current_cgroup(id, buf, sizeof(buf), &path), 0);

        close(pipefd[1]);       /* the child exits and stays a zombie until waited for */
        ck_assert_int_eq(waitid(P_PID, pid, NULL, WEXITED | WNOWAIT), 0);
        ck_assert_int_eq(kill(pid, 0), 0);
        ck_assert_int_eq(identity_current_cgroup(id, buf, sizeof(buf), &path), IDENTITY_E_GONE);

        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
        ck_assert_int_eq(identity_current_cgroup(id, buf, sizeof(buf), &path), IDENTITY_E_GONE);
}
END_TEST

START_TEST(test_no_pid) {
        Identity *id = NULL;

        ck_assert_int_eq(identity_open(0, 0, NULL, 0, &id), IDENTITY_E_UNKNOWN);
        ck_assert_ptr_null(id);
}
END_TEST

Suite *identity_suite(void) {
        Suite *s = suite_create("identity");
        TCase *tc = tcase_create("identity");

        tcase_add_test(tc, test_parse_cgroup);
        tcase_add_test(tc, test_parse_cgroup_v1_only);
        tcase_add_test(tc, test_self);
        tcase_add_test(tc, test_groups_kept);
        tcase_add_test(tc, test_uid_mismatch);
        tcase_add_test(tc, test_gone);
        tcase_add_test(tc, test_zombie_fails_closed);
        tcase_add_test(tc, test_no_pid);
        suite_add_tcase(s, tc);
        return s;
}

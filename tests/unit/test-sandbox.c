/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-sandbox.c - the privilege drop and the seccomp allow-list, in a child
 *
 * Each test forks: the child confines itself with the daemon's own code
 * and reports through its exit status and stderr, which the parent reads.
 * The privilege drop needs root (it becomes nobody); as another user it
 * must refuse with SANDBOX_E_NO_RAWIO, which is checked instead.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "tests.h"
#include "util/macro.h"

/* Runs f in a child with stderr into a pipe; returns its wait status. */
static int in_child(int (*f)(void), char *err, size_t size) {
        int pipefd[2], status;
        ssize_t n, total = 0;
        pid_t pid;

        ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                dup2(pipefd[1], STDERR_FILENO);
                _exit(f());
        }
        close(pipefd[1]);
        while (total < (ssize_t) size - 1 && (n = read(pipefd[0], err + total, size - 1 - total)) > 0)
                total += n;
        err[total] = '\0';
        close(pipefd[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        return status;
}

static int unix_then_inet(void) {
        int fd;

        if (sandbox_load_seccomp() != 0)
                return 10;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);     /* allowed: sd_notify, the journal */
        if (fd < 0)
                return 11;
        close(fd);
        (void) socket(AF_INET, SOCK_STREAM, 0);                 /* not allowed: dies here */
        return 12;
}

START_TEST(test_seccomp_kills_visibly) {
        char err[512];
        int status = in_child(unix_then_inet, err, sizeof(err));

        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %d, stderr: %s", status, err);
        ck_assert_ptr_nonnull(strstr(err, "system call socket"));
}
END_TEST

static int forbidden_ioctl(void) {
        if (sandbox_load_seccomp() != 0)
                return 10;
        (void) ioctl(STDIN_FILENO, 0x5401 + 0x100);             /* not TCGETS, not IOMMU_CACHE_WB */
        return 12;
}

START_TEST(test_seccomp_ioctl_by_number) {
        char err[512];
        int status = in_child(forbidden_ioctl, err, sizeof(err));

        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status %d, stderr: %s", status, err);
        ck_assert_ptr_nonnull(strstr(err, "system call ioctl"));
}
END_TEST

/* Reads "Key:\tvalue" from /proc/self/status into buf. */
static void status_field(const char *key, char *buf, size_t size) {
        char line[256];
        FILE *f = fopen("/proc/self/status", "re");

        buf[0] = '\0';
        if (!f)
                return;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':') {
                        snprintf(buf, size, "%s", line + strlen(key) + 1 + strspn(line + strlen(key) + 1, " \t"));
                        buf[strcspn(buf, "\n")] = '\0';
                }
        fclose(f);
}

static int drop(void) {
        char v[128];
        int r = sandbox_drop_privileges("nobody");

        if (r != 0) {
                fprintf(stderr, "drop: %s\n", sandbox_strerror(r));
                return r == SANDBOX_E_NO_RAWIO ? 20 : 21;
        }
        /* CAP_SYS_RAWIO is bit 17. */
        status_field("CapEff", v, sizeof(v));
        if (strcmp(v, "0000000000020000") != 0)
                return fprintf(stderr, "CapEff %s\n", v), 22;
        status_field("CapPrm", v, sizeof(v));
        if (strcmp(v, "0000000000020000") != 0)
                return fprintf(stderr, "CapPrm %s\n", v), 23;
        status_field("CapBnd", v, sizeof(v));
        if (strcmp(v, "0000000000020000") != 0)
                return fprintf(stderr, "CapBnd %s\n", v), 24;
        status_field("CapAmb", v, sizeof(v));
        if (strcmp(v, "0000000000000000") != 0)
                return fprintf(stderr, "CapAmb %s\n", v), 25;
        status_field("NoNewPrivs", v, sizeof(v));
        if (strcmp(v, "1") != 0)
                return fprintf(stderr, "NoNewPrivs %s\n", v), 26;
        status_field("Groups", v, sizeof(v));
        if (v[0])
                return fprintf(stderr, "Groups %s\n", v), 27;
        /* root cannot be regained */
        if (setuid(0) == 0)
                return 28;
        return 0;
}

START_TEST(test_drop_privileges) {
        char err[512];
        int status = in_child(drop, err, sizeof(err));

        ck_assert_msg(WIFEXITED(status), "status %d", status);
        if (geteuid() == 0)
                ck_assert_msg(WEXITSTATUS(status) == 0, "exit %d: %s", WEXITSTATUS(status), err);
        else
                ck_assert_msg(WEXITSTATUS(status) == 20, "exit %d: %s", WEXITSTATUS(status), err);
}
END_TEST

Suite *sandbox_suite(void) {
        Suite *s = suite_create("sandbox");
        TCase *tc = tcase_create("sandbox");

        tcase_add_test(tc, test_seccomp_kills_visibly);
        tcase_add_test(tc, test_seccomp_ioctl_by_number);
        tcase_add_test(tc, test_drop_privileges);
        suite_add_tcase(s, tc);
        return s;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * private-bus.c - a dbus-daemon of the test's own, in a fresh directory
 *
 * The request-path tests run the real daemon on it, the client tests a
 * test double of the service; both need the same thing: a bus nobody else
 * uses, its address, and a directory that goes away with it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "private-bus.h"

static void write_config(const PrivateBus *b, const char *path, const char *extra) {
        FILE *in = fopen("tests/unit/bus.conf", "re"), *out = fopen(path, "we");
        char line[512];

        ck_assert_ptr_nonnull(in);
        ck_assert_ptr_nonnull(out);
        while (fgets(line, sizeof(line), in)) {
                if (strstr(line, "</busconfig>")) {
                        fprintf(out, "  <listen>unix:path=%s/bus</listen>\n", b->dir);
                        if (extra)
                                fputs(extra, out);
                }
                fputs(line, out);
        }
        fclose(in);
        ck_assert_int_eq(fclose(out), 0);
}

void private_bus_start(PrivateBus *b, const char *prefix, const char *extra, bool quiet) {
        char conf[128], config_arg[160];
        int pipefd[2];
        ssize_t n;

        *b = (PrivateBus) {};
        snprintf(b->dir, sizeof(b->dir), "/tmp/%s-XXXXXX", prefix);
        ck_assert_ptr_nonnull(mkdtemp(b->dir));
        snprintf(conf, sizeof(conf), "%s/bus.conf", b->dir);
        write_config(b, conf, extra);

        ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
        b->pid = fork();
        ck_assert_int_ge(b->pid, 0);
        if (b->pid == 0) {
                dup2(pipefd[1], 3);
                if (quiet && !getenv("FLUSHD_TEST_VERBOSE")) {
                        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                        dup2(null, STDERR_FILENO);
                }
                snprintf(config_arg, sizeof(config_arg), "--config-file=%s", conf);
                execlp("dbus-daemon", "dbus-daemon", config_arg, "--nofork", "--print-address=3",
                       "--nopidfile", NULL);
                _exit(127);
        }
        close(pipefd[1]);
        n = read(pipefd[0], b->address, sizeof(b->address) - 1);
        close(pipefd[0]);
        ck_assert_msg(n > 0, "dbus-daemon did not start (is it installed?)");
        b->address[n] = '\0';
        b->address[strcspn(b->address, "\n")] = '\0';
}

int private_bus_connect(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

void private_bus_stop(PrivateBus *b) {
        char cmd[128];

        if (b->pid > 0) {
                kill(b->pid, SIGTERM);
                waitpid(b->pid, NULL, 0);
                b->pid = 0;
        }
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
        ck_assert_int_eq(system(cmd), 0);
}

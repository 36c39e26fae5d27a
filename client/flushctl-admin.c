/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl-admin.c - the administrator's verbs: status, reload, check-config
 *
 * "status" shows the daemon's properties (version, kernel support, policy
 * files, counters); "reload" asks it to re-read the policy. "check-config"
 * does not reimplement the policy parser: it executes the daemon itself,
 * "flushd --check-config --config=FILE", once per file, so what it accepts
 * is exactly what the daemon accepts. The daemon is $FLUSHD, or the
 * installed one in the build's sbin directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flushctl.h"
#include "json.h"

#ifndef FLUSHD_SBINDIR
#error "FLUSHD_SBINDIR must be defined by the build"
#endif

static const char *const counters[] = { "Granted", "Denied", "Throttled", "Busy" };

static void status_json(const FlushdStatus *s) {
        size_t n = flushd_status_get_n_policy_files(s);
        JsonWriter w;
        uint64_t v;

        json_init(&w, stdout);
        json_object_begin(&w);
        json_key(&w, "version");
        json_string(&w, flushd_status_get_version(s));
        json_key(&w, "kernel_support");
        json_string(&w, flushd_status_get_kernel_support(s));
        json_key(&w, "cpus");
        json_uint(&w, flushd_status_get_cpus(s));
        json_key(&w, "policy_files");
        json_array_begin(&w);
        for (size_t i = 0; i < n; i++)
                json_string(&w, flushd_status_get_policy_file(s, i));
        json_array_end(&w);
        for (size_t i = 0; i < ELEMENTSOF(counters); i++) {
                char key[16];

                snprintf(key, sizeof(key), "%s", counters[i]);
                key[0] = (char) (key[0] - 'A' + 'a');
                json_key(&w, key);
                if (flushd_status_get_counter(s, counters[i], &v) >= 0)
                        json_uint(&w, v);
                else
                        json_null(&w);
        }
        json_object_end(&w);
        (void) json_finish(&w);
}

static void status_print(const FlushdStatus *s) {
        size_t n = flushd_status_get_n_policy_files(s);
        uint64_t v;

        printf("Version:        %s\n", flushd_status_get_version(s));
        printf("Kernel support: %s\n", flushd_status_get_kernel_support(s));
        printf("CPUs:           %" PRIu32 "\n", flushd_status_get_cpus(s));
        printf("Policy files:   %s\n", n == 0 ? "-" : flushd_status_get_policy_file(s, 0));
        for (size_t i = 1; i < n; i++)
                printf("                %s\n", flushd_status_get_policy_file(s, i));
        for (size_t i = 0; i < ELEMENTSOF(counters); i++) {
                printf("%s:%*s", counters[i], (int) (15 - strlen(counters[i])), "");
                if (flushd_status_get_counter(s, counters[i], &v) >= 0)
                        printf("%" PRIu64 "\n", v);
                else
                        printf("-\n");
        }
}

int verb_status(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_error_freep) FlushdError *error = NULL;
        _cleanup_(flushd_status_freep) FlushdStatus *s = NULL;
        int r;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;

        r = flushd_status(client, &s, &error);
        if (r < 0)
                return ctl_failed("Reading the daemon's properties", r, error);

        if (args->json)
                status_json(s);
        else
                status_print(s);
        return ctl_output_done();
}

int verb_reload(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_error_freep) FlushdError *error = NULL;
        int r;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;

        r = flushd_reload(client, &error);
        if (r < 0)
                return ctl_failed("Reload", r, error);
        return EXIT_SUCCESS;
}

/* Runs flushd --check-config on file (NULL: its default), its output in *ret_output.
 * Returns 1 if valid, 0 if not, < 0 if flushd could not be run. */
static int check_one(const char *flushd, const char *file, char **ret_output) {
        _cleanup_free_ char *config = NULL, *out = NULL;
        size_t n = 0, size = 0;
        int pipefd[2], status;
        ssize_t k;
        pid_t pid;

        if (file && asprintf(&config, "--config=%s", file) < 0)
                return -ENOMEM;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;

        pid = fork();
        if (pid < 0) {
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return -errno;
        }
        if (pid == 0) {
                if (dup2(pipefd[1], STDOUT_FILENO) < 0 || dup2(pipefd[1], STDERR_FILENO) < 0)
                        _exit(127);
                execl(flushd, flushd, "--check-config", config, (char *) NULL);
                _exit(127);
        }
        safe_close(pipefd[1]);

        for (;;) {
                if (size - n < 512) {
                        char *t = realloc(out, size + 4096);
                        if (!t)
                                break;
                        out = t;
                        size += 4096;
                }
                k = read(pipefd[0], out + n, size - n - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        safe_close(pipefd[0]);
        if (out)
                out[n] = '\0';

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return -ENOEXEC;
        /* A crash says nothing about the file. */
        if (WIFSIGNALED(status)) {
                log_error("%s --check-config was killed by signal %d (%s)", flushd, WTERMSIG(status),
                          strsignal(WTERMSIG(status)));
                return -ECHILD;
        }

        *ret_output = TAKE_PTR(out);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int verb_check_config(const Args *args) {
        const char *flushd = getenv("FLUSHD") ?: FLUSHD_SBINDIR "/flushd";
        char *none[] = { NULL, NULL };
        char **files = args->command && args->command[0] ? args->command : none;
        bool all_valid = true;
        JsonWriter w;
        int r;

        if (args->json) {
                json_init(&w, stdout);
                json_object_begin(&w);
                json_key(&w, "files");
                json_array_begin(&w);
        }

        for (char **f = files; f == files || *f; f++) {
                _cleanup_free_ char *output = NULL;

                r = check_one(flushd, *f, &output);
                if (r == -ECHILD)
                        return EXIT_FAILURE;
                if (r < 0) {
                        log_error("Failed to run %s --check-config: %s%s", flushd, flushd_strerror(r),
                                  r == -ENOEXEC ? " (set $FLUSHD to the daemon's path)" : "");
                        return EXIT_FAILURE;
                }
                if (r == 0)
                        all_valid = false;

                if (args->json) {
                        size_t l = output ? strlen(output) : 0;

                        while (l > 0 && output[l - 1] == '\n')
                                output[--l] = '\0';
                        json_object_begin(&w);
                        json_key(&w, "file");
                        json_string(&w, *f);
                        json_key(&w, "valid");
                        json_bool(&w, r > 0);
                        json_key(&w, "message");
                        json_string(&w, output ?: "");
                        json_object_end(&w);
                } else
                        fputs(output ?: "", r > 0 ? stdout : stderr);
        }

        if (args->json) {
                json_array_end(&w);
                json_object_end(&w);
                (void) json_finish(&w);
        }
        r = ctl_output_done();
        if (r != EXIT_SUCCESS)
                return r;
        return all_valid ? EXIT_SUCCESS : EXIT_INVALID_POLICY;
}

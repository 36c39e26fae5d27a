/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runas.c - run a command as an unprivileged user inside a given cgroup
 *
 * The guest tests must call flushd as real unprivileged users placed in real
 * cgroups, because that is what flushd's policy keys on. Busybox's setpriv
 * has no --reuid/--regid, so this helper does the switch: it moves itself
 * into /sys/fs/cgroup/<CGROUP> (created with its parents if missing) while still root, takes
 * the user's supplementary groups from /etc/group, drops gid and uid, checks
 * that root cannot be regained, and execs the command. Everything it execs
 * inherits the cgroup and the credentials.
 *
 * Usage: runas USER CGROUP CMD [ARG...]      (CGROUP is absolute, e.g. /A)
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/macro.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int cgroup_enter(const char *cgroup) {
        _cleanup_free_ char *dir = NULL, *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char pid[32];
        int n;

        if (cgroup[0] != '/' || strstr(cgroup, ".."))
                return -EINVAL;
        if (asprintf(&dir, CGROUP_ROOT "%s", cgroup) < 0 ||
            asprintf(&procs, "%s/cgroup.procs", dir) < 0)
                return -ENOMEM;
        /* mkdir -p: each component of the path, parents first. */
        for (char *p = dir + strlen(CGROUP_ROOT) + 1; ; p++) {
                char c = *p;

                if (c != '/' && c != 0)
                        continue;
                *p = 0;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = c;
                if (c == 0)
                        break;
        }

        fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        if (write(fd, pid, n) != n)
                return -errno;
        return 0;
}

static int creds_drop(const struct passwd *pw) {
        if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
            setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
            setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                return -errno;
        /* Belt and braces: a half-done switch must not run the test as root. */
        if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0))
                return -EPERM;
        return 0;
}

int main(int argc, char *argv[]) {
        struct passwd *pw;
        int r;

        if (argc < 4) {
                fprintf(stderr, "Usage: runas USER CGROUP CMD [ARG...]\n");
                return 125;
        }

        pw = getpwnam(argv[1]);
        if (!pw) {
                fprintf(stderr, "runas: unknown user '%s'\n", argv[1]);
                return 125;
        }

        r = cgroup_enter(argv[2]);
        if (r < 0) {
                fprintf(stderr, "runas: cannot enter cgroup %s: %s\n", argv[2], strerror(-r));
                return 125;
        }

        r = creds_drop(pw);
        if (r < 0) {
                fprintf(stderr, "runas: cannot become %s: %s\n", argv[1], strerror(-r));
                return 125;
        }

        if (setenv("USER", pw->pw_name, 1) < 0 || setenv("HOME", pw->pw_dir, 1) < 0)
                return 125;

        execvp(argv[3], argv + 3);
        fprintf(stderr, "runas: cannot execute %s: %m\n", argv[3]);
        return 127;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * become.c - move into a cgroup and become a user, for the guest's test programs
 *
 * flushd's policy keys on the caller's cgroup and uid, so the guest tests
 * put every caller in a real cgroup as a real unprivileged user: runas for
 * one command, swarm for each of its children. Both start as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "become.h"
#include "util/macro.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

int become_cgroup(const char *cgroup) {
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

int become_user(const struct passwd *pw) {
        if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
            setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
            setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                return -errno;
        /* Belt and braces: a half-done switch must not run the test as root. */
        if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0))
                return -EPERM;
        return 0;
}

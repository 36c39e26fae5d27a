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

#include "become.h"
#include "util/macro.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

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

        r = become_cgroup(argv[2]);
        if (r < 0) {
                fprintf(stderr, "runas: cannot enter cgroup %s: %s\n", argv[2], strerror(-r));
                return 125;
        }

        r = become_user(pw);
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity.c - who is calling: the connection owner's uid, groups, pidfd and cgroup
 *
 * The bus tells us, once per connection, the uid, groups and pid of the
 * process that connected (dbus-daemon takes them from SO_PEERCRED). A pid
 * alone is a name that can be reused, so we open a pidfd for it and
 * /proc/PID/cgroup, read the effective uid from /proc/PID/status, and then
 * check that the pidfd still names a live process: if it does, both files
 * were that process's while we opened them, and the open cgroup file keeps
 * referring to that process (procfs binds it to the struct pid, not to the
 * number). A pid reused before our pidfd_open() is caught by the uid check
 * as a process of another user; one of the same user gains nothing it
 * could not ask for itself.
 *
 * Each request then costs two system calls: a bounded pread() of the open
 * cgroup file (the cgroup is read now, not remembered, because a process
 * can move) and a poll() of the pidfd, which is readable once the process
 * has exited, zombies included. Identity is the connection owner's: a
 * connection handed to, or inherited by, another process still speaks for
 * the process that opened it, and fails closed once that one is gone.
 * This file does not log.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>

#include "identity.h"
#include "util/macro.h"

#define PROC_STATUS_MAX 4096

Identity *identity_free(Identity *id) {
        if (!id)
                return NULL;
        safe_close(id->pidfd);
        safe_close(id->cgroup_fd);
        free(id);
        return NULL;
}

int identity_parse_cgroup(char *text, const char **ret_path) {
        char *line = text;

        assert(text);
        assert(ret_path);

        /* cgroup v2 is the "0::PATH" line; v1 hierarchies have other ids. */
        while (line && *line) {
                char *end = strchrnul(line, '\n');

                if (strncmp(line, "0::", 3) == 0 && end > line + 3 && line[3] == '/') {
                        *end = '\0';
                        *ret_path = line + 3;
                        return 0;
                }
                line = *end ? end + 1 : NULL;
        }
        return IDENTITY_E_NO_CGROUP;
}

/* 1 if the pidfd's process has exited (zombie or reaped), 0 if it runs. */
static int pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int n;

        do
                n = poll(&p, 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return n > 0;
}

/* The effective uid from the "Uid:\treal\teffective\tsaved\tfs" line. */
static int status_euid(pid_t pid, uid_t *ret) {
        _cleanup_close_ int fd = -EBADF;
        char path[64], buf[PROC_STATUS_MAX + 1];
        unsigned long real, effective;
        const char *l;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT || errno == ESRCH ? IDENTITY_E_GONE : -errno;
        n = read(fd, buf, PROC_STATUS_MAX);
        if (n < 0)
                return errno == ESRCH ? IDENTITY_E_GONE : -errno;
        buf[n] = '\0';
        l = strstr(buf, "\nUid:");
        if (!l || sscanf(l + 5, "%lu %lu", &real, &effective) != 2)
                return -EBADMSG;
        *ret = (uid_t) effective;
        return 0;
}

int identity_open(pid_t pid, uid_t uid, const gid_t *gids, size_t n_gids, Identity **ret) {
        _cleanup_(identity_freep) Identity *id = NULL;
        char path[64];
        uid_t now_uid;
        int r;

        assert(gids || n_gids == 0);
        assert(ret);

        if (pid <= 0 || uid == (uid_t) -1)
                return IDENTITY_E_UNKNOWN;

        if (n_gids > IDENTITY_GROUPS_MAX)
                n_gids = IDENTITY_GROUPS_MAX;
        id = malloc(offsetof(Identity, gids) + n_gids * sizeof(gid_t));
        if (!id)
                return -ENOMEM;
        *id = (Identity) { .uid = uid, .pid = pid, .pidfd = -EBADF, .cgroup_fd = -EBADF, .n_gids = n_gids };
        if (n_gids > 0)
                memcpy(id->gids, gids, n_gids * sizeof(gid_t));

        id->pidfd = pidfd_open(pid, 0);
        if (id->pidfd < 0)
                return errno == ESRCH ? IDENTITY_E_GONE : -errno;

        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        id->cgroup_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (id->cgroup_fd < 0)
                return errno == ENOENT || errno == ESRCH ? IDENTITY_E_GONE : -errno;

        r = status_euid(pid, &now_uid);
        if (r != 0)
                return r;

        /* Only now: is the pidfd's process still there? Then the files above were its. */
        r = pidfd_exited(id->pidfd);
        if (r < 0)
                return r;
        if (r > 0)
                return IDENTITY_E_GONE;
        if (now_uid != uid)
                return IDENTITY_E_UID_CHANGED;

        *ret = TAKE_PTR(id);
        return 0;
}

int identity_current_cgroup(const Identity *id, char *buf, size_t size, const char **ret_path) {
        ssize_t n;
        int r;

        assert(id);
        assert(buf);
        assert(size > 1);
        assert(ret_path);

        n = pread(id->cgroup_fd, buf, size - 1, 0);
        if (n < 0)
                return errno == ESRCH ? IDENTITY_E_GONE : -errno;
        buf[n] = '\0';

        r = pidfd_exited(id->pidfd);
        if (r < 0)
                return r;
        if (r > 0)
                return IDENTITY_E_GONE;

        /* A read that filled the buffer may have cut the v2 line. */
        if ((size_t) n == size - 1)
                return IDENTITY_E_NO_CGROUP;
        return identity_parse_cgroup(buf, ret_path);
}

int identity_in_group(const Identity *id, gid_t gid) {
        assert(id);

        for (size_t i = 0; i < id->n_gids; i++)
                if (id->gids[i] == gid)
                        return 1;
        return 0;
}

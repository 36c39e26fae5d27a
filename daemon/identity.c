/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity.c - who is calling: uid, a pidfd and the cgroup of the sender
 *
 * The bus tells us the sender's uid and pid (dbus-daemon takes them from
 * SO_PEERCRED when the client connected). A pid alone is a name that can be
 * reused, so we open a pidfd for it first, read the cgroup and uid from
 * /proc/PID, and then check that the pidfd still names a live process: if it
 * does, /proc/PID was that process while we read it. A pid reused between
 * the client's exit and our pidfd_open() is caught by the uid check, as a
 * process of another user; one of the same user gains nothing it could not
 * ask for itself. The cgroup is what the policy matches on; the API takes no
 * pid or uid arguments.
 *
 * Liveness is probed with pidfd_send_signal(sig 0): ESRCH means gone, while
 * EPERM (we may not signal that process once privileges are dropped) still
 * proves it exists. This file does not log.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>

#include "identity.h"
#include "util/macro.h"

#define PROC_FILE_MAX 65536

Identity *identity_free(Identity *id) {
        if (!id)
                return NULL;
        safe_close(id->pidfd);
        free(id->cgroup);
        free(id);
        return NULL;
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* Reads /proc/PID/NAME whole (bounded); -ENOENT/-ESRCH mean the process is gone. */
static int proc_read(pid_t pid, const char *name, char **ret) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        char path[64];
        size_t n;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, name);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        buf = malloc(PROC_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        n = fread(buf, 1, PROC_FILE_MAX, f);
        if (ferror(f))
                return errno > 0 ? -errno : -EIO;
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int identity_parse_cgroup(const char *text, char **ret) {
        const char *line = text;

        assert(text);
        assert(ret);

        /* cgroup v2 is the "0::PATH" line; v1 hierarchies have other ids. */
        while (line && *line) {
                const char *end = strchrnul(line, '\n');

                if (strncmp(line, "0::", 3) == 0 && end > line + 3 && line[3] == '/') {
                        char *p = strndup(line + 3, end - (line + 3));
                        if (!p)
                                return -ENOMEM;
                        *ret = p;
                        return 0;
                }
                line = *end ? end + 1 : NULL;
        }
        return IDENTITY_E_NO_CGROUP;
}

/* The effective uid from the "Uid:\treal\teffective\tsaved\tfs" line. */
static int parse_status_euid(const char *text, uid_t *ret) {
        const char *l = strstr(text, "\nUid:");
        unsigned long real, effective;

        if (!l || sscanf(l + 5, "%lu %lu", &real, &effective) != 2)
                return -EBADMSG;
        *ret = (uid_t) effective;
        return 0;
}

int identity_new(pid_t pid, uid_t uid, Identity **ret) {
        _cleanup_(identity_freep) Identity *id = NULL;
        _cleanup_free_ char *cgroup_text = NULL, *status_text = NULL;
        uid_t now_uid;
        int r;

        assert(ret);

        if (pid <= 0)
                return IDENTITY_E_UNKNOWN;

        id = calloc(1, sizeof(*id));
        if (!id)
                return -ENOMEM;
        *id = (Identity) { .uid = uid, .pid = pid, .pidfd = -EBADF };

        id->pidfd = pidfd_open(pid, 0);
        if (id->pidfd < 0)
                return errno == ESRCH ? IDENTITY_E_GONE : -errno;

        r = proc_read(pid, "cgroup", &cgroup_text);
        if (r == -ENOENT || r == -ESRCH)
                return IDENTITY_E_GONE;
        if (r < 0)
                return r;
        r = proc_read(pid, "status", &status_text);
        if (r == -ENOENT || r == -ESRCH)
                return IDENTITY_E_GONE;
        if (r < 0)
                return r;

        /* Only now: is the pidfd's process still there? Then the files above were its. */
        if (pidfd_send_signal(id->pidfd, 0, NULL, 0) < 0 && errno != EPERM)
                return errno == ESRCH ? IDENTITY_E_GONE : -errno;

        r = parse_status_euid(status_text, &now_uid);
        if (r < 0)
                return r;
        if (now_uid != uid)
                return IDENTITY_E_UID_CHANGED;

        r = identity_parse_cgroup(cgroup_text, &id->cgroup);
        if (r != 0)
                return r;

        *ret = TAKE_PTR(id);
        return 0;
}

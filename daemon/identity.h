/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity.h - who is calling: the connection owner's uid, groups, pidfd and cgroup
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define IDENTITY_GROUPS_MAX 64          /* supplementary groups kept per caller */
/* Bounded read of /proc/PID/cgroup: a v2 path is at most PATH_MAX. */
#define IDENTITY_CGROUP_BUF (4096 + 512)

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _IDENTITY_E_SUCCESS = 0,
        IDENTITY_E_UNKNOWN = 300,       /* the bus gave no usable pid or uid */
        IDENTITY_E_GONE,                /* the connection's process exited (a zombie counts) */
        IDENTITY_E_UID_CHANGED,         /* the process no longer has the connection's uid */
        IDENTITY_E_NO_CGROUP,           /* no cgroup v2 membership ("0::"), or an unreadable one */
};

/* One per caller connection, so sized to its groups: most have a few. */
typedef struct Identity {
        uid_t uid;
        pid_t pid;
        int pidfd;
        int cgroup_fd;                  /* /proc/PID/cgroup of exactly that process */
        size_t n_gids;                  /* at most IDENTITY_GROUPS_MAX */
        gid_t gids[];
} Identity;

Identity *identity_free(Identity *id);
static inline void identity_freep(Identity **id) {
        if (*id)
                identity_free(*id);
}

/*
 * Opens a pidfd for pid and /proc/PID/cgroup, and checks that the process
 * is alive and has uid as its effective uid. Returns 0, an IDENTITY_E_*
 * outcome, or a negative errno (e.g. -EMFILE).
 */
int identity_open(pid_t pid, uid_t uid, const gid_t *gids, size_t n_gids, Identity **ret);

/*
 * The process's current cgroup v2 path, read into buf (IDENTITY_CGROUP_BUF
 * bytes) and then confirmed: the pidfd still names a live, non-zombie
 * process, so what was read was its. *ret_path points into buf.
 */
int identity_current_cgroup(const Identity *id, char *buf, size_t size, const char **ret_path);

/* Does the caller have gid as its primary (bus-reported) or a supplementary group? */
int identity_in_group(const Identity *id, gid_t gid);

/* Exposed for unit tests: find the v2 line in the text of /proc/PID/cgroup,
 * in place (the path is NUL-terminated inside text). */
int identity_parse_cgroup(char *text, const char **ret_path);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity.h - who is calling: uid, a pidfd and the cgroup of the sender
 */
#pragma once

#include <sys/types.h>

/* Outcomes (positive, see bus.c for their D-Bus names). */
enum {
        _IDENTITY_E_SUCCESS = 0,
        IDENTITY_E_UNKNOWN = 300,       /* the bus gave no usable pid */
        IDENTITY_E_GONE,                /* the process exited (or its pid was reused) */
        IDENTITY_E_UID_CHANGED,         /* the process no longer has the sender's uid */
        IDENTITY_E_NO_CGROUP,           /* no cgroup v2 membership ("0::") */
};

typedef struct Identity {
        uid_t uid;
        pid_t pid;
        int pidfd;
        char *cgroup;                   /* cgroup v2 path, e.g. "/system.slice/x.service" */
} Identity;

Identity *identity_free(Identity *id);
static inline void identity_freep(Identity **id) {
        if (*id)
                identity_free(*id);
}

int identity_new(pid_t pid, uid_t uid, Identity **ret);

/* Exposed for unit tests: parse the text of /proc/PID/cgroup. */
int identity_parse_cgroup(const char *text, char **ret);

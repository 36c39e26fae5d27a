/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sandbox.h - one capability, one user, and a system call allow-list
 */
#pragma once

#define FLUSHD_USER "flushd"

/* Outcomes (positive): which step failed; sandbox.c logs nothing. */
enum {
        _SANDBOX_E_SUCCESS = 0,
        SANDBOX_E_NO_USER = 700,        /* no such user */
        SANDBOX_E_NO_RAWIO,             /* not root and CAP_SYS_RAWIO is not effective */
        SANDBOX_E_CAPS,                 /* libcap-ng could not set the capabilities */
        SANDBOX_E_CHANGE_ID,            /* libcap-ng could not change uid/gid */
        SANDBOX_E_NO_NEW_PRIVS,         /* prctl(PR_SET_NO_NEW_PRIVS) failed */
        SANDBOX_E_VERIFY,               /* the result is not exactly CAP_SYS_RAWIO */
        SANDBOX_E_SECCOMP,              /* libseccomp could not build or load the filter */
};

/*
 * Keeps only CAP_SYS_RAWIO (effective, permitted, and the bounding set when
 * we may change it), clears the ambient set, becomes user (when started as
 * root) and sets NO_NEW_PRIVS. Call before any thread is created:
 * capabilities are per thread and threads inherit them. Started by systemd
 * as that user with AmbientCapabilities=CAP_SYS_RAWIO, it checks what it got
 * and drops anything else it may.
 */
int sandbox_drop_privileges(const char *user);

/*
 * Loads the system call allow-list for every thread of the process. A
 * call outside it raises SIGSYS: the handler writes the call's name to
 * stderr and the process dies of the signal.
 */
int sandbox_load_seccomp(void);

/* A human description of an outcome. */
const char *sandbox_strerror(int outcome);

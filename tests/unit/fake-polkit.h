/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-polkit.h - a test double of polkit's Authority on a private bus
 */
#pragma once

#include <sys/types.h>

/*
 * Starts a child process that owns org.freedesktop.PolicyKit1 on the bus at
 * address and answers CheckAuthorization for org.flushd.Flush1.manage with
 * "authorized" exactly when the subject is a system-bus-name whose
 * connection has euid allowed_uid, like a polkit rule for one user; any
 * other action or subject kind is answered with an error. Returns once the
 * name is owned.
 */
pid_t fake_polkit_start(const char *address, uid_t allowed_uid);
void fake_polkit_stop(pid_t pid);

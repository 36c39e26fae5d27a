/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * become.h - move into a cgroup and become a user, for the guest's test programs
 */
#pragma once

#include <pwd.h>

/* mkdir -p /sys/fs/cgroup/CGROUP and move this process into it. */
int become_cgroup(const char *cgroup);
/* Take the user's groups, gid and uid, and check root cannot be regained. */
int become_user(const struct passwd *pw);

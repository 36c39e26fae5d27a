/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * private-bus.h - a dbus-daemon of the test's own, in a fresh directory
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

typedef struct PrivateBus {
        pid_t pid;
        char address[256];
        char dir[64];                   /* the bus socket lives here; tests may add files */
} PrivateBus;

/*
 * Starts dbus-daemon with tests/unit/bus.conf (anyone may own and call
 * anything) listening in a new directory /tmp/PREFIX-XXXXXX, plus extra
 * (bus configuration XML inserted before </busconfig>, or NULL). Its
 * stderr goes to /dev/null if quiet, unless FLUSHD_TEST_VERBOSE is set.
 */
void private_bus_start(PrivateBus *b, const char *prefix, const char *extra, bool quiet);
/* A client connection to the bus at address, fds allowed: 0 or -errno.
 * Safe in a forked child (no Check assertions). */
int private_bus_connect(const char *address, sd_bus **ret);
/* Stops the bus and removes the directory with what the test put there. */
void private_bus_stop(PrivateBus *b);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus-wait.c - wait until a name has an owner on the system bus
 *
 * flushd announces readiness with sd_notify(), which is a no-op in the guest
 * (no service manager), so the guest init waits for the observable effect
 * instead: org.flushd.Flush1 owned on the system bus. The wait is bounded;
 * with a timeout of 0 it checks once (used to assert that flushd is still
 * serving at the end of the run).
 *
 * Usage: bus-wait NAME TIMEOUT_SECONDS     exit 0 owned, 1 not owned in time
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Returns 1 owned, 0 not owned, negative errno when the bus is unreachable. */
static int name_has_owner(const char *name) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        int owned = 0, r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", &error, &reply,
                               "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &owned);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? r : !!owned;
}

int main(int argc, char *argv[]) {
        uint64_t deadline;
        int r;

        if (argc != 3) {
                fprintf(stderr, "Usage: bus-wait NAME TIMEOUT_SECONDS\n");
                return 2;
        }
        deadline = now_usec() + strtoull(argv[2], NULL, 10) * 1000000u;

        for (;;) {
                r = name_has_owner(argv[1]);
                if (r > 0)
                        return 0;
                if (now_usec() >= deadline) {
                        if (r < 0)
                                fprintf(stderr, "bus-wait: system bus: %s\n", strerror(-r));
                        else
                                fprintf(stderr, "bus-wait: %s has no owner\n", argv[1]);
                        return 1;
                }
                usleep(50 * 1000);
        }
}

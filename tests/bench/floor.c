/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor.c - bench-floor: the bus floor, Flush's exact signature and nothing behind it
 *
 * The baseline every per-call figure is divided by: a minimal sd-bus
 * service on the same bus daemon, serving Flush(h, t) -> (u, u, t) at
 * flushd's object path and interface under the name org.flushd.Floor1. It
 * reads both arguments (so the fd is received and closed like flushd's) and
 * answers (0, 0, 0). Whatever flushd costs above this is flushd's own:
 * identity, policy, quota, the kernel call and its event loop.
 *
 * Usage: bench-floor [--address=ADDRESS]    (default: the system bus)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bus/flush1.h"
#include "util/macro.h"

static int method_flush(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int fd, r;

        r = sd_bus_message_read(message, "ht", &fd, &flags);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "uut", 0, 0, UINT64_C(0));
}

static const sd_bus_vtable floor_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Flush",
                                SD_BUS_ARGS("h", iommufd, "t", flags),
                                SD_BUS_RESULT("u", flushed, "u", coalesced, "t", nsec),
                                method_flush,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *address = NULL;
        int r;

        if (argc > 2 || (argc == 2 && strncmp(argv[1], "--address=", 10) != 0)) {
                fprintf(stderr, "Usage: bench-floor [--address=ADDRESS]\n");
                return EXIT_FAILURE;
        }
        if (argc == 2)
                address = argv[1] + 10;

        r = bench_bus_open(address, &bus);
        if (r < 0) {
                fprintf(stderr, "bench-floor: cannot connect to the bus: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        r = sd_bus_add_object_vtable(bus, NULL, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, floor_vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, BENCH_FLOOR_NAME, 0);
        if (r < 0) {
                fprintf(stderr, "bench-floor: cannot serve %s: %s\n", BENCH_FLOOR_NAME, strerror(-r));
                return EXIT_FAILURE;
        }

        /* Until SIGTERM (default action) or the bus goes away. */
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0)
                        break;
        }
        fprintf(stderr, "bench-floor: %s\n", strerror(-r));
        return r == -ECONNRESET ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scale.c - goal 7 (first half): flushd's resident memory with many connected clients
 *
 * Opens N bus connections from one process, makes one Flush on each (so
 * flushd has seen every sender, not just the bus), keeps them all open and
 * reads flushd's VmRSS from /proc/PID/status, before (the baseline) and
 * with all N connected. The guest's bench bus configuration raises
 * dbus-daemon's per-user connection limit (256 by default on the system
 * bus) so that one uid can hold them; the caller raises RLIMIT_NOFILE.
 * bench.sh also runs it, with a few clients, against a flushd restarted
 * on a policy of many sections (ID memory.rss_sections).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bus/flush1.h"
#include "util/macro.h"

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* VmRSS of pid in KiB, or a negative errno. */
static long rss_kib(const char *pid) {
        _cleanup_(fclosep) FILE *f = NULL;
        char path[64], line[256];
        long kib;

        snprintf(path, sizeof(path), "/proc/%s/status", pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
                        return kib;
        return -ENODATA;
}

/* connections N PID [ID] */
int bench_connections(int argc, char *argv[]) {
        _cleanup_free_ sd_bus **bus = NULL;
        _cleanup_close_ int fd = -EBADF;
        long before, after;
        unsigned n, opened = 0;
        int r = 0;

        if (argc != 3 && argc != 4) {
                fprintf(stderr, "Usage: flushd-bench connections N FLUSHD_PID [ID]\n");
                return EXIT_FAILURE;
        }
        n = bench_arg_uint(argv[1], "N");
        (void) bench_arg_uint(argv[2], "FLUSHD_PID");
        bus = calloc(n, sizeof(*bus));
        if (!bus)
                return EXIT_FAILURE;
        fd = bench_open_iommufd();

        before = rss_kib(argv[2]);
        for (; opened < n; opened++) {
                r = bench_bus_open(NULL, &bus[opened]);
                if (r < 0)
                        break;
                r = bench_call_flush(bus[opened], FLUSH1_BUS_NAME, fd, 0, NULL, NULL, NULL);
                if (r != 0) {
                        r = r > 0 ? -EIO : r;
                        opened++;
                        break;
                }
        }
        after = rss_kib(argv[2]);
        for (unsigned i = 0; i < opened; i++)
                sd_bus_flush_close_unref(bus[i]);

        if (r < 0)
                fprintf(stderr, "flushd-bench: connection %u of %u: %s\n", opened, n, strerror(-r));
        if (before < 0 || after < 0) {
                fprintf(stderr, "flushd-bench: cannot read flushd's VmRSS\n");
                return EXIT_FAILURE;
        }
        bench_report(argc == 4 ? argv[3] : "memory.rss_clients", (double) after, (double) before, NAN, "KiB", 1, NULL,
                     "flushd VmRSS with %u connected clients that each flushed once (of %u wanted), "
                     "baseline: before they connected", r < 0 ? opened - 1 : opened, n);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * victim.c - a well-behaved caller that counts what happens to its own requests
 *
 * The guest tests of issue 14 need a caller whose every request has a known
 * fate: granted, refused by name (QuotaExceeded, AccessDenied, Busy, ...),
 * or timed out. "victim flush" opens /dev/iommu and its own bus connection
 * and makes sequential org.flushd.Flush1 Flush calls, each bounded by
 * --timeout, until --count calls were made or --duration seconds passed
 * (checked before each call), whichever comes first; with --until-throttled
 * also right after the first QuotaExceeded. It never fails because
 * of an answer: it prints one line of counts and exits 0, and the test
 * script asserts on them. sd-bus reports a call that got no answer in time
 * as -ETIMEDOUT (or NoReply); those are counted as "timeout".
 *
 *   victim: calls=N bus_retries=R granted=G quota=Q denied=D busy=B invalid=I timeout=T other=O
 *           first=OUTCOME start=S end=E max_ms=M [other_name=NAME]
 *
 * R counts calls the bus refused to queue (LimitsExceeded) and that were
 * sent again within the same timeout. S and E are CLOCK_BOOTTIME seconds (the clock of /proc/uptime) just before
 * the first call and just after the last reply, so a script can relate
 * them to events it timed itself. max_ms is informational only, and so is
 * --ping-bus: before each Flush, a GetId round trip to the bus itself, whose
 * worst time (bus_max_ms) and failures (bus_fail) tell a slow or starved
 * bus (or guest) from a slow flushd.
 *
 * "victim get PROPERTY" prints flushd's t property PROPERTY (e.g. Busy,
 * Denied) and exits 0, or says why not and exits 1.
 *
 * Usage: victim flush [--count=N] [--duration=SECONDS] [--timeout=SECONDS] [--until-throttled]
 *                    [--ping-bus]
 *        victim get PROPERTY
 * Exit status 2: bad usage or a setup failure (no /dev/iommu, no bus).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus/flush1.h"
#include "flush-call.h"
#include "util/macro.h"

typedef enum Outcome {
        OUTCOME_GRANTED,
        OUTCOME_QUOTA,
        OUTCOME_DENIED,
        OUTCOME_BUSY,
        OUTCOME_INVALID,
        OUTCOME_TIMEOUT,
        OUTCOME_OTHER,
        _OUTCOME_MAX,
} Outcome;

static const char *const outcome_names[_OUTCOME_MAX] = {
        [OUTCOME_GRANTED] = "granted",
        [OUTCOME_QUOTA]   = "quota",
        [OUTCOME_DENIED]  = "denied",
        [OUTCOME_BUSY]    = "busy",
        [OUTCOME_INVALID] = "invalid",
        [OUTCOME_TIMEOUT] = "timeout",
        [OUTCOME_OTHER]   = "other",
};

static uint64_t clock_usec(clockid_t id) {
        struct timespec ts;

        clock_gettime(id, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static Outcome outcome_of(int r, const sd_bus_error *error) {
        static const struct {
                const char *name;
                Outcome outcome;
        } names[] = {
                { FLUSH1_ERROR_QUOTA_EXCEEDED,          OUTCOME_QUOTA },
                { FLUSH1_ERROR_ACCESS_DENIED,           OUTCOME_DENIED },
                { FLUSH1_ERROR_BUSY,                    OUTCOME_BUSY },
                { FLUSH1_ERROR_INVALID_FD,              OUTCOME_INVALID },
                { SD_BUS_ERROR_NO_REPLY,                OUTCOME_TIMEOUT },
                { SD_BUS_ERROR_TIMEOUT,                 OUTCOME_TIMEOUT },
        };

        if (r >= 0)
                return OUTCOME_GRANTED;
        if (sd_bus_error_is_set(error))
                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        if (sd_bus_error_has_name(error, names[i].name))
                                return names[i].outcome;
        if (r == -ETIMEDOUT)
                return OUTCOME_TIMEOUT;
        return OUTCOME_OTHER;
}

/* A round trip to the bus itself (GetId): how slow the bus, not flushd, is. */
static int bus_ping(sd_bus *bus, uint64_t timeout_usec) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetId");
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, timeout_usec, NULL, &reply);
}

static int verb_flush(int argc, char *argv[]) {
        static const struct option options[] = {
                { "count",    required_argument, NULL, 'c' },
                { "duration", required_argument, NULL, 'd' },
                { "timeout",  required_argument, NULL, 't' },
                { "until-throttled", no_argument, NULL, 'q' },
                { "ping-bus", no_argument, NULL, 'p' },
                {}
        };
        /* Close without flushing: nothing is queued after sd_bus_call(). */
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *other_name = NULL;
        _cleanup_close_ int iommufd = -EBADF;
        unsigned long count = 0, counts[_OUTCOME_MAX] = {}, calls = 0, bus_retries = 0;
        double duration = 0, timeout = 5;
        uint64_t start_mono, deadline = UINT64_MAX, start_boot, max_usec = 0;
        Outcome first = _OUTCOME_MAX;
        bool until_throttled = false, ping_bus = false;
        unsigned long bus_fail = 0;
        uint64_t bus_max_usec = 0;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (opt) {
                case 'c':
                        count = strtoul(optarg, NULL, 10);
                        break;
                case 'd':
                        duration = strtod(optarg, NULL);
                        break;
                case 't':
                        timeout = strtod(optarg, NULL);
                        break;
                case 'q':
                        until_throttled = true;
                        break;
                case 'p':
                        ping_bus = true;
                        break;
                default:
                        return 2;
                }
        }
        if ((count == 0 && duration <= 0) || timeout <= 0) {
                fprintf(stderr, "victim flush: give --count=N>0 and/or --duration=S>0; --timeout=S>0\n");
                return 2;
        }

        iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (iommufd < 0) {
                fprintf(stderr, "victim: open /dev/iommu: %m\n");
                return 2;
        }
        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "victim: system bus: %s\n", strerror(-r));
                return 2;
        }

        start_boot = clock_usec(CLOCK_BOOTTIME);
        start_mono = clock_usec(CLOCK_MONOTONIC);
        if (duration > 0)
                deadline = start_mono + (uint64_t) (duration * 1e6);
        while ((count == 0 || calls < count) && clock_usec(CLOCK_MONOTONIC) < deadline) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                uint64_t t0, dt;
                Outcome o;

                if (ping_bus) {
                        t0 = clock_usec(CLOCK_MONOTONIC);
                        if (bus_ping(bus, (uint64_t) (timeout * 1e6)) < 0)
                                bus_fail++;
                        dt = clock_usec(CLOCK_MONOTONIC) - t0;
                        if (dt > bus_max_usec)
                                bus_max_usec = dt;
                }
                t0 = clock_usec(CLOCK_MONOTONIC);

                /* A call the bus refused to queue (LimitsExceeded: flushd's
                 * queue at the bus is full, the call never reached flushd)
                 * is sent again within the same timeout, as a client would. */
                for (;;) {
                        r = flush_call(bus, iommufd, (uint64_t) (timeout * 1e6), &error);
                        dt = clock_usec(CLOCK_MONOTONIC) - t0;
                        if (!sd_bus_error_has_name(&error, SD_BUS_ERROR_LIMITS_EXCEEDED) ||
                            dt + 50000 >= (uint64_t) (timeout * 1e6))
                                break;
                        sd_bus_error_free(&error);
                        bus_retries++;
                        (void) usleep(50000);
                }
                if (dt > max_usec)
                        max_usec = dt;
                o = outcome_of(r, &error);
                counts[o]++;
                calls++;
                if (first == _OUTCOME_MAX)
                        first = o;
                if (o == OUTCOME_OTHER && !other_name)
                        other_name = strdup(sd_bus_error_is_set(&error) ? error.name : strerror(-r));
                if (o == OUTCOME_QUOTA && until_throttled)
                        break;
                if (o == OUTCOME_OTHER && !sd_bus_is_open(bus)) {
                        fprintf(stderr, "victim: the bus connection closed: %s\n", strerror(-r));
                        break;
                }
                /* A refusal that comes back at once (no daemon) must not spin flat out. */
                if (o == OUTCOME_OTHER && dt < 1000)
                        (void) usleep(1000);
        }

        printf("victim: calls=%lu bus_retries=%lu", calls, bus_retries);
        for (Outcome o = 0; o < _OUTCOME_MAX; o++)
                printf(" %s=%lu", outcome_names[o], counts[o]);
        printf(" first=%s start=%.3f end=%.3f max_ms=%" PRIu64,
               first == _OUTCOME_MAX ? "none" : outcome_names[first],
               (double) start_boot / 1e6, (double) clock_usec(CLOCK_BOOTTIME) / 1e6, max_usec / 1000);
        if (ping_bus)
                printf(" bus_max_ms=%" PRIu64 " bus_fail=%lu", bus_max_usec / 1000, bus_fail);
        if (other_name)
                printf(" other_name=%s", other_name);
        printf("\n");
        return 0;
}

/* A one-argument verb's bus: 0, or the exit status after saying why not. */
static int verb_bus(int argc, const char *usage, sd_bus **ret) {
        int r;

        if (argc != 2) {
                fprintf(stderr, "Usage: victim %s\n", usage);
                return 2;
        }
        r = sd_bus_open_system(ret);
        if (r < 0) {
                fprintf(stderr, "victim: system bus: %s\n", strerror(-r));
                return 2;
        }
        return 0;
}

static int verb_get(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t v;
        int r;

        r = verb_bus(argc, "get PROPERTY", &bus);
        if (r != 0)
                return r;
        r = sd_bus_get_property_trivial(bus, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                        argv[1], &error, 't', &v);
        if (r < 0) {
                fprintf(stderr, "victim: property %s: %s\n", argv[1],
                        sd_bus_error_is_set(&error) ? error.name : strerror(-r));
                return 1;
        }
        printf("%" PRIu64 "\n", v);
        return 0;
}

/* Calls METHOD (no arguments) of flushd's interface; prints the error's
 * name, or "ok". Exit 0 either way once the bus answered. */
static int verb_call(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = verb_bus(argc, "call METHOD", &bus);
        if (r != 0)
                return r;
        r = sd_bus_call_method(bus, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, argv[1], &error, NULL,
                               "");
        if (r < 0 && !sd_bus_error_is_set(&error)) {
                fprintf(stderr, "victim: %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        printf("%s\n", r < 0 ? error.name : "ok");
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc >= 2 && strcmp(argv[1], "flush") == 0)
                return verb_flush(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "get") == 0)
                return verb_get(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "call") == 0)
                return verb_call(argc - 1, argv + 1);
        fprintf(stderr, "Usage: victim flush [--count=N] [--duration=SECONDS] [--timeout=SECONDS]\n"
                        "                    [--until-throttled] [--ping-bus]\n"
                        "       victim get PROPERTY\n"
                        "       victim call METHOD\n");
        return 2;
}

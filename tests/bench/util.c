/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * util.c - clock, statistics, the Flush call and result lines for the benchmarks
 *
 * Every benchmark compares a measured service with its baseline in the same
 * run, interleaved in rounds over the same connections, and reports the
 * median over rounds: on this machine back-to-back runs of one service
 * differ by up to 1.6x, interleaved rounds by a few percent. The call is
 * built exactly as libflushd builds it (flush.c), so the floor and flushd
 * differ only in the destination. Result lines have one fixed shape that
 * report.awk turns into the table and the JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bus/flush1.h"
#include "util/macro.h"

uint64_t bench_now_ns(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

void bench_sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

uint64_t bench_quantile(uint64_t *v, size_t n, double q) {
        size_t i;

        if (n == 0)
                return 0;
        qsort(v, n, sizeof(*v), cmp_u64);
        i = (size_t) ceil(q * (double) n);
        return v[i == 0 ? 0 : i - 1];
}

double bench_median(double *v, size_t n) {
        if (n == 0)
                return NAN;
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_range(const double *v, size_t n, double *ret_min, double *ret_max) {
        double lo = NAN, hi = NAN;

        for (size_t i = 0; i < n; i++) {
                if (i == 0 || v[i] < lo)
                        lo = v[i];
                if (i == 0 || v[i] > hi)
                        hi = v[i];
        }
        *ret_min = lo;
        *ret_max = hi;
}

static int bus_open_address(const char *address, bool bus_client, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, bus_client);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int bench_bus_open(const char *address, sd_bus **ret) {
        if (address)
                return bus_open_address(address, true, ret);
        return sd_bus_open_system_with_description(ret, "flushd-bench");
}

int bench_direct_open(const char *address, sd_bus **ret) {
        return bus_open_address(address, false, ret);
}

int bench_call_flush(sd_bus *bus, const char *dest, int fd, uint64_t flags,
                     uint32_t *ret_flushed, uint32_t *ret_coalesced, const char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint32_t flushed, coalesced;
        uint64_t nsec;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, dest, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, "Flush");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ht", fd, flags);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                if (!sd_bus_error_is_set(&error))
                        return r;
                if (ret_error)
                        /* Our error names are string literals; others become "other". */
                        *ret_error = strcmp(error.name, FLUSH1_ERROR_ACCESS_DENIED) == 0 ? FLUSH1_ERROR_ACCESS_DENIED :
                                     strcmp(error.name, FLUSH1_ERROR_QUOTA_EXCEEDED) == 0 ? FLUSH1_ERROR_QUOTA_EXCEEDED :
                                     strcmp(error.name, FLUSH1_ERROR_BUSY) == 0 ? FLUSH1_ERROR_BUSY : "other";
                return 1;
        }
        r = sd_bus_message_read(reply, "uut", &flushed, &coalesced, &nsec);
        if (r < 0)
                return r;
        if (ret_flushed)
                *ret_flushed = flushed;
        if (ret_coalesced)
                *ret_coalesced = coalesced;
        return 0;
}

int bench_open_iommufd(void) {
        int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

        if (fd < 0) {
                fprintf(stderr, "flushd-bench: open /dev/iommu: %m\n");
                exit(EXIT_FAILURE);
        }
        return fd;
}

static void print_number(const char *key, double v) {
        if (isnan(v))
                printf(" %s=nan", key);
        else
                printf(" %s=%.6g", key, v);
}

void bench_report(const char *id, double value, double baseline, double ratio, const char *unit,
                  unsigned rounds, const char *extra, const char *note_format, ...) {
        va_list ap;

        printf("FLUSHD-BENCH id=%s", id);
        print_number("value", value);
        print_number("baseline", baseline);
        print_number("ratio", ratio);
        printf(" unit=%s rounds=%u%s note=", unit, rounds, extra ?: "");
        va_start(ap, note_format);
        vprintf(note_format, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
}

unsigned bench_arg_uint(const char *s, const char *what) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s ?: "", &end, 10);
        if (errno != 0 || !s || end == s || *end != 0 || v == 0 || v > 100000000) {
                fprintf(stderr, "flushd-bench: %s must be a positive number, not '%s'\n", what, s ?: "");
                exit(EXIT_FAILURE);
        }
        return (unsigned) v;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-local-wb.c - flushd_write_back_range(): the local loop and which side it picks
 *
 * The local loop must run on this (x86) machine, leave the bytes as they
 * were and accept any alignment. The choice between the loop and flushd is
 * observable without a daemon: the daemon path with no client is -EINVAL,
 * the local path never needs one. So each routing case passes c = NULL and
 * expects FLUSHD_RANGE_BY_LOCAL exactly when the loop should have run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flushd.h"
#include "tests.h"
#include "util/macro.h"

#define DEF FLUSHD_RANGE_THRESHOLD_DEFAULT

START_TEST(test_method) {
#if defined(__x86_64__) || defined(__i386__)
        int m = flushd_local_write_back_method(0), n = flushd_local_write_back_method(FLUSHD_FLUSH_NO_INVALIDATE);

        ck_assert_msg(m == FLUSHD_LOCAL_CLFLUSH || m == FLUSHD_LOCAL_CLFLUSHOPT, "method %d", m);
        /* Without invalidation CLWB is preferred, else the same as with. */
        ck_assert_msg(n == FLUSHD_LOCAL_CLWB || n == m, "no-invalidate method %d (invalidate: %d)", n, m);
#else
        ck_assert_int_eq(flushd_local_write_back_method(0), -EOPNOTSUPP);
#endif
}
END_TEST

START_TEST(test_local_keeps_bytes) {
        static const struct { size_t offset, len; uint64_t flags; } cases[] = {
                { 0, 4096, 0 },
                { 3, 1000, 0 },                         /* unaligned start and end */
                { 63, 2, 0 },                           /* two lines, one byte each */
                { 1, 65536, FLUSHD_FLUSH_NO_INVALIDATE },
        };
        _cleanup_free_ unsigned char *buf = malloc(70000), *copy = malloc(70000);

        ck_assert_ptr_nonnull(buf);
        ck_assert_ptr_nonnull(copy);
        for (size_t i = 0; i < 70000; i++)
                buf[i] = (unsigned char) (i * 7 + 1);
        memcpy(copy, buf, 70000);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                FlushdResult res = { .flushed = 99, .coalesced = 99 };
                int r = flushd_write_back_range(NULL, -1, buf + cases[i].offset, cases[i].len,
                                                FLUSHD_RANGE_LOCAL, 0, cases[i].flags, &res);

                ck_assert_msg(r == FLUSHD_RANGE_BY_LOCAL, "case %zu: %d", i, r);
                ck_assert_uint_eq(res.flushed, 0);
                ck_assert_uint_eq(res.coalesced, 0);
        }
        ck_assert_mem_eq(buf, copy, 70000);
}
END_TEST

static const struct {
        const char *what;
        size_t len, threshold;
        int mode;
        uint64_t flags;
        int want;
} routes[] = {
        { "auto, below the default",          DEF - 1, 0,   FLUSHD_RANGE_AUTO,   0, FLUSHD_RANGE_BY_LOCAL },
        { "auto, at the default",             DEF,     0,   FLUSHD_RANGE_AUTO,   0, -EINVAL },
        { "auto, above a given threshold",    1000,    512, FLUSHD_RANGE_AUTO,   0, -EINVAL },
        { "auto, below a given threshold",    511,     512, FLUSHD_RANGE_AUTO,   0, FLUSHD_RANGE_BY_LOCAL },
        { "auto, all CPUs goes to flushd",    64,      0,   FLUSHD_RANGE_AUTO,   FLUSHD_FLUSH_ALL_CPUS, -EINVAL },
        { "auto, no-invalidate stays local",  64,      0,   FLUSHD_RANGE_AUTO,   FLUSHD_FLUSH_NO_INVALIDATE,
          FLUSHD_RANGE_BY_LOCAL },
        { "forced local, above threshold",    2 * DEF, 0,   FLUSHD_RANGE_LOCAL,  0, FLUSHD_RANGE_BY_LOCAL },
        { "forced local with all CPUs",       64,      0,   FLUSHD_RANGE_LOCAL,  FLUSHD_FLUSH_ALL_CPUS, -EINVAL },
        { "forced daemon, tiny range",        64,      0,   FLUSHD_RANGE_DAEMON, 0, -EINVAL },
        { "unknown mode",                     64,      0,   42,                  0, -EINVAL },
};

START_TEST(test_route) {
        _cleanup_free_ unsigned char *buf = calloc(1, 2 * DEF);
        int r;

        ck_assert_ptr_nonnull(buf);
        r = flushd_write_back_range(NULL, -1, buf, routes[_i].len, (FlushdRangeMode) routes[_i].mode,
                                    routes[_i].threshold, routes[_i].flags, NULL);
        ck_assert_msg(r == routes[_i].want, "%s: got %d, want %d", routes[_i].what, r, routes[_i].want);
}
END_TEST

START_TEST(test_bad_ranges) {
        /* Nothing to write back is success, even without an address. */
        ck_assert_int_eq(flushd_write_back_range(NULL, -1, NULL, 0, FLUSHD_RANGE_LOCAL, 0, 0, NULL),
                         FLUSHD_RANGE_BY_LOCAL);
        ck_assert_int_eq(flushd_write_back_range(NULL, -1, NULL, 64, FLUSHD_RANGE_LOCAL, 0, 0, NULL), -EINVAL);
        ck_assert_int_eq(flushd_write_back_range(NULL, -1, (void *) (UINTPTR_MAX - 10), 100,
                                                 FLUSHD_RANGE_LOCAL, 0, 0, NULL), -EINVAL);
}
END_TEST

Suite *local_wb_suite(void) {
        Suite *s = suite_create("local-wb");
        TCase *tc = tcase_create("range");

        tcase_add_test(tc, test_method);
        tcase_add_test(tc, test_local_keeps_bytes);
        tcase_add_loop_test(tc, test_route, 0, ELEMENTSOF(routes));
        tcase_add_test(tc, test_bad_ranges);
        suite_add_tcase(s, tc);
        return s;
}

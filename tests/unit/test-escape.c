/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-escape.c - cgroup names of any bytes become valid, printable UTF-8
 */
#include <string.h>

#include "escape.h"
#include "tests.h"

static const struct {
        const char *in, *out;
} cases[] = {
        { "/user.slice/a.service", "/user.slice/a.service" },
        { "/caf\xc3\xa9/\xe2\x82\xac", "/caf\xc3\xa9/\xe2\x82\xac" },          /* valid UTF-8 stays */
        { "/bad\xff\xfe", "/bad\\xff\\xfe" },                                   /* invalid bytes */
        { "/\xc3", "/\\xc3" },                                                  /* truncated sequence */
        { "/\xc0\xaf", "/\\xc0\\xaf" },                                         /* overlong '/' */
        { "/\xed\xa0\x80", "/\\xed\\xa0\\x80" },                                /* surrogate */
        { "/\xf4\x90\x80\x80", "/\\xf4\\x90\\x80\\x80" },                       /* above U+10FFFF */
        { "/a\nb\tc\x1b[31m", "/a\\x0ab\\x09c\\x1b[31m" },                      /* controls */
        { "/\xc2\x85", "/\\xc2\\x85" },                                         /* C1 control NEL */
        { "/back\\slash", "/back\\\\slash" },                                   /* unambiguous */
};

START_TEST(test_escape) {
        char buf[128];

        ck_assert_str_eq(escape_utf8(cases[_i].in, buf, sizeof(buf)), cases[_i].out);
}
END_TEST

START_TEST(test_escape_truncates_whole_escapes) {
        char buf[8];

        /* "/ab" + "\xff" would need 4 more bytes than fit: stop before it */
        ck_assert_str_eq(escape_utf8("/abcd\xff", buf, sizeof(buf)), "/abcd");
        ck_assert_uint_lt(strlen(buf), sizeof(buf));
}
END_TEST

Suite *escape_suite(void) {
        Suite *s = suite_create("escape");
        TCase *tc = tcase_create("utf8");

        tcase_add_loop_test(tc, test_escape, 0, sizeof(cases) / sizeof(cases[0]));
        tcase_add_test(tc, test_escape_truncates_whole_escapes);
        suite_add_tcase(s, tc);
        return s;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-manual.c - the manual documents what was built, and lints clean
 *
 * Every key the policy parser knows appears in flushd.conf(5), every error
 * name of include/bus/flush1.h in org.flushd.Flush1(5), and every page
 * passes mandoc -Tlint and man --warnings without a word. (flushctl's
 * verbs and options are checked by test-flushctl-doc.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tests.h"
#include "util/macro.h"

static char *slurp(const char *path) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re");

        ck_assert_msg(f, "cannot open %s", path);
        ck_assert_int_ge(getdelim(&text, &size, '\0', f), 0);
        fclose(f);
        return text;
}

START_TEST(test_policy_keys_documented) {
        _cleanup_free_ char *man = slurp("man/flushd.conf.5");
        const char *key;
        size_t i;

        for (i = 0; (key = policy_key_name(i)); i++) {
                char needle[64];

                snprintf(needle, sizeof(needle), ".BI %s= ", key);
                ck_assert_msg(strstr(man, needle), "flushd.conf(5) does not document %s=", key);
        }
        ck_assert_uint_ge(i, 13);
}
END_TEST

START_TEST(test_error_names_documented) {
        _cleanup_free_ char *header = slurp("include/bus/flush1.h"), *man = slurp("man/org.flushd.Flush1.5");
        const char *p = header;
        unsigned n = 0;

        while ((p = strstr(p, "FLUSH1_ERROR(\""))) {
                char name[96];
                const char *end;

                p += strlen("FLUSH1_ERROR(\"");
                end = strchr(p, '"');
                ck_assert_ptr_nonnull(end);
                if (end == p)
                        continue;       /* the macro's own definition */
                snprintf(name, sizeof(name), ".B org.flushd.Flush1.Error.%.*s\n", (int) (end - p), p);
                ck_assert_msg(strstr(man, name), "org.flushd.Flush1(5) does not document %s", name);
                n++;
        }
        ck_assert_uint_ge(n, 8);
}
END_TEST

static const char *const pages[] = {
        "man/flushd.8", "man/flushctl.1", "man/flushd.conf.5", "man/libflushd.3", "man/org.flushd.Flush1.5",
};

/* Runs cmd and returns what it printed (stdout and stderr). */
static char *run(const char *cmd) {
        char *out = calloc(1, 8192);
        size_t n;
        FILE *p;

        ck_assert_ptr_nonnull(out);
        p = popen(cmd, "re");
        ck_assert_ptr_nonnull(p);
        n = fread(out, 1, 8191, p);
        out[n] = '\0';
        ck_assert_int_eq(pclose(p), 0);
        return out;
}

START_TEST(test_pages_lint_clean) {
        char cmd[256];
        _cleanup_free_ char *lint = NULL, *warn = NULL;

        snprintf(cmd, sizeof(cmd), "mandoc -Tlint -W warning %s 2>&1", pages[_i]);
        lint = run(cmd);
        ck_assert_msg(!*lint, "mandoc -Tlint %s: %s", pages[_i], lint);
        snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l %s 2>&1 >/dev/null",
                 pages[_i]);
        warn = run(cmd);
        ck_assert_msg(!*warn, "man --warnings %s: %s", pages[_i], warn);
}
END_TEST

Suite *manual_suite(void) {
        Suite *s = suite_create("manual");
        TCase *tc = tcase_create("manual");

        tcase_add_test(tc, test_policy_keys_documented);
        tcase_add_test(tc, test_error_names_documented);
        tcase_add_loop_test(tc, test_pages_lint_clean, 0, ELEMENTSOF(pages));
        suite_add_tcase(s, tc);
        return s;
}

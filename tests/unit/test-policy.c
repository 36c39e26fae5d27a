/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-policy.c - policy parsing and cgroup matching
 *
 * Inputs are files under tests/unit/policy/ (FLUSHD_TEST_POLICY_DIR):
 * good-*.conf are loaded and their contents asserted; every bad-*.conf is
 * listed in bad_cases[] with the line and a fragment of the message its
 * first error must carry. Cases that cannot live in a text file (a NUL
 * byte, more sections than the cap) are generated into a temporary file.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "tests.h"
#include "util/macro.h"

#define NS UINT64_C(1000000000)

static const char *policy_dir(void) {
        const char *d = getenv("FLUSHD_TEST_POLICY_DIR");
        return d ? d : "tests/unit/policy";
}

static int load(const char *name, Policy **ret, PolicyError *error) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", policy_dir(), name);
        return policy_load(path, ret, error);
}

static Policy *load_good(const char *name) {
        PolicyError error = {};
        Policy *p = NULL;
        int r;

        r = load(name, &p, &error);
        ck_assert_msg(r == 0, "%s: r=%d line %u: %s", name, r, error.line, error.message);
        ck_assert_ptr_nonnull(p);
        return p;
}

static const PolicySection *find(const Policy *p, const char *label) {
        for (size_t i = 0; i < p->n_sections; i++)
                if (p->sections[i].label && strcmp(p->sections[i].label, label) == 0)
                        return &p->sections[i];
        ck_abort_msg("no section '%s'", label);
        return NULL;
}

static size_t index_of(const Policy *p, const char *label) {
        return find(p, label) - p->sections;
}

/* ---- rejected files ---- */

static const struct {
        const char *file;
        unsigned line;
        const char *message;
} bad_cases[] = {
        /* inih's silent behaviours */
        { "bad-line-250.conf",          3, "line too long (251 characters, max 199)" },
        { "bad-line-200.conf",          2, "line too long (200 characters, max 199)" },
        { "bad-label-60.conf",          1, "section label too long (60 characters, max 41)" },
        { "bad-label-42.conf",          1, "section label too long (42 characters, max 41)" },
        { "bad-section-49.conf",        2, "section name too long (49 characters, max 48)" },
        { "bad-hash-comment.conf",      3, "trailing text '# note' after value of Rate=; comments go on their own line" },
        { "bad-semicolon-comment.conf", 2, "inline comment after value; comments go on their own line" },
        { "bad-dup-label.conf",         7, "duplicate section label 'a' (first defined on line 1)" },
        { "bad-dup-path.conf",          6, "duplicate Path=/a/b (already used by [Cgroup a] on line 2)" },
        { "bad-indented.conf",          4, "indented line" },
        { "bad-continuation.conf",      4, "indented line" },
        { "bad-section-trailing.conf",  1, "trailing text '; deny by default' after section header" },
        /* structure */
        { "bad-unknown-section.conf",   3, "unknown section [Cgroups a]" },
        { "bad-unknown-key.conf",       3, "unknown key Allowed= in section [Cgroup a]" },
        { "bad-key-wrong-section.conf", 2, "unknown key Allow= in section [Daemon]" },
        { "bad-dup-key.conf",           5, "duplicate key Rate= (first set on line 3)" },
        { "bad-missing-path.conf",      4, "section [Cgroup a] has no Path=" },
        { "bad-missing-path-eof.conf",  1, "section [Cgroup a] has no Path=" },
        { "bad-empty-value.conf",       3, "empty value for Allow=" },
        { "bad-key-before-section.conf", 2, "key Allow= before any section" },
        { "bad-dup-default.conf",       3, "duplicate section [Default] (first on line 1)" },
        { "bad-dup-daemon.conf",        3, "duplicate section [Daemon] (first on line 1)" },
        { "bad-section-unclosed.conf",  1, "section header without closing ']'" },
        { "bad-cgroup-no-label.conf",   1, "needs a label" },
        { "bad-label-chars.conf",       1, "invalid section label 'a/b'" },
        { "bad-syntax.conf",            3, "expected [Section], KEY=VALUE or a comment" },
        /* the first error wins, whoever found it */
        { "bad-first-error-inih.conf",  2, "expected [Section], KEY=VALUE or a comment" },
        { "bad-first-error-ours.conf",  2, "invalid boolean Allow=maybe" },
        /* values */
        { "bad-path-relative.conf",     2, "invalid Path=a/b" },
        { "bad-path-dotdot.conf",       2, "invalid Path=/a/../b" },
        { "bad-path-dot.conf",          2, "invalid Path=/a/./b" },
        { "bad-path-double-slash.conf", 2, "invalid Path=/a//b" },
        { "bad-path-trailing-slash.conf", 2, "invalid Path=/a/ " },
        { "bad-path-deep.conf",         2, "at most 64 components" },
        { "bad-rate-unit.conf",         2, "invalid rate Rate=100/d" },
        { "bad-rate-zero.conf",         2, "invalid rate Rate=0/s" },
        { "bad-rate-big.conf",          2, "invalid rate Rate=1000001/s" },
        { "bad-rate-negative.conf",     2, "invalid rate Rate=-5/s" },
        { "bad-rate-no-unit.conf",      2, "invalid rate Rate=10 " },
        { "bad-burst-zero.conf",        3, "invalid Burst=0 " },
        { "bad-burst-text.conf",        3, "invalid Burst=5x " },
        { "bad-burst-no-rate.conf",     3, "a burst needs a rate limit (Rate= is unset or unlimited)" },
        { "bad-global-burst-no-rate.conf", 2, "(GlobalRate= is unset or unlimited)" },
        { "bad-global-burst-per-user-no-rate.conf", 2, "(GlobalRatePerUser= is unset or unlimited)" },
        { "bad-bool.conf",              2, "invalid boolean Allow=maybe" },
        /* inih takes ':' like '=' */
        { "bad-colon.conf",             2, "':' after key Allow; write KEY=VALUE" },
        { "bad-colon-path.conf",        3, "':' after key Path; write KEY=VALUE" },
        { "bad-colon-nokey.conf",       3, "':' without a key; write KEY=VALUE" },
        /* Users=, Groups= */
        { "bad-users-unknown.conf",     3, "unknown user 'no-such-user-flushd' in Users=" },
        { "bad-groups-unknown.conf",    4, "unknown group 'no-such-group-flushd' in Groups=" },
        { "bad-users-big.conf",         2, "invalid user id 4294967295 in Users= (0 to 4294967294)" },
        { "bad-users-comment.conf",     2, "trailing text '# admin' after value of Users=" },
        { "bad-users-daemon.conf",      2, "unknown key Users= in section [Daemon]" },
};

static void assert_rejected(const char *what, int r, const Policy *p, const PolicyError *error,
                            unsigned line, const char *message) {
        ck_assert_msg(r == POLICY_E_INVALID, "%s: expected POLICY_E_INVALID, got %d", what, r);
        ck_assert_ptr_null(p);
        ck_assert_msg(error->line == line, "%s: error on line %u (%s), expected line %u",
                      what, error->line, error->message, line);
        ck_assert_msg(strstr(error->message, message), "%s: message '%s' lacks '%s'",
                      what, error->message, message);
}

START_TEST(test_bad_file) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};
        char path[4096];
        int r;

        r = load(bad_cases[_i].file, &p, &error);
        assert_rejected(bad_cases[_i].file, r, p, &error, bad_cases[_i].line, bad_cases[_i].message);
        snprintf(path, sizeof(path), "%s/%s", policy_dir(), bad_cases[_i].file);
        ck_assert_str_eq(error.file, path);
}
END_TEST

/* The key an error is about, for "FILE:LINE:KEY: message"; "" if none. */
static const struct {
        const char *file;
        const char *key;
} key_cases[] = {
        { "bad-dup-key.conf",           "Rate" },
        { "bad-bool.conf",              "Allow" },
        { "bad-unknown-key.conf",       "Allowed" },
        { "bad-hash-comment.conf",      "Rate" },
        { "bad-colon.conf",             "Allow" },
        { "bad-colon-path.conf",        "Path" },
        { "bad-burst-no-rate.conf",     "Burst" },
        { "bad-global-burst-no-rate.conf", "GlobalBurst" },
        { "bad-global-burst-per-user-no-rate.conf", "GlobalBurstPerUser" },
        { "bad-users-unknown.conf",     "Users" },
        { "bad-groups-unknown.conf",    "Groups" },
        { "bad-dup-path.conf",          "Path" },
        { "bad-missing-path.conf",      "" },
        { "bad-dup-label.conf",         "" },
        { "bad-line-250.conf",          "" },
        { "bad-syntax.conf",            "" },
};

START_TEST(test_error_key) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};

        ck_assert_int_eq(load(key_cases[_i].file, &p, &error), POLICY_E_INVALID);
        ck_assert_msg(strcmp(error.key, key_cases[_i].key) == 0, "%s: key '%s', expected '%s' (%s)",
                      key_cases[_i].file, error.key, key_cases[_i].key, error.message);
}
END_TEST

/* Every bad-*.conf in the directory must be in the table, so none is left untested. */
START_TEST(test_bad_files_all_listed) {
        char pattern[4096];
        glob_t g = {};

        snprintf(pattern, sizeof(pattern), "%s/bad-*.conf", policy_dir());
        ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
        for (size_t n = 0; n < g.gl_pathc; n++) {
                const char *name = strrchr(g.gl_pathv[n], '/') + 1;
                bool found = false;

                for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++)
                        found = found || strcmp(bad_cases[i].file, name) == 0;
                ck_assert_msg(found, "%s is not in bad_cases[]", name);
        }
        ck_assert_uint_eq(g.gl_pathc, ELEMENTSOF(bad_cases));
        globfree(&g);
}
END_TEST

static char *write_temp(const char *data, size_t size) {
        char *path = strdup("/tmp/flushd-test-policy-XXXXXX");
        int fd;

        ck_assert_ptr_nonnull(path);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, size), (ssize_t) size);
        close(fd);
        return path;
}

START_TEST(test_bad_nul_byte) {
        static const char data[] = "[Default]\nAllow=yes\0no\n";
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *path = write_temp(data, sizeof(data) - 1);
        PolicyError error = {};
        int r;

        r = policy_load(path, &p, &error);
        unlink(path);
        assert_rejected("NUL byte", r, p, &error, 2, "NUL byte");
}
END_TEST

/* Bytes from the file reach a log or a bus reply only escaped. */
static const struct {
        const char *data;
        unsigned line;
        const char *message;            /* escaped as it must appear */
        const char *key;
} escape_cases[] = {
        { "[Cgroup a\x01" "b]\nPath=/a\n",               1, "invalid section label 'a\\x01b'", "" },
        { "[Default]\nAllow=ma\x1b[2Jybe\n",           2, "invalid boolean Allow=ma\\x1b[2Jybe", "Allow" },
        { "[Default]\nAl\x7flow=yes\n",                2, "unknown key Al\\x7flow=", "Al\\x7flow" },
        { "[Default]\nRate=5/s \x07" "bell\n",          2, "trailing text '\\x07bell'", "Rate" },
        { "[Default]\nAllow=\xff\xfe\n",              2, "invalid boolean Allow=\\xff\\xfe", "Allow" },
        { "[Default]\nAllow=caf\xc3\xa9\n",           2, "invalid boolean Allow=caf\xc3\xa9 ", "Allow" },
        { "[Default]\nUsers=0 \x1bx\n",                2, "unknown user '\\x1bx'", "Users" },
};

static bool is_printable(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return false;
        return true;
}

START_TEST(test_escaped_message) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *path = write_temp(escape_cases[_i].data, strlen(escape_cases[_i].data));
        PolicyError error = {};
        int r;

        r = policy_load(path, &p, &error);
        unlink(path);
        assert_rejected("escape", r, p, &error, escape_cases[_i].line, escape_cases[_i].message);
        ck_assert_msg(is_printable(error.message), "raw control byte in '%s'", error.message);
        ck_assert_str_eq(error.key, escape_cases[_i].key);
        ck_assert(is_printable(error.key));
}
END_TEST

static char *sections_file(unsigned n) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&data, &size);

        ck_assert_ptr_nonnull(f);
        for (unsigned i = 0; i < n; i++)
                fprintf(f, "[Cgroup s%u]\nPath=/s%u\n", i, i);
        ck_assert_int_eq(fclose(f), 0);
        return write_temp(data, size);
}

START_TEST(test_sections_cap) {
        _cleanup_(policy_freep) Policy *p = NULL, *q = NULL;
        _cleanup_free_ char *ok = sections_file(POLICY_SECTIONS_MAX);
        _cleanup_free_ char *over = sections_file(POLICY_SECTIONS_MAX + 1);
        PolicyError error = {};
        int r;

        r = policy_load(ok, &p, &error);
        unlink(ok);
        ck_assert_msg(r == 0, "line %u: %s", error.line, error.message);
        ck_assert_uint_eq(p->n_sections, POLICY_SECTIONS_MAX + 1);

        r = policy_load(over, &q, &error);
        unlink(over);
        assert_rejected("4097 sections", r, q, &error, 2 * POLICY_SECTIONS_MAX + 1, "too many [Cgroup] sections");
}
END_TEST

START_TEST(test_missing_file) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};

        ck_assert_int_eq(load("does-not-exist.conf", &p, &error), -ENOENT);
        ck_assert_ptr_null(p);
        ck_assert_uint_eq(error.line, 0);
        ck_assert_ptr_nonnull(strstr(error.message, "cannot open"));
}
END_TEST

/* ---- accepted files ---- */

START_TEST(test_good_full) {
        _cleanup_(policy_freep) Policy *p = load_good("good-full.conf");
        const PolicySection *d, *s;

        ck_assert_uint_eq(p->n_sections, 4);
        ck_assert_uint_eq(p->n_files, 1);               /* policy_load() reads no drop-ins */
        ck_assert_str_eq(p->files[0], p->file);
        ck_assert_ptr_nonnull(strstr(p->file, "/good-full.conf"));
        ck_assert_uint_eq(p->global.tokens, 500);
        ck_assert_uint_eq(p->global.period_ns, NS);
        ck_assert_uint_eq(p->global.burst, 50);
        ck_assert_uint_eq(p->global_user.tokens, 200);
        ck_assert_uint_eq(p->global_user.period_ns, NS);
        ck_assert_uint_eq(p->global_user.burst, 30);

        d = policy_section(p, POLICY_DEFAULT);
        ck_assert_ptr_null(d->label);
        ck_assert_ptr_null(d->path);
        ck_assert_uint_eq(d->line, 9);
        ck_assert(d->allow);
        ck_assert(!d->allow_all_cpus);
        ck_assert_uint_eq(d->limit.tokens, 10);
        ck_assert_uint_eq(d->limit.period_ns, 60 * NS);
        ck_assert_uint_eq(d->limit.burst, 1);          /* default: 1 s worth, at least 1 */

        s = find(p, "system");
        ck_assert_str_eq(s->path, "/system.slice");
        ck_assert_uint_eq(s->depth, 1);
        ck_assert_uint_eq(s->line, 14);
        ck_assert(!s->allow);
        ck_assert_uint_eq(s->limit.tokens, 1000);
        ck_assert_uint_eq(s->limit.burst, 100);

        s = find(p, "gpu-worker");
        ck_assert_str_eq(s->path, "/system.slice/gpu-worker.service");
        ck_assert_uint_eq(s->depth, 2);
        ck_assert(s->allow);
        ck_assert(s->allow_all_cpus);
        ck_assert_uint_eq(s->limit.tokens, 100);
        ck_assert_uint_eq(s->limit.burst, 20);

        s = find(p, "batch");
        ck_assert(s->allow);
        ck_assert(!s->allow_all_cpus);
        ck_assert_uint_eq(s->limit.tokens, 3600);
        ck_assert_uint_eq(s->limit.period_ns, 3600 * NS);
        ck_assert_uint_eq(s->limit.burst, 1);
}
END_TEST

START_TEST(test_good_empty) {
        _cleanup_(policy_freep) Policy *p = load_good("good-empty.conf");
        const PolicySection *d = policy_section(p, POLICY_DEFAULT);

        ck_assert_uint_eq(p->n_sections, 1);
        ck_assert(!d->allow);                           /* deny unless the admin says otherwise */
        ck_assert(!d->allow_all_cpus);
        ck_assert(quota_limit_is_unlimited(&d->limit));
        ck_assert(quota_limit_is_unlimited(&p->global));
        ck_assert(quota_limit_is_unlimited(&p->global_user));
}
END_TEST

START_TEST(test_good_values) {
        _cleanup_(policy_freep) Policy *p = load_good("good-values.conf");
        const PolicySection *d = policy_section(p, POLICY_DEFAULT), *s;

        ck_assert(quota_limit_is_unlimited(&p->global));
        ck_assert(d->allow);
        ck_assert(d->allow_all_cpus);
        ck_assert_uint_eq(d->limit.tokens, 600);
        ck_assert_uint_eq(d->limit.period_ns, 60 * NS);
        ck_assert_uint_eq(d->limit.burst, 1000000);

        s = find(p, "u1");
        ck_assert(!s->allow);
        ck_assert_uint_eq(s->limit.tokens, 1);
        ck_assert_uint_eq(s->limit.period_ns, 3600 * NS);
        ck_assert_uint_eq(s->limit.burst, 1);
        s = find(p, "u2");
        ck_assert(s->allow);
        ck_assert_uint_eq(s->limit.burst, 1000000);
        s = find(p, "u3");
        ck_assert(!s->allow);
        ck_assert(quota_limit_is_unlimited(&s->limit));
        ck_assert_uint_eq(s->limit.burst, 0);
        s = find(p, "u4");
        ck_assert(!s->allow);
        ck_assert_uint_eq(s->limit.burst, 3);
}
END_TEST

START_TEST(test_good_syntax) {
        _cleanup_(policy_freep) Policy *p = load_good("good-syntax.conf");
        const PolicySection *d = policy_section(p, POLICY_DEFAULT);

        ck_assert_uint_eq(d->line, 2);
        ck_assert(d->allow);
        ck_assert_uint_eq(d->limit.tokens, 5);
        ck_assert_uint_eq(d->limit.period_ns, NS);
}
END_TEST

START_TEST(test_good_limits) {
        _cleanup_(policy_freep) Policy *p = load_good("good-limits.conf");

        ck_assert_uint_eq(p->n_sections, 2);
        ck_assert_uint_eq(strlen(p->sections[1].label), POLICY_LABEL_MAX);
        ck_assert_uint_eq(p->sections[1].depth, POLICY_DEPTH_MAX);
        ck_assert_uint_eq(p->sections[1].line, 3);
}
END_TEST

/* ---- matching ---- */

static const struct {
        const char *cgroup;
        const char *chain[4];           /* labels, deepest first; NULL-terminated */
        int verdict;
        int verdict_all_cpus;
} match_cases[] = {
        { "/a",         { "a", "root" },         0,               POLICY_E_ALL_CPUS_DENIED },
        { "/a/x/y",     { "a", "root" },         0,               POLICY_E_ALL_CPUS_DENIED },
        { "/a/bc",      { "a", "root" },         0,               POLICY_E_ALL_CPUS_DENIED },
        { "/a/b",       { "a-b", "a", "root" },  POLICY_E_DENIED, POLICY_E_DENIED },
        { "/a/b/c",     { "a-b", "a", "root" },  POLICY_E_DENIED, POLICY_E_DENIED },
        { "/ab",        { "ab", "root" },        0,               0 },
        { "/ab/c",      { "ab", "root" },        0,               0 },
        { "/abc",       { "root" },              POLICY_E_DENIED, POLICY_E_DENIED },
        { "/",          { "root" },              POLICY_E_DENIED, POLICY_E_DENIED },
        { "/b",         { "root" },              POLICY_E_DENIED, POLICY_E_DENIED },
};

START_TEST(test_match) {
        _cleanup_(policy_freep) Policy *p = load_good("good-match.conf");
        PolicyMatch m;
        size_t n = 0;

        policy_match(p, match_cases[_i].cgroup, &m);
        for (; match_cases[_i].chain[n]; n++) {
                ck_assert_uint_gt(m.n_chain, n);
                ck_assert_msg(m.chain[n] == index_of(p, match_cases[_i].chain[n]),
                              "%s: chain[%zu] is '%s', expected '%s'", match_cases[_i].cgroup, n,
                              p->sections[m.chain[n]].label ?: "[Default]", match_cases[_i].chain[n]);
        }
        ck_assert_uint_eq(m.n_chain, n);
        ck_assert_int_eq(policy_check(p, &m, false, 1000, NULL, 0), match_cases[_i].verdict);
        ck_assert_int_eq(policy_check(p, &m, true, 1000, NULL, 0), match_cases[_i].verdict_all_cpus);
}
END_TEST

START_TEST(test_match_default) {
        _cleanup_(policy_freep) Policy *p = load_good("good-nomatch.conf");
        PolicyMatch m;

        /* No [Cgroup] matches: [Default] decides and is the only one charged. */
        policy_match(p, "/b/c", &m);
        ck_assert_uint_eq(m.n_chain, 1);
        ck_assert_uint_eq(m.chain[0], POLICY_DEFAULT);
        ck_assert_int_eq(policy_check(p, &m, true, 1000, NULL, 0), 0);

        /* A matching section replaces [Default], also when it denies. */
        policy_match(p, "/a/x", &m);
        ck_assert_uint_eq(m.n_chain, 1);
        ck_assert_uint_eq(m.chain[0], index_of(p, "a"));
        ck_assert_int_eq(policy_check(p, &m, false, 1000, NULL, 0), POLICY_E_DENIED);
}
END_TEST

/* A cgroup nested thousands deep (a delegated subtree allows it) still
 * finds its sections near the root, and only POLICY_DEPTH_MAX prefixes
 * are ever looked up. */
START_TEST(test_match_deep_cgroup) {
        _cleanup_(policy_freep) Policy *p = load_good("good-nomatch.conf");
        _cleanup_free_ char *deep = malloc(3 + 3 * 1500);
        PolicyMatch m;
        char *c;

        ck_assert_ptr_nonnull(deep);
        c = stpcpy(deep, "/a");
        for (int i = 0; i < 1500; i++)
                c = stpcpy(c, "/zz");
        policy_match(p, deep, &m);
        ck_assert_uint_eq(m.n_chain, 1);
        ck_assert_uint_eq(m.chain[0], index_of(p, "a"));
}
END_TEST

START_TEST(test_match_default_denies) {
        _cleanup_(policy_freep) Policy *p = load_good("good-empty.conf");
        PolicyMatch m;

        policy_match(p, "/user.slice/user-1000.slice", &m);
        ck_assert_uint_eq(m.n_chain, 1);
        ck_assert_uint_eq(m.chain[0], POLICY_DEFAULT);
        ck_assert_int_eq(policy_check(p, &m, false, 1000, NULL, 0), POLICY_E_DENIED);
}
END_TEST

/* ---- Users=, Groups= ---- */

START_TEST(test_good_users) {
        _cleanup_(policy_freep) Policy *p = load_good("good-users.conf");
        const PolicySection *d = policy_section(p, POLICY_DEFAULT), *s;

        /* Burst= before Rate= in the same section still counts. */
        ck_assert_uint_eq(d->limit.tokens, 10);
        ck_assert_uint_eq(d->limit.burst, 5);
        ck_assert_uint_eq(d->n_users, 0);
        ck_assert_uint_eq(d->n_groups, 0);

        s = find(p, "u");                               /* Users=root 1000 */
        ck_assert_uint_eq(s->n_users, 2);
        ck_assert_uint_eq(s->users[0], 0);
        ck_assert_uint_eq(s->users[1], 1000);
        ck_assert_uint_eq(s->n_groups, 0);
        s = find(p, "g");                               /* Groups=root 100 */
        ck_assert_uint_eq(s->n_users, 0);
        ck_assert_uint_eq(s->n_groups, 2);
        ck_assert_uint_eq(s->groups[0], 0);
        ck_assert_uint_eq(s->groups[1], 100);
}
END_TEST

static const gid_t g_none[] = { 7 };
static const gid_t g_root[] = { 0 };
static const gid_t g_supp_root[] = { 7, 8, 0 };         /* primary 7, root supplementary */
static const gid_t g_100[] = { 100 };

static const struct {
        const char *cgroup;
        uid_t uid;
        const gid_t *gids;
        size_t n_gids;
        bool all_cpus;
        int verdict;
} user_cases[] = {
        /* Users= alone: the uid decides, groups do not matter */
        { "/u",      0,    g_none, 1, false, 0 },
        { "/u",      1000, NULL,   0, false, 0 },
        { "/u",      1001, g_root, 1, false, POLICY_E_USER_DENIED },
        { "/u",      0,    g_none, 1, true,  POLICY_E_ALL_CPUS_DENIED },
        { "/u/x",    1001, g_none, 1, true,  POLICY_E_USER_DENIED },     /* user before all-CPUs */
        /* Groups= alone: the primary or any supplementary group */
        { "/g",      1001, g_root, 1, false, 0 },
        { "/g",      1001, g_supp_root, 3, false, 0 },
        { "/g",      1001, g_100,  1, false, 0 },
        { "/g",      0,    g_none, 1, false, POLICY_E_USER_DENIED },
        { "/g",      0,    NULL,   0, false, POLICY_E_USER_DENIED },
        /* both: both must match */
        { "/ug",     0,    g_root, 1, false, 0 },
        { "/ug",     0,    g_supp_root, 3, true, 0 },
        { "/ug",     0,    g_none, 1, false, POLICY_E_USER_DENIED },
        { "/ug",     1000, g_root, 1, false, POLICY_E_USER_DENIED },
        /* Allow=no decides first */
        { "/denied", 0,    g_root, 1, false, POLICY_E_DENIED },
        { "/denied", 1000, g_root, 1, false, POLICY_E_DENIED },
        /* no section matches: [Default], which has no Allow= here, denies */
        { "/other",  1234, NULL,   0, false, POLICY_E_DENIED },
};

START_TEST(test_users_groups) {
        _cleanup_(policy_freep) Policy *p = load_good("good-users.conf");
        PolicyMatch m;

        policy_match(p, user_cases[_i].cgroup, &m);
        ck_assert_int_eq(policy_check(p, &m, user_cases[_i].all_cpus, user_cases[_i].uid,
                                      user_cases[_i].gids, user_cases[_i].n_gids),
                         user_cases[_i].verdict);
}
END_TEST

/* [Default] takes Users=/Groups= too, and ids up to 4294967294. */
START_TEST(test_default_users) {
        static const char data[] = "[Default]\nAllow=yes\nUsers=4294967294 root\nGroups=root\n";
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *path = write_temp(data, sizeof(data) - 1);
        PolicyError error = {};
        PolicyMatch m;
        int r;

        r = policy_load(path, &p, &error);
        unlink(path);
        ck_assert_msg(r == 0, "line %u: %s", error.line, error.message);
        ck_assert_uint_eq(p->sections[POLICY_DEFAULT].n_users, 2);
        ck_assert_uint_eq(p->sections[POLICY_DEFAULT].users[0], 4294967294u);
        policy_match(p, "/user.slice", &m);
        ck_assert_int_eq(policy_check(p, &m, false, 0, g_root, 1), 0);
        ck_assert_int_eq(policy_check(p, &m, false, 0, g_none, 1), POLICY_E_USER_DENIED);
        ck_assert_int_eq(policy_check(p, &m, false, 1000, g_root, 1), POLICY_E_USER_DENIED);
}
END_TEST

START_TEST(test_path_helpers) {
        unsigned depth = 99;

        ck_assert(policy_path_is_valid("/", &depth));
        ck_assert_uint_eq(depth, 0);
        ck_assert(policy_path_is_valid("/a.slice/b.service", &depth));
        ck_assert_uint_eq(depth, 2);
        ck_assert(policy_path_is_valid("/..a/.b", NULL));
        ck_assert(!policy_path_is_valid("", NULL));
        ck_assert(!policy_path_is_valid("a", NULL));
        ck_assert(!policy_path_is_valid("//", NULL));
        ck_assert(!policy_path_is_valid("/a/", NULL));
        ck_assert(!policy_path_is_valid("/a//b", NULL));
        ck_assert(!policy_path_is_valid("/.", NULL));
        ck_assert(!policy_path_is_valid("/a/..", NULL));
        ck_assert(!policy_path_is_valid("/a b", NULL));

        ck_assert(policy_path_is_prefix("/", "/"));
        ck_assert(policy_path_is_prefix("/", "/a"));
        ck_assert(policy_path_is_prefix("/a", "/a"));
        ck_assert(policy_path_is_prefix("/a", "/a/b"));
        ck_assert(!policy_path_is_prefix("/a", "/ab"));
        ck_assert(!policy_path_is_prefix("/a/b", "/a"));
}
END_TEST

Suite *policy_suite(void) {
        Suite *s = suite_create("policy");
        TCase *tc;

        tc = tcase_create("parse");
        tcase_add_loop_test(tc, test_bad_file, 0, ELEMENTSOF(bad_cases));
        tcase_add_loop_test(tc, test_error_key, 0, ELEMENTSOF(key_cases));
        tcase_add_loop_test(tc, test_escaped_message, 0, ELEMENTSOF(escape_cases));
        tcase_add_test(tc, test_bad_files_all_listed);
        tcase_add_test(tc, test_bad_nul_byte);
        tcase_add_test(tc, test_sections_cap);
        tcase_add_test(tc, test_missing_file);
        tcase_add_test(tc, test_good_full);
        tcase_add_test(tc, test_good_empty);
        tcase_add_test(tc, test_good_values);
        tcase_add_test(tc, test_good_syntax);
        tcase_add_test(tc, test_good_limits);
        suite_add_tcase(s, tc);

        tc = tcase_create("match");
        tcase_add_loop_test(tc, test_match, 0, ELEMENTSOF(match_cases));
        tcase_add_test(tc, test_match_default);
        tcase_add_test(tc, test_match_default_denies);
        tcase_add_test(tc, test_match_deep_cgroup);
        tcase_add_test(tc, test_path_helpers);
        tcase_add_test(tc, test_good_users);
        tcase_add_test(tc, test_default_users);
        tcase_add_loop_test(tc, test_users_groups, 0, ELEMENTSOF(user_cases));
        suite_add_tcase(s, tc);

        return s;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-policy-dropin.c - the main file plus flushd.conf.d drop-ins
 *
 * Each test builds a private tree under a temporary directory: main.conf
 * and the three drop-in directories usr/, run/ and etc/ (lowest priority
 * first, as /usr/lib, /run and /etc), loads it with policy_load_paths()
 * and asserts the files read, their order and the merged sections, or the
 * file, line and key of the error.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "tests.h"
#include "util/macro.h"

#define NS UINT64_C(1000000000)

typedef struct Tree {
        char root[64];
        char main[128];
        char dirs[3][128];              /* usr, run, etc */
        const char *dir_ptrs[3];
} Tree;

enum { USR, RUN, ETC };

static void tree_init(Tree *t) {
        static const char *const names[] = { "usr", "run", "etc" };

        snprintf(t->root, sizeof(t->root), "/tmp/flushd-test-dropin-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t->root));
        snprintf(t->main, sizeof(t->main), "%s/flushd.conf", t->root);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char d[96];

                snprintf(d, sizeof(d), "%s/%s", t->root, names[i]);
                ck_assert_int_eq(mkdir(d, 0755), 0);
                snprintf(t->dirs[i], sizeof(t->dirs[i]), "%s/flushd.conf.d", d);
                ck_assert_int_eq(mkdir(t->dirs[i], 0755), 0);
                t->dir_ptrs[i] = t->dirs[i];
        }
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void tree_done(Tree *t) {
        nftw(t->root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *data) {
        FILE *f = fopen(path, "we");

        ck_assert_msg(f, "%s: %m", path);
        ck_assert_int_eq(fputs(data, f) >= 0, 1);
        ck_assert_int_eq(fclose(f), 0);
}

/* Writes a drop-in and returns its path in buf. */
static const char *dropin(const Tree *t, int dir, const char *name, const char *data, char *buf, size_t size) {
        snprintf(buf, size, "%s/%s", t->dirs[dir], name);
        write_file(buf, data);
        return buf;
}

static Policy *load_tree(const Tree *t) {
        PolicyError error = {};
        Policy *p = NULL;
        int r;

        r = policy_load_paths(t->main, t->dir_ptrs, ELEMENTSOF(t->dir_ptrs), &p, &error);
        ck_assert_msg(r == 0, "r=%d %s:%u:%s: %s", r, error.file, error.line, error.key, error.message);
        return p;
}

static void load_tree_bad(const Tree *t, const char *file, unsigned line, const char *key, const char *message) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};
        int r;

        r = policy_load_paths(t->main, t->dir_ptrs, ELEMENTSOF(t->dir_ptrs), &p, &error);
        ck_assert_msg(r == POLICY_E_INVALID, "expected POLICY_E_INVALID, got %d", r);
        ck_assert_ptr_null(p);
        ck_assert_str_eq(error.file, file);
        ck_assert_msg(error.line == line, "error on line %u (%s), expected %u", error.line, error.message, line);
        ck_assert_str_eq(error.key, key);
        ck_assert_msg(strstr(error.message, message), "message '%s' lacks '%s'", error.message, message);
}

static const PolicySection *find(const Policy *p, const char *label) {
        size_t i;

        ck_assert_msg(policy_find_label(p, label, &i) >= 0, "no section '%s'", label);
        return policy_section(p, i);
}

/* All drop-ins after the main file, by name, whatever their directory. */
START_TEST(test_order) {
        Tree t;
        char a[256], b[256], c[256], d[256];
        _cleanup_(policy_freep) Policy *p = NULL;
        const PolicySection *s;

        tree_init(&t);
        write_file(t.main, "[Default]\nAllow=no\nRate=10/s\n");
        dropin(&t, USR, "10-a.conf", "[Default]\nRate=20/s\n", a, sizeof(a));
        dropin(&t, RUN, "20-b.conf", "[Default]\nRate=30/s\n", b, sizeof(b));
        dropin(&t, ETC, "05-c.conf", "[Default]\nAllow=yes\nRate=40/s\n", c, sizeof(c));
        dropin(&t, ETC, "9.conf", "[Daemon]\nGlobalRate=7/s\n", d, sizeof(d));    /* "9" sorts after "20" */
        p = load_tree(&t);
        tree_done(&t);

        ck_assert_uint_eq(p->n_files, 5);
        ck_assert_str_eq(p->files[0], t.main);
        ck_assert_str_eq(p->files[1], c);
        ck_assert_str_eq(p->files[2], a);
        ck_assert_str_eq(p->files[3], b);
        ck_assert_str_eq(p->files[4], d);
        ck_assert_str_eq(p->file, t.main);

        s = policy_section(p, POLICY_DEFAULT);
        ck_assert(s->allow);                            /* 05-c, untouched later */
        ck_assert_uint_eq(s->limit.tokens, 30);         /* 20-b is applied last */
        ck_assert_uint_eq(s->limit.burst, 30);          /* one second of the final rate */
        ck_assert_uint_eq(s->line, 1);
        ck_assert_uint_eq(s->file, 0);
        ck_assert_uint_eq(p->global.tokens, 7);         /* [Daemon] first set by a drop-in */
}
END_TEST

/* A name in /etc masks it in /run and /usr/lib; /run masks /usr/lib. */
START_TEST(test_masking) {
        Tree t;
        char x[256], y[256], buf[256];
        _cleanup_(policy_freep) Policy *p = NULL;

        tree_init(&t);
        write_file(t.main, "[Cgroup x]\nPath=/x\n\n[Cgroup y]\nPath=/y\n\n[Cgroup z]\nPath=/z\nAllow=yes\n");
        dropin(&t, USR, "50-x.conf", "[Cgroup x]\nRate=1/s\n", buf, sizeof(buf));
        dropin(&t, RUN, "50-x.conf", "[Cgroup x]\nRate=2/s\n", buf, sizeof(buf));
        dropin(&t, ETC, "50-x.conf", "[Cgroup x]\nRate=3/s\n", x, sizeof(x));
        dropin(&t, USR, "60-y.conf", "[Cgroup y]\nRate=1/s\n", buf, sizeof(buf));
        dropin(&t, RUN, "60-y.conf", "[Cgroup y]\nRate=2/s\n", y, sizeof(y));
        /* A symlink to /dev/null masks and is not read. */
        dropin(&t, USR, "70-z.conf", "[Cgroup z]\nAllow=no\n", buf, sizeof(buf));
        snprintf(buf, sizeof(buf), "%s/70-z.conf", t.dirs[ETC]);
        ck_assert_int_eq(symlink("/dev/null", buf), 0);
        /* Neither hidden files nor other names nor directories are read. */
        dropin(&t, ETC, ".80-hidden.conf", "garbage\n", buf, sizeof(buf));
        dropin(&t, ETC, "80-backup.conf.orig", "garbage\n", buf, sizeof(buf));
        dropin(&t, ETC, "README", "garbage\n", buf, sizeof(buf));
        dropin(&t, ETC, ".conf", "garbage\n", buf, sizeof(buf));
        snprintf(buf, sizeof(buf), "%s/90-dir.conf", t.dirs[ETC]);
        ck_assert_int_eq(mkdir(buf, 0755), 0);
        p = load_tree(&t);
        tree_done(&t);

        ck_assert_uint_eq(p->n_files, 3);
        ck_assert_str_eq(p->files[0], t.main);
        ck_assert_str_eq(p->files[1], x);
        ck_assert_str_eq(p->files[2], y);
        ck_assert_uint_eq(find(p, "x")->limit.tokens, 3);
        ck_assert_uint_eq(find(p, "y")->limit.tokens, 2);
        ck_assert(find(p, "z")->allow);
}
END_TEST

/* A later file changes keys of an earlier section; the rest stays. */
START_TEST(test_merge) {
        Tree t;
        char buf[256];
        _cleanup_(policy_freep) Policy *p = NULL;
        const PolicySection *s;
        PolicyMatch m;
        size_t i;

        tree_init(&t);
        write_file(t.main,
                   "[Cgroup a]\nPath=/a\nAllow=no\nRate=10/s\nBurst=3\nUsers=0\n\n"
                   "[Cgroup b]\nPath=/b\nRate=10/s\n\n"
                   "[Cgroup c]\nPath=/c\nAllow=yes\n");
        dropin(&t, ETC, "10.conf",
               "[Cgroup a]\nAllow=yes\nRate=20/s\n\n"
               "[Cgroup b]\nRate=100/s\n\n"
               "[Cgroup new]\nPath=/a/new\nAllow=yes\n", buf, sizeof(buf));
        /* Paths may move: /c becomes /c2, and /c is free for another section. */
        dropin(&t, USR, "20.conf",
               "[Cgroup c]\nPath=/c2\nUsers=1000 root\n\n[Cgroup d]\nPath=/c\n", buf, sizeof(buf));
        p = load_tree(&t);
        tree_done(&t);

        ck_assert_uint_eq(p->n_sections, 6);            /* [Default] a b c new d */
        s = find(p, "a");
        ck_assert(s->allow);
        ck_assert_str_eq(s->path, "/a");
        ck_assert_uint_eq(s->limit.tokens, 20);
        ck_assert_uint_eq(s->limit.burst, 3);           /* the explicit Burst= stays */
        ck_assert_uint_eq(s->n_users, 1);
        ck_assert_uint_eq(s->line, 1);                  /* where it was introduced */
        ck_assert_uint_eq(s->file, 0);
        s = find(p, "b");
        ck_assert_uint_eq(s->limit.tokens, 100);
        ck_assert_uint_eq(s->limit.burst, 100);         /* the default follows the final rate */
        s = find(p, "new");
        ck_assert_uint_eq(s->file, 1);
        ck_assert_uint_eq(s->line, 8);
        s = find(p, "c");
        ck_assert_str_eq(s->path, "/c2");
        ck_assert_uint_eq(s->depth, 1);
        ck_assert_uint_eq(s->n_users, 2);               /* replaced, not appended */
        ck_assert_uint_eq(s->users[0], 1000);
        ck_assert_uint_eq(s->users[1], 0);

        policy_match(p, "/a/new/x", &m);
        ck_assert_uint_eq(m.n_chain, 2);
        ck_assert_int_eq(policy_find_label(p, "new", &i), 0);
        ck_assert_uint_eq(m.chain[0], i);
        policy_match(p, "/c", &m);
        ck_assert_int_eq(policy_find_label(p, "d", &i), 0);
        ck_assert_uint_eq(m.chain[0], i);
        policy_match(p, "/c2", &m);
        ck_assert_int_eq(policy_find_label(p, "c", &i), 0);
        ck_assert_uint_eq(m.chain[0], i);
        ck_assert_int_eq(policy_check(p, &m, false, 0, NULL, 0), 0);
        ck_assert_int_eq(policy_check(p, &m, false, 1, NULL, 0), POLICY_E_USER_DENIED);
}
END_TEST

/* Within one file a repeated label, section, key or Path= is still an error. */
static const struct {
        const char *data;
        unsigned line;
        const char *key;
        const char *message;
} dup_cases[] = {
        { "[Cgroup a]\nAllow=yes\n[Cgroup a]\nAllow=no\n",  3, "", "duplicate section label 'a' (first defined on line 1)" },
        { "[Default]\nAllow=yes\n[Default]\nRate=1/s\n",    3, "", "duplicate section [Default] (first on line 1)" },
        { "[Daemon]\nGlobalRate=1/s\n[Daemon]\n",           3, "", "duplicate section [Daemon] (first on line 1)" },
        { "[Cgroup a]\nRate=1/s\nRate=2/s\n",                3, "Rate", "duplicate key Rate= (first set on line 2)" },
        { "[Cgroup n]\nPath=/n\n[Cgroup m]\nPath=/n\n",      4, "Path", "duplicate Path=/n (already used by [Cgroup n] on line 2)" },
};

START_TEST(test_dup_in_dropin) {
        Tree t;
        char bad[256];

        tree_init(&t);
        write_file(t.main, "[Cgroup a]\nPath=/a\n\n[Default]\n\n[Daemon]\n");
        dropin(&t, RUN, "50-dup.conf", dup_cases[_i].data, bad, sizeof(bad));
        load_tree_bad(&t, bad, dup_cases[_i].line, dup_cases[_i].key, dup_cases[_i].message);
        tree_done(&t);
}
END_TEST

/* The error names the file it is in. */
START_TEST(test_error_file) {
        Tree t;
        char ok[256], bad[256], msg[512];

        tree_init(&t);
        write_file(t.main, "[Cgroup a]\nPath=/x\nRate=10/s\nBurst=5\n");
        dropin(&t, ETC, "10-ok.conf", "[Cgroup a]\nAllow=yes\n", ok, sizeof(ok));

        dropin(&t, USR, "20-bad.conf", "[Cgroup a]\nAllow=maybe\n", bad, sizeof(bad));
        load_tree_bad(&t, bad, 2, "Allow", "invalid boolean Allow=maybe");

        /* Path= taken by a section of another file. */
        dropin(&t, USR, "20-bad.conf", "\n[Cgroup b]\nPath=/x\n", bad, sizeof(bad));
        snprintf(msg, sizeof(msg), "duplicate Path=/x (already used by [Cgroup a] in %s on line 2)", t.main);
        load_tree_bad(&t, bad, 3, "Path", msg);

        /* A new section needs its Path= in the file that introduces it. */
        dropin(&t, USR, "20-bad.conf", "[Cgroup b]\nAllow=yes\n", bad, sizeof(bad));
        load_tree_bad(&t, bad, 1, "", "section [Cgroup b] has no Path=");

        /* Making the rate unlimited leaves the earlier Burst= without one. */
        dropin(&t, USR, "20-bad.conf", "[Cgroup a]\nRate=unlimited\n", bad, sizeof(bad));
        load_tree_bad(&t, bad, 2, "Rate", "a burst needs a rate limit (Rate= is unset or unlimited)");

        /* ':' in a drop-in. */
        dropin(&t, USR, "20-bad.conf", "[Cgroup a]\nAllow:yes\n", bad, sizeof(bad));
        load_tree_bad(&t, bad, 2, "Allow", "':' after key Allow");

        /* An error in the main file stops before the drop-ins. */
        write_file(t.main, "[Cgroup a]\nPath=/x\nUsers=no-such-user-flushd\n");
        load_tree_bad(&t, t.main, 3, "Users", "unknown user 'no-such-user-flushd' in Users=");

        /* An unreadable main file. */
        ck_assert_int_eq(unlink(t.main), 0);
        {
                _cleanup_(policy_freep) Policy *p = NULL;
                PolicyError error = {};

                ck_assert_int_eq(policy_load_paths(t.main, t.dir_ptrs, 3, &p, &error), -ENOENT);
                ck_assert_ptr_null(p);
                ck_assert_str_eq(error.file, t.main);
                ck_assert_uint_eq(error.line, 0);
                ck_assert_ptr_nonnull(strstr(error.message, "cannot open"));
        }
        tree_done(&t);
}
END_TEST

/* Missing directories are fine; no main file reads drop-ins only. */
START_TEST(test_missing_dirs) {
        static const char *const none[] = { "/nonexistent/flushd.conf.d", "/nonexistent2" };
        Tree t;
        char a[256];
        _cleanup_(policy_freep) Policy *p = NULL, *q = NULL;
        PolicyError error = {};

        tree_init(&t);
        write_file(t.main, "[Default]\nAllow=yes\n");
        ck_assert_int_eq(policy_load_paths(t.main, none, ELEMENTSOF(none), &p, &error), 0);
        ck_assert_uint_eq(p->n_files, 1);
        ck_assert(policy_section(p, POLICY_DEFAULT)->allow);

        dropin(&t, RUN, "a.conf", "[Default]\nRate=5/s\n", a, sizeof(a));
        ck_assert_int_eq(policy_load_paths(NULL, t.dir_ptrs, 3, &q, &error), 0);
        tree_done(&t);
        ck_assert_ptr_null(q->file);
        ck_assert_uint_eq(q->n_files, 1);
        ck_assert_str_eq(q->files[0], a);
        ck_assert(!policy_section(q, POLICY_DEFAULT)->allow);
        ck_assert_uint_eq(policy_section(q, POLICY_DEFAULT)->limit.tokens, 5);
}
END_TEST

/* A drop-in directory that cannot be read is an error naming it. */
START_TEST(test_dir_not_a_dir) {
        Tree t;
        char d[256];
        const char *dirs[1] = { d };
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};

        tree_init(&t);
        write_file(t.main, "[Default]\n");
        snprintf(d, sizeof(d), "%s/file", t.root);
        write_file(d, "");
        ck_assert_int_eq(policy_load_paths(t.main, dirs, 1, &p, &error), -ENOTDIR);
        tree_done(&t);
        ck_assert_ptr_null(p);
        ck_assert_str_eq(error.file, d);
        ck_assert_ptr_nonnull(strstr(error.message, "cannot read directory"));
}
END_TEST

Suite *policy_dropin_suite(void) {
        Suite *s = suite_create("policy-dropin");
        TCase *tc = tcase_create("dropin");

        tcase_add_test(tc, test_order);
        tcase_add_test(tc, test_masking);
        tcase_add_test(tc, test_merge);
        tcase_add_loop_test(tc, test_dup_in_dropin, 0, ELEMENTSOF(dup_cases));
        tcase_add_test(tc, test_error_file);
        tcase_add_test(tc, test_missing_dirs);
        tcase_add_test(tc, test_dir_not_a_dir);
        suite_add_tcase(s, tc);
        return s;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-flushctl-doc.c - every flushctl verb and option is documented
 *
 * The verbs and options are taken from "flushctl --help" (which flushctl
 * builds from the same tables its parser uses) and looked for in
 * flushctl(1), in the bash completion and in each verb's own --help; the
 * verbs flushctl(1) and the completion list must all be real ones, so a
 * removed verb cannot linger in the documentation either. Plain text
 * search, as grep would do it. The EXAMPLE of libflushd(3) is extracted
 * and compiled against client/flushd.h, so it stays a valid program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-flush1.h"
#include "tests.h"
#include "util/macro.h"

#define MAX_WORDS 64

typedef struct Words {
        char *word[MAX_WORDS];
        size_t n;
} Words;

static char *file_read(const char *path) {
        FILE *f = fopen(path, "re");
        char *s = NULL;
        size_t size = 0;

        ck_assert_msg(f, "cannot open %s", path);
        ck_assert_int_ge(getdelim(&s, &size, '\0', f), 1);
        fclose(f);
        return s;
}

static bool words_has(const Words *w, const char *s) {
        for (size_t i = 0; i < w->n; i++)
                if (strcmp(w->word[i], s) == 0)
                        return true;
        return false;
}

static void words_add(Words *w, const char *s, size_t len) {
        char *t = strndup(s, len);

        ck_assert_ptr_nonnull(t);
        if (words_has(w, t) || w->n >= MAX_WORDS) {
                free(t);
                return;
        }
        w->word[w->n++] = t;
}

static void words_free(Words *w) {
        for (size_t i = 0; i < w->n; i++)
                free(w->word[i]);
        w->n = 0;
}

/* The verbs of "Commands:" (lines "  verb ...") and every "--option" of help. */
static void help_parse(const char *help, Words *verbs, Words *opts) {
        const char *p = strstr(help, "\nCommands:\n"), *end = strstr(help, "\nOptions:\n");

        ck_assert_ptr_nonnull(p);
        ck_assert_ptr_nonnull(end);
        for (p = strchr(p + 1, '\n') + 1; p < end; p = strchr(p, '\n') + 1)
                if (p[0] == ' ' && p[1] == ' ' && p[2] >= 'a' && p[2] <= 'z')
                        words_add(verbs, p + 2, strcspn(p + 2, " \n"));

        for (p = help; (p = strstr(p, "--")); p += 2)
                if (p[2] >= 'a' && p[2] <= 'z')
                        words_add(opts, p + 2, strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-"));
}

/* "track-exec" as roff writes it: "track\-exec". */
static char *roff(const char *s) {
        char *r = malloc(strlen(s) * 2 + 1), *q = r;

        ck_assert_ptr_nonnull(r);
        for (; *s; s++) {
                if (*s == '-')
                        *q++ = '\\';
                *q++ = *s;
        }
        *q = '\0';
        return r;
}

/* The completion offers a verb exactly the options its --help shows. */
static void verb_completion_check(const char *completion, const char *verb, const char *vhelp) {
        Words from_help = {}, from_completion = {};
        char key[64], *line;
        const char *p;

        snprintf(key, sizeof(key), "[%s]=\"", verb);
        p = strstr(completion, key);
        ck_assert_ptr_nonnull(p);
        p += strlen(key);
        line = strndup(p, strcspn(p, "\""));
        ck_assert_ptr_nonnull(line);

        for (p = strstr(vhelp, "\nOptions:\n"); p && (p = strstr(p, "--")); p += 2)
                if (p[2] >= 'a' && p[2] <= 'z' && strncmp(p + 2, "help", 4) != 0)
                        words_add(&from_help, p + 2, strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-"));
        for (p = line; (p = strstr(p, "--")); p += 2)
                words_add(&from_completion, p + 2, strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-"));

        for (size_t k = 0; k < from_help.n; k++)
                ck_assert_msg(words_has(&from_completion, from_help.word[k]),
                              "the completion of '%s' lacks --%s", verb, from_help.word[k]);
        for (size_t k = 0; k < from_completion.n; k++)
                ck_assert_msg(words_has(&from_help, from_completion.word[k]),
                              "the completion of '%s' offers --%s, which it does not take", verb,
                              from_completion.word[k]);
        words_free(&from_help);
        words_free(&from_completion);
        free(line);
}

START_TEST(test_documented) {
        char *argv[] = { "--help", NULL };
        char *help = NULL, *man = file_read("man/flushctl.1");
        char *completion = file_read("client/flushctl.bash-completion");
        Words verbs = {}, opts = {};

        ck_assert_int_eq(run_flushctl(argv, &help), 0);
        help_parse(help, &verbs, &opts);
        ck_assert_uint_ge(verbs.n, 9);
        ck_assert_uint_ge(opts.n, 9);

        for (size_t i = 0; i < verbs.n; i++) {
                char *r = roff(verbs.word[i]), *vhelp = NULL, synopsis[128], completion_verb[128];
                char *vargv[] = { verbs.word[i], "--help", NULL };

                snprintf(synopsis, sizeof(synopsis), ".B flushctl %s", r);
                ck_assert_msg(strstr(man, synopsis), "flushctl(1) has no synopsis of '%s'", verbs.word[i]);
                snprintf(synopsis, sizeof(synopsis), ".B %s\n", r);
                ck_assert_msg(strstr(man, synopsis), "flushctl(1) does not describe '%s'", verbs.word[i]);
                snprintf(completion_verb, sizeof(completion_verb), "[%s]=", verbs.word[i]);
                ck_assert_msg(strstr(completion, completion_verb), "the completion lacks '%s'", verbs.word[i]);

                ck_assert_int_eq(run_flushctl(vargv, &vhelp), 0);
                ck_assert_msg(strncmp(vhelp, "flushctl ", 9) == 0 && strstr(vhelp, verbs.word[i]),
                              "'%s --help' does not show its usage", verbs.word[i]);
                verb_completion_check(completion, verbs.word[i], vhelp);
                free(vhelp);
                free(r);
        }

        for (size_t i = 0; i < opts.n; i++) {
                char *r = roff(opts.word[i]), needle[128];

                snprintf(needle, sizeof(needle), "\\-\\-%s", r);
                ck_assert_msg(strstr(man, needle), "flushctl(1) does not document --%s", opts.word[i]);
                snprintf(needle, sizeof(needle), "--%s", opts.word[i]);
                ck_assert_msg(strstr(completion, needle), "the completion lacks --%s", opts.word[i]);
                free(r);
        }

        /* no stale verbs in the manual's synopsis */
        for (const char *p = man; (p = strstr(p, "\n.B flushctl ")); p++) {
                char verb[64];
                size_t n = 0;

                for (const char *q = p + 13; *q && *q != ' ' && *q != '\n' && n + 1 < sizeof(verb); q++)
                        if (*q != '\\')
                                verb[n++] = *q;
                verb[n] = '\0';
                ck_assert_msg(words_has(&verbs, verb), "flushctl(1) lists unknown verb '%s'", verb);
        }

        /* every exit status of --help is in the manual */
        for (int status = 0; status <= 11; status++) {
                char needle[32];

                snprintf(needle, sizeof(needle), ".TP\n.B %d\n", status);
                ck_assert_msg(strstr(man, needle), "flushctl(1) lacks exit status %d", status);
        }

        words_free(&verbs);
        words_free(&opts);
        free(help);
        free(man);
        free(completion);
}
END_TEST

START_TEST(test_unknown_verb_and_option) {
        char *a[] = { "frobnicate", NULL };
        char *b[] = { "status", "--mark-all", NULL };
        char *c[] = { "top", "--iterations=0", NULL };
        char *d[] = { NULL };

        ck_assert_int_eq(run_flushctl(a, NULL), 2);
        ck_assert_int_eq(run_flushctl(b, NULL), 2);
        ck_assert_int_eq(run_flushctl(c, NULL), 2);
        ck_assert_int_eq(run_flushctl(d, NULL), 2);
}
END_TEST

/* The first .nf/.fi block after .SH EXAMPLE, with roff's escapes undone. */
static char *example_extract(const char *man) {
        const char *p = strstr(man, "\n.SH EXAMPLE\n"), *end;
        char *c, *q;

        ck_assert_ptr_nonnull(p);
        p = strstr(p, "\n.nf\n");
        ck_assert_ptr_nonnull(p);
        p += 5;
        end = strstr(p, "\n.fi\n");
        ck_assert_ptr_nonnull(end);

        c = q = malloc((size_t) (end - p) + 2);
        ck_assert_ptr_nonnull(c);
        for (; p <= end; p++) {
                if (p[0] == '\\' && p[1] == 'e') {
                        *q++ = '\\';
                        p++;
                } else if (p[0] == '\\' && p[1] == '-') {
                        *q++ = '-';
                        p++;
                } else
                        *q++ = *p;
        }
        *q = '\0';
        return c;
}

START_TEST(test_man_example_compiles) {
        char *man = file_read("man/libflushd.3"), *example = example_extract(man);
        char dir[] = "/tmp/flushd-example-XXXXXX", path[64], cmd[256];
        const char *cc = getenv("CC") ?: "cc";
        FILE *f;

        ck_assert_ptr_nonnull(strstr(example, "int main(void)"));
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/example.c", dir);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(example, f);
        fclose(f);

        snprintf(cmd, sizeof(cmd), "%s -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -Iclient %s", cc, path);
        ck_assert_msg(system(cmd) == 0, "the EXAMPLE of libflushd(3) does not compile: %s", cmd);

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
        free(example);
        free(man);
}
END_TEST

/* What the completion offers for the words (the last is the one completed). */
static char *complete(const char *words) {
        char cmd[512], *out = NULL;
        size_t size = 0;
        FILE *p;

        snprintf(cmd, sizeof(cmd),
                 "bash -c 'source client/flushctl.bash-completion; compopt() { :; }; "
                 "COMP_WORDS=(flushctl %s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                 "[[ \"%s\" == *\" \" ]] && COMP_WORDS+=(\"\") && COMP_CWORD=$((COMP_CWORD + 1)); "
                 "_flushctl; echo \"${COMPREPLY[*]}\"'", words, words);
        p = popen(cmd, "re");
        ck_assert_ptr_nonnull(p);
        ck_assert_int_ge(getdelim(&out, &size, '\0', p), 0);
        ck_assert_int_eq(pclose(p), 0);
        return out;
}

START_TEST(test_completion) {
        static const struct {
                const char *words;
                const char *expect;
        } cases[] = {
                { "ex",                  "explain\n" },
                { "st",                  "status stats\n" },
                { "top --it",            "--iterations=\n" },
                { "stats --",            "--help --bus= --json\n" },
                { "explain --a",         "--all-cpus\n" },
                { "--v",                 "--version\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *out = complete(cases[i].words);

                ck_assert_msg(strcmp(out, cases[i].expect) == 0, "completing '%s': '%s'", cases[i].words, out);
                free(out);
        }
}
END_TEST

Suite *flushctl_doc_suite(void) {
        Suite *s = suite_create("flushctl-doc");
        TCase *tc = tcase_create("doc");

        tcase_add_test(tc, test_documented);
        tcase_add_test(tc, test_unknown_verb_and_option);
        tcase_add_test(tc, test_man_example_compiles);
        tcase_add_test(tc, test_completion);
        suite_add_tcase(s, tc);
        return s;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl.c - command-line client of flushd: parse, dispatch, help
 *
 * flushctl is a thin shell over libflushd for workloads, scripts and
 * administrators. This file only knows the command line: one table of
 * options and one table of verbs (name, synopsis, summary, accepted
 * options, positional arguments, the function that runs it), from which
 * both the parser and every --help text are made, so a verb cannot accept
 * an option its help does not show. Options may come before or after the
 * verb; parsing stops at the command track-exec runs, whose options are its
 * own. Every outcome libflushd distinguishes has its own exit status
 * (flushctl-common.c), so a script can tell denied from throttled from
 * broken without parsing messages.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flushctl.h"

#ifndef FLUSHD_VERSION
#error "FLUSHD_VERSION must be defined by the build"
#endif

enum {
        ARG_VERSION = 0x100,
        ARG_FD,
        ARG_ALL_CPUS,
        ARG_NO_INVALIDATE,
        ARG_BUS,
        ARG_MARK_ALL,
        ARG_JSON,
        ARG_ITERATIONS,
};

#define OPT(arg) (1u << ((arg) - ARG_VERSION))
#define OPTS_BUS (OPT(ARG_BUS) | OPT(ARG_JSON))

static const struct option options[] = {
        { "help",          no_argument,       NULL, 'h'               },
        { "version",       no_argument,       NULL, ARG_VERSION       },
        { "fd",            required_argument, NULL, ARG_FD            },
        { "all-cpus",      no_argument,       NULL, ARG_ALL_CPUS      },
        { "no-invalidate", no_argument,       NULL, ARG_NO_INVALIDATE },
        { "bus",           required_argument, NULL, ARG_BUS           },
        { "mark-all",      no_argument,       NULL, ARG_MARK_ALL      },
        { "json",          no_argument,       NULL, ARG_JSON          },
        { "iterations",    required_argument, NULL, ARG_ITERATIONS    },
        {}
};

/* The help line of each option, by its ARG_*. */
static const struct {
        int arg;
        const char *usage;
        const char *text;
} option_help[] = {
        { ARG_FD,            "--fd=N",          "Use the inherited iommufd N, not a new /dev/iommu" },
        { ARG_ALL_CPUS,      "--all-cpus",      "Write back every online CPU (policy permitting)" },
        { ARG_NO_INVALIDATE, "--no-invalidate", "Write back without invalidating, where possible" },
        { ARG_BUS,           "--bus=ADDRESS",   "Use the D-Bus ADDRESS, not the system bus" },
        { ARG_MARK_ALL,      "--mark-all",      "Count every CPU dirty once, covering writes made\n"
                                                "before tracking started" },
        { ARG_JSON,          "--json",          "Print JSON (one document; JSON lines for top)" },
        { ARG_ITERATIONS,    "--iterations=N",  "Stop after N samples (default: until q or ^C)" },
};

typedef enum Positional {
        POSITIONAL_NONE,
        POSITIONAL_COMMAND,     /* CMD [ARG...], required */
        POSITIONAL_FILES,       /* [FILE...] */
} Positional;

typedef struct Verb {
        const char *name;
        const char *synopsis;   /* after the verb's options */
        const char *summary;
        unsigned options;       /* OPT() of the options the verb accepts */
        Positional positional;
        int (*run)(const Args *args);
} Verb;

static const Verb verbs[] = {
        { "flush", "",
          "Write back the CPUs the threads tracked on an iommufd\n"
          "ran on; prints: flushed=N coalesced=N nsec=N",
          OPT(ARG_FD) | OPT(ARG_ALL_CPUS) | OPT(ARG_NO_INVALIDATE) | OPTS_BUS,
          POSITIONAL_NONE, verb_flush },
        { "track-exec", "CMD [ARG...]",
          "Track this thread on an iommufd and execute CMD, with\n"
          "$FLUSHD_IOMMUFD set to the iommufd's number",
          OPT(ARG_FD) | OPT(ARG_MARK_ALL),
          POSITIONAL_COMMAND, verb_track_exec },
        { "explain", "",
          "Show what a flush with these flags would get now, and\n"
          "why (no charge)",
          OPT(ARG_ALL_CPUS) | OPT(ARG_NO_INVALIDATE) | OPTS_BUS,
          POSITIONAL_NONE, verb_explain },
        { "quota", "",
          "Show the caller's limits and what is left of them",
          OPTS_BUS, POSITIONAL_NONE, verb_quota },
        { "status", "",
          "Show the daemon's version, kernel support, policy\n"
          "files and counters",
          OPTS_BUS, POSITIONAL_NONE, verb_status },
        { "stats", "",
          "Show every policy section's counters and buckets\n"
          "(root)",
          OPTS_BUS, POSITIONAL_NONE, verb_stats },
        { "top", "",
          "Show the sections' activity live, refreshed each\n"
          "second (root)",
          OPTS_BUS | OPT(ARG_ITERATIONS), POSITIONAL_NONE, verb_top },
        { "reload", "",
          "Make the daemon re-read its policy files (root)",
          OPT(ARG_BUS), POSITIONAL_NONE, verb_reload },
        { "check-config", "[FILE...]",
          "Check policy files with the daemon's own parser\n"
          "(default: its configuration); runs $FLUSHD or the\n"
          "installed flushd",
          OPT(ARG_JSON), POSITIONAL_FILES, verb_check_config },
};

static const char exit_help[] =
        "Exit status:\n"
        "  0 success            4 QuotaExceeded   8 InvalidArgs\n"
        "  1 other failure      5 InvalidFd       9 flushd not on the bus\n"
        "  2 usage error        6 NotSupported   10 KernelError\n"
        "  3 AccessDenied,      7 Busy           11 InvalidPolicy\n"
        "    also by the bus policy\n"
        "  Once track-exec has executed CMD, the exit status is CMD's.\n";

/* Prints text with each line after the first indented to column 24. */
static void print_indented(const char *text) {
        for (const char *p = text; *p; p++) {
                fputc(*p, stdout);
                if (*p == '\n' && p[1])
                        fputs("                        ", stdout);
        }
        fputc('\n', stdout);
}

static void options_print(unsigned mask) {
        for (size_t i = 0; i < ELEMENTSOF(option_help); i++)
                if (mask & OPT(option_help[i].arg)) {
                        printf("     %-18s ", option_help[i].usage);
                        print_indented(option_help[i].text);
                }
}

static int help(const Verb *verb) {
        const char *name = program_invocation_short_name;

        if (verb) {
                printf("%s %s [OPTIONS...]%s%s\n\n", name, verb->name,
                       *verb->synopsis ? " " : "", verb->synopsis);
                print_indented(verb->summary);
                printf("\nOptions:\n"
                       "  -h --help             Show this help\n");
                options_print(verb->options);
                printf("\n%s", exit_help);
                return EXIT_SUCCESS;
        }

        printf("%s [OPTIONS...] COMMAND ...\n\n"
               "Ask flushd to write back CPU caches before no-snoop DMA, and look into\n"
               "its policy.\n\n"
               "Commands:\n", name);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                char head[64];

                snprintf(head, sizeof(head), "%s%s%s", verbs[i].name,
                         *verbs[i].synopsis ? " " : "", verbs[i].synopsis);
                if (strlen(head) > 21)
                        printf("  %s\n                        ", head);
                else
                        printf("  %-21s ", head);
                print_indented(verbs[i].summary);
        }
        printf("\nOptions:\n"
               "  -h --help             Show this help (COMMAND --help: the command's)\n"
               "     --version          Show package version\n");
        options_print(~0u);
        printf("\n%s", exit_help);
        return EXIT_SUCCESS;
}

static int usage_hint(void) {
        fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
        return EXIT_USAGE;
}

_printf_(1, 2)
static int usage_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_errorv(fmt, ap);
        va_end(ap);
        return usage_hint();
}

static const char *option_name(unsigned bit) {
        for (const struct option *o = options; o->name; o++)
                if (o->val >= ARG_VERSION && OPT(o->val) == bit)
                        return o->name;
        return "?";
}

/* A decimal number: digits only, no sign, no trailing text, at most max. */
static int parse_number(const char *s, long max, long *ret) {
        char *end;
        long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > max)
                return -EINVAL;

        *ret = v;
        return 0;
}

static const Verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

/*
 * Returns a negative number to go on with *ret_verb and args filled in, or
 * the exit status to leave with (help, version, usage error).
 */
static int parse_argv(int argc, char *argv[], const Verb **ret_verb, Args *args) {
        const Verb *verb = NULL;
        bool want_help = false;
        long v;
        int c;

        /* "+": stop at the first non-option, which is the verb, then CMD or FILE. */
        for (;;) {
                c = getopt_long(argc, argv, "+h", options, NULL);
                if (c < 0) {
                        if (optind >= argc || verb)
                                break;

                        verb = verb_find(argv[optind]);
                        if (!verb)
                                return usage_error("unknown command '%s'", argv[optind]);
                        optind++;
                        continue;
                }

                if (c >= ARG_VERSION)
                        args->seen |= OPT(c);

                switch (c) {
                case 'h':
                        want_help = true;
                        break;
                case ARG_VERSION:
                        printf("flushctl " FLUSHD_VERSION "\n");
                        return EXIT_SUCCESS;
                case ARG_FD:
                        if (parse_number(optarg, INT_MAX, &v) < 0)
                                return usage_error("invalid file descriptor number '%s'", optarg);
                        args->fd = (int) v;
                        break;
                case ARG_ALL_CPUS:
                        args->flush_flags |= FLUSHD_FLUSH_ALL_CPUS;
                        break;
                case ARG_NO_INVALIDATE:
                        args->flush_flags |= FLUSHD_FLUSH_NO_INVALIDATE;
                        break;
                case ARG_BUS:
                        args->bus_address = optarg;
                        break;
                case ARG_MARK_ALL:
                        args->track_flags |= FLUSHD_TRACK_MARK_ALL;
                        break;
                case ARG_JSON:
                        args->json = true;
                        break;
                case ARG_ITERATIONS:
                        if (parse_number(optarg, INT_MAX, &v) < 0 || v == 0)
                                return usage_error("--iterations= takes a positive number, not '%s'", optarg);
                        args->iterations = (unsigned) v;
                        break;
                default:        /* getopt_long() has printed the reason */
                        return usage_hint();
                }
        }

        if (want_help)
                return help(verb);
        if (!verb)
                return usage_error("missing command");

        for (unsigned bit = 1; bit != 0; bit <<= 1)
                if ((args->seen & bit) && !(verb->options & bit))
                        return usage_error("--%s is not an option of '%s'", option_name(bit), verb->name);

        args->command = argv + optind;
        if (verb->positional == POSITIONAL_COMMAND && optind >= argc)
                return usage_error("%s needs a command to execute", verb->name);
        if (verb->positional == POSITIONAL_NONE && optind < argc)
                return usage_error("unexpected argument '%s'", argv[optind]);

        *ret_verb = verb;
        return -1;
}

int main(int argc, char *argv[]) {
        Args args = { .fd = -EBADF };
        const Verb *verb = NULL;
        int r;

        r = parse_argv(argc, argv, &verb, &args);
        if (r >= 0)
                return r;

        return verb->run(&args);
}

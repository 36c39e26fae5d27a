/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl.c - command-line client of flushd: flush, track-exec
 *
 * flushctl is a thin shell over libflushd for scripts and tests. "track-exec"
 * opens /dev/iommu, starts tracking its own (only) thread and executes a
 * command in place, so the command runs tracked and inherits the iommufd as
 * $FLUSHD_IOMMUFD; "flush" hands such an inherited fd to flushd and prints
 * one parseable line. Every outcome flushd distinguishes gets its own exit
 * status, so a script can tell denied from throttled from broken without
 * parsing messages. Options may come before or after the verb; parsing stops
 * at the command track-exec runs, whose options are its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flushd.h"
#include "util/macro.h"

#ifndef FLUSHD_VERSION
#error "FLUSHD_VERSION must be defined by the build"
#endif

#define IOMMU_DEVICE "/dev/iommu"

#define _printf_(a, b) __attribute__((format(printf, a, b)))

DEFINE_TRIVIAL_CLEANUP_FUNC(FlushdClient *, flushd_close);

enum {
        EXIT_USAGE = 2,
        EXIT_NO_DAEMON = 9,
};

/* One exit status per outcome flushd tells apart; anything else is EXIT_FAILURE. */
static const struct {
        int code;
        int status;
} exit_map[] = {
        { FLUSHD_E_ACCESS_DENIED,  3 },
        { FLUSHD_E_QUOTA_EXCEEDED, 4 },
        { FLUSHD_E_INVALID_FD,     5 },
        { FLUSHD_E_NOT_SUPPORTED,  6 },
        { FLUSHD_E_BUSY,           7 },
        { FLUSHD_E_INVALID_ARGS,   8 },
        { FLUSHD_E_NO_DAEMON,      EXIT_NO_DAEMON },
        { FLUSHD_E_KERNEL,         10 },
};

enum {
        ARG_VERSION = 0x100,
        ARG_FD,
        ARG_ALL_CPUS,
        ARG_NO_INVALIDATE,
        ARG_BUS,
        ARG_MARK_ALL,
};

#define OPT(arg) (1u << ((arg) - ARG_VERSION))

static const struct option options[] = {
        { "help",          no_argument,       NULL, 'h'               },
        { "version",       no_argument,       NULL, ARG_VERSION       },
        { "fd",            required_argument, NULL, ARG_FD            },
        { "all-cpus",      no_argument,       NULL, ARG_ALL_CPUS      },
        { "no-invalidate", no_argument,       NULL, ARG_NO_INVALIDATE },
        { "bus",           required_argument, NULL, ARG_BUS           },
        { "mark-all",      no_argument,       NULL, ARG_MARK_ALL      },
        {}
};

typedef struct Args {
        int fd;                 /* --fd=N, or -EBADF */
        uint64_t flush_flags;   /* FLUSHD_FLUSH_* */
        unsigned track_flags;   /* FLUSHD_TRACK_* */
        const char *bus_address;
        unsigned seen;          /* OPT() of every option given */
        char **command;         /* the words after the verb's options */
} Args;

typedef struct Verb {
        const char *name;
        unsigned options;       /* OPT() of the options the verb accepts */
        bool takes_command;
        int (*run)(const Args *args);
} Verb;

static int help(void) {
        printf("%s [OPTIONS...] COMMAND ...\n\n"
               "Ask flushd to write back CPU caches before no-snoop DMA.\n\n"
               "Commands:\n"
               "  flush                 Write back the CPUs that the threads tracked on an\n"
               "                        iommufd ran on; prints: flushed=N coalesced=N nsec=N\n"
               "  track-exec CMD [ARG...]\n"
               "                        Track this thread on an iommufd and execute CMD,\n"
               "                        with $FLUSHD_IOMMUFD set to the iommufd's number\n\n"
               "Options:\n"
               "  -h --help             Show this help\n"
               "     --version          Show package version\n"
               "     --fd=N             Use the inherited iommufd N instead of opening "
               IOMMU_DEVICE "\n"
               "     --all-cpus         flush: write back every online CPU (policy permitting)\n"
               "     --no-invalidate    flush: write back without invalidating, where possible\n"
               "     --bus=ADDRESS      flush: use the D-Bus ADDRESS, not the system bus\n"
               "     --mark-all         track-exec: count every CPU dirty once, covering\n"
               "                        writes made before tracking started\n\n"
               "Exit status:\n"
               "  0 success            3 AccessDenied    6 NotSupported   9 flushd not on the bus\n"
               "  1 other failure      4 QuotaExceeded   7 Busy\n"
               "  2 usage error        5 InvalidFd       8 InvalidArgs\n"
               "  Once track-exec has executed CMD, the exit status is CMD's.\n",
               program_invocation_short_name);
        return EXIT_SUCCESS;
}

static int usage_hint(void) {
        fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
        return EXIT_USAGE;
}

_printf_(1, 2)
static int usage_error(const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s: ", program_invocation_short_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return usage_hint();
}

static int exit_status_from(int r) {
        for (size_t i = 0; i < ELEMENTSOF(exit_map); i++)
                if (-r == exit_map[i].code)
                        return exit_map[i].status;
        return EXIT_FAILURE;
}

static const char *option_name(unsigned bit) {
        for (const struct option *o = options; o->name; o++)
                if (o->val >= ARG_VERSION && OPT(o->val) == bit)
                        return o->name;
        return "?";
}

/* A decimal fd number: digits only, no sign, no trailing text. */
static int parse_fd(const char *s, int *ret) {
        char *end;
        long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > INT_MAX)
                return -EINVAL;

        *ret = (int) v;
        return 0;
}

/* The iommufd a verb works on: --fd=N if it is open, else a fresh /dev/iommu. */
static int iommufd_acquire(const Args *args, int open_flags, int *ret_owned) {
        int fd, r;

        if (args->fd >= 0) {
                if (fcntl(args->fd, F_GETFD) < 0) {
                        r = -errno;
                        fprintf(stderr, "%s: --fd=%d: not an open file descriptor: %s\n",
                                program_invocation_short_name, args->fd, flushd_strerror(r));
                        return r;
                }
                return args->fd;
        }

        fd = open(IOMMU_DEVICE, O_RDWR | open_flags);
        if (fd < 0) {
                r = -errno;
                fprintf(stderr, "%s: Failed to open " IOMMU_DEVICE ": %s\n",
                        program_invocation_short_name, flushd_strerror(r));
                return r;
        }
        *ret_owned = fd;
        return fd;
}

static int verb_flush(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_free_ char *error_name = NULL, *error_message = NULL;
        _cleanup_close_ int owned_fd = -EBADF;
        FlushdResult result;
        int fd, r;

        fd = iommufd_acquire(args, O_CLOEXEC, &owned_fd);
        if (fd < 0)
                return EXIT_FAILURE;

        if (args->bus_address)
                r = flushd_open_address(&client, args->bus_address);
        else
                r = flushd_open(&client);
        if (r < 0) {
                fprintf(stderr, "%s: Failed to connect to %s: %s\n", program_invocation_short_name,
                        args->bus_address ?: "the system bus", flushd_strerror(r));
                return EXIT_FAILURE;
        }

        r = flushd_flush_full(client, fd, args->flush_flags, &result, &error_name, &error_message);
        if (r < 0) {
                if (error_name)
                        fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
                                error_name, error_message ?: flushd_strerror(r));
                else
                        fprintf(stderr, "%s: Flush failed: %s\n", program_invocation_short_name,
                                flushd_strerror(r));
                return exit_status_from(r);
        }

        printf("flushed=%" PRIu32 " coalesced=%" PRIu32 " nsec=%" PRIu64 "\n",
               result.flushed, result.coalesced, result.nsec);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "%s: Failed to write the result: %m\n", program_invocation_short_name);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

static int verb_track_exec(const Args *args) {
        _cleanup_close_ int owned_fd = -EBADF;
        char number[12];
        int fd, flags, r;

        /* Without O_CLOEXEC: the command inherits the iommufd. */
        fd = iommufd_acquire(args, 0, &owned_fd);
        if (fd < 0)
                return EXIT_FAILURE;

        flags = fcntl(fd, F_GETFD);
        if (flags < 0 || ((flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)) {
                fprintf(stderr, "%s: Failed to let fd %d survive exec: %m\n", program_invocation_short_name, fd);
                return EXIT_FAILURE;
        }

        r = flushd_track_thread(fd, args->track_flags);
        if (r < 0) {
                fprintf(stderr, "%s: Failed to start IOMMU_CACHE_WB_TRACK on fd %d: %s%s\n",
                        program_invocation_short_name, fd, flushd_strerror(r),
                        r == -ENOTTY ? " (kernel without flushd support, or not an iommufd)" : "");
                return EXIT_FAILURE;
        }

        (void) snprintf(number, sizeof(number), "%d", fd);
        if (setenv("FLUSHD_IOMMUFD", number, 1) < 0) {
                fprintf(stderr, "%s: Failed to set FLUSHD_IOMMUFD: %m\n", program_invocation_short_name);
                return EXIT_FAILURE;
        }

        execvp(args->command[0], args->command);
        fprintf(stderr, "%s: Failed to execute %s: %m\n", program_invocation_short_name, args->command[0]);
        return EXIT_FAILURE;
}

static const Verb verbs[] = {
        { "flush",      OPT(ARG_FD) | OPT(ARG_ALL_CPUS) | OPT(ARG_NO_INVALIDATE) | OPT(ARG_BUS),
          false, verb_flush },
        { "track-exec", OPT(ARG_FD) | OPT(ARG_MARK_ALL),
          true,  verb_track_exec },
};

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
        int c;

        /* "+": stop at the first non-option, which is the verb, then CMD. */
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
                        return help();
                case ARG_VERSION:
                        printf("flushctl " FLUSHD_VERSION "\n");
                        return EXIT_SUCCESS;
                case ARG_FD:
                        if (parse_fd(optarg, &args->fd) < 0)
                                return usage_error("invalid file descriptor number '%s'", optarg);
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
                default:        /* getopt_long() has printed the reason */
                        return usage_hint();
                }
        }

        if (!verb)
                return usage_error("missing command");

        for (unsigned bit = 1; bit != 0; bit <<= 1)
                if ((args->seen & bit) && !(verb->options & bit))
                        return usage_error("--%s is not an option of '%s'", option_name(bit), verb->name);

        args->command = argv + optind;
        if (verb->takes_command && optind >= argc)
                return usage_error("%s needs a command to execute", verb->name);
        if (!verb->takes_command && optind < argc)
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fairness.c - goal 3: a victim's p99 while another user floods flushd
 *
 * The controller (root) starts, through runas, one victim process (alice,
 * cgroup /V, allowed) and three flooders of another user (bob): one in a
 * cgroup flushd denies (/FD), one in a cgroup whose quota is spent after
 * one call (/FT: throttled), one sending Flush calls that expect no reply
 * (/FN, allowed), each with CONNS connections, one thread per connection.
 * The flooders run only while SIGCONT'd: rounds alternate an idle phase
 * (flooders stopped) and a flood phase (flooders running), and in each the
 * victim makes CALLS sequential calls on one connection (fewer if BUDGET_MS
 * runs out first, but at least 10: a starved victim must not stall the
 * bench) and reports its p99.
 * The figure is the median flood p99, the baseline the median idle p99,
 * the ratio the median of per-round ratios. Every request of every client
 * arrives at flushd over its one bus connection; a daemon that serves them
 * first come, first served makes the victim wait behind the flood.
 *
 * Subcommands: fairness ROUNDS CALLS CONNS BUDGET_MS [flushd|floor|direct [ID]]
 * (controller; ID names the figures, default "fairness": ID.p99, ID.p50,
 * and ID.floor.p99, ID.floor.p50 for the floor, ID.direct.p99 and
 * ID.direct.p50 for direct), flood KIND CONNS [DEST], victim CALLS
 * BUDGET_MS [DEST] (reads "run" lines on stdin, answers "P50_NS P99_NS
 * ERRORS CALLS"; a DEST that is a D-Bus address, "unix:...", is a
 * peer-to-peer server instead of a bus name).
 *
 * With "floor", victim and flooders call the bus floor (floor.c) instead:
 * the same calls over the same bus to a service that does nothing, so the
 * figure is what the bus alone lets a flood do to the victim; flushd
 * cannot be fairer than the bus that carries its requests. The floor
 * refuses nothing, so its flood is all answered calls.
 *
 * With "direct", the flood goes to the floor over the bus as with "floor",
 * but the victim calls the floor over its private socket (bench-floor
 * --listen=), with no bus daemon between: what is left of the victim's
 * delay is the load the flood puts on the machine's CPUs, which no service
 * on them can undo, however it is reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bus/flush1.h"
#include "util/macro.h"

#define NO_REPLY_BATCH 8
#define VICTIM_CALLS_MIN 10

typedef struct Child {
        pid_t pid;
        FILE *in;       /* its stdin, or NULL */
        FILE *out;      /* its stdout */
} Child;

static void child_done(Child *c) {
        if (c->pid > 0) {
                kill(c->pid, SIGKILL);
                (void) waitpid(c->pid, NULL, 0);
        }
        if (c->in)
                fclose(c->in);
        if (c->out)
                fclose(c->out);
        *c = (Child) {};
}

/* Runs argv with pipes on its stdin and stdout. */
static int child_spawn(Child *ret, char *const argv[]) {
        int in[2], out[2];
        pid_t pid;

        if (pipe2(in, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(out, O_CLOEXEC) < 0) {
                safe_close(in[0]);
                safe_close(in[1]);
                return -errno;
        }
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                _exit(127);
        }
        safe_close(in[0]);
        safe_close(out[1]);
        *ret = (Child) { .pid = pid, .in = fdopen(in[1], "w"), .out = fdopen(out[0], "r") };
        if (!ret->in || !ret->out)
                return -ENOMEM;
        return 0;
}

static int child_expect_ready(Child *c) {
        char line[64];

        if (!fgets(line, sizeof(line), c->out) || strcmp(line, "ready\n") != 0)
                return -EIO;
        return 0;
}

typedef struct Flooder {
        const char *dest;
        pthread_t thread;
        const char *kind;
} Flooder;

static int flood_noreply(sd_bus *bus, const char *dest, int fd) {
        for (unsigned i = 0; i < NO_REPLY_BATCH; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                int r;

                r = sd_bus_message_new_method_call(bus, &m, dest, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE,
                                                   "Flush");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ht", fd, UINT64_C(0));
                if (r >= 0)
                        r = sd_bus_message_set_expect_reply(m, 0);
                if (r >= 0)
                        r = sd_bus_send(bus, m, NULL);
                if (r < 0)
                        return r;
        }
        /* A round trip through the same queue paces the batch. */
        return sd_bus_call_method(bus, dest, FLUSH1_OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL,
                                  NULL, "");
}

static void *flooder_main(void *p) {
        Flooder *f = p;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

        if (fd < 0 || bench_bus_open(NULL, &bus) < 0)
                return NULL;
        for (;;) {
                if (strcmp(f->kind, "noreply") == 0)
                        (void) flood_noreply(bus, f->dest, fd);
                else
                        (void) bench_call_flush(bus, f->dest, fd, 0, NULL, NULL, NULL);
        }
        return NULL;
}

/* flood KIND CONNS [DEST]: never returns; the controller kills it. */
int bench_flood(int argc, char *argv[]) {
        _cleanup_free_ Flooder *f = NULL;
        unsigned conns;

        if (argc != 3 && argc != 4) {
                fprintf(stderr, "Usage: flushd-bench flood denied|throttled|noreply CONNS [DEST]\n");
                return EXIT_FAILURE;
        }
        conns = bench_arg_uint(argv[2], "CONNS");
        f = calloc(conns, sizeof(*f));
        if (!f)
                return EXIT_FAILURE;
        for (unsigned i = 0; i < conns; i++) {
                f[i].kind = argv[1];
                f[i].dest = argc == 4 ? argv[3] : FLUSH1_BUS_NAME;
                if (pthread_create(&f[i].thread, NULL, flooder_main, &f[i]) != 0)
                        return EXIT_FAILURE;
        }
        bench_sleep_ms(200);    /* let the connections come up */
        printf("ready\n");
        fflush(stdout);
        for (;;)
                pause();
}

/* victim CALLS BUDGET_MS [DEST] */
int bench_victim(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ uint64_t *lat = NULL;
        _cleanup_close_ int fd = -EBADF;
        unsigned calls, budget_ms;
        const char *dest;
        char line[64];
        int r;

        if (argc != 3 && argc != 4) {
                fprintf(stderr, "Usage: flushd-bench victim CALLS BUDGET_MS [DEST]\n");
                return EXIT_FAILURE;
        }
        dest = argc == 4 ? argv[3] : FLUSH1_BUS_NAME;
        calls = bench_arg_uint(argv[1], "CALLS");
        budget_ms = bench_arg_uint(argv[2], "BUDGET_MS");
        lat = calloc(calls, sizeof(*lat));
        fd = bench_open_iommufd();
        if (strncmp(dest, "unix:", 5) == 0) {
                r = bench_direct_open(dest, &bus);
                dest = NULL;
        } else
                r = bench_bus_open(NULL, &bus);
        if (!lat || r < 0)
                return EXIT_FAILURE;
        printf("ready\n");
        fflush(stdout);

        while (fgets(line, sizeof(line), stdin) && strcmp(line, "run\n") == 0) {
                uint64_t p50, p99, end = bench_now_ns() + (uint64_t) budget_ms * 1000000u;
                unsigned errors = 0, n = 0;

                /* calls, or fewer once the budget is spent, but at least VICTIM_CALLS_MIN */
                for (; n < calls && (n < VICTIM_CALLS_MIN || bench_now_ns() < end); n++) {
                        uint64_t t0 = bench_now_ns();

                        if (bench_call_flush(bus, dest, fd, 0, NULL, NULL, NULL) != 0)
                                errors++;
                        lat[n] = bench_now_ns() - t0;
                }
                p50 = bench_quantile(lat, n, 0.50);
                p99 = bench_quantile(lat, n, 0.99);
                printf("%llu %llu %u %u\n", (unsigned long long) p50, (unsigned long long) p99, errors, n);
                fflush(stdout);
        }
        return EXIT_SUCCESS;
}

static int victim_round(Child *victim, double *ret_p50, double *ret_p99, unsigned *ret_calls) {
        unsigned long long p50, p99;
        unsigned errors, n;
        char line[128];

        if (fputs("run\n", victim->in) < 0 || fflush(victim->in) != 0)
                return -EIO;
        if (!fgets(line, sizeof(line), victim->out) ||
            sscanf(line, "%llu %llu %u %u", &p50, &p99, &errors, &n) != 4)
                return -EIO;
        if (errors > 0)
                return -EPROTO;
        *ret_p50 = (double) p50 / 1e3;
        *ret_p99 = (double) p99 / 1e3;
        *ret_calls += n;
        return 0;
}

static void flooders_signal(Child *fl, size_t n, int sig) {
        for (size_t i = 0; i < n; i++)
                kill(fl[i].pid, sig);
}

/* Where the victim's and the flood's calls go, and what the figure shows. */
typedef struct Target {
        const char *mode, *suffix, *victim_dest, *flood_dest, *note;
} Target;

static const Target targets[] = {
        { "flushd", "", FLUSH1_BUS_NAME, FLUSH1_BUS_NAME, "denied, throttled, no-reply" },
        { "floor", ".floor", BENCH_FLOOR_NAME, BENCH_FLOOR_NAME,
          "the same calls to the bus floor: what the bus alone does to the victim" },
        { "direct", ".direct", BENCH_FLOOR_DIRECT_ADDRESS, BENCH_FLOOR_NAME,
          "the same calls to the bus floor, the victim's over the floor's private socket: what the flood's "
          "load alone does to a caller the bus does not delay" },
};

/* fairness ROUNDS CALLS CONNS BUDGET_MS [flushd|floor|direct [ID]] */
int bench_fairness(int argc, char *argv[]) {
        static const struct { const char *kind, *cgroup; } kinds[] = {
                { "denied",    "/FD" },
                { "throttled", "/FT" },
                { "noreply",   "/FN" },
        };
        _cleanup_free_ double *idle = NULL, *flood = NULL, *ratio = NULL, *idle50 = NULL, *flood50 = NULL;
        Child victim = {}, fl[ELEMENTSOF(kinds)] = {};
        unsigned rounds, calls, n_idle = 0, n_flood = 0;
        _cleanup_free_ char *id99 = NULL, *id50 = NULL;
        const Target *t = &targets[0];
        const char *id = "fairness";
        char *conns;
        int r = 0;

        if (argc >= 6) {
                t = NULL;
                for (size_t i = 0; i < ELEMENTSOF(targets); i++)
                        if (strcmp(argv[5], targets[i].mode) == 0)
                                t = &targets[i];
        }
        if (!t || argc < 5 || argc > 7) {
                fprintf(stderr, "Usage: flushd-bench fairness ROUNDS CALLS CONNS BUDGET_MS "
                                "[flushd|floor|direct [ID]]\n");
                return EXIT_FAILURE;
        }
        if (argc == 7)
                id = argv[6];
        if (asprintf(&id99, "%s%s.p99", id, t->suffix) < 0) {
                id99 = NULL;
                return EXIT_FAILURE;
        }
        if (asprintf(&id50, "%s%s.p50", id, t->suffix) < 0) {
                id50 = NULL;
                return EXIT_FAILURE;
        }
        rounds = bench_arg_uint(argv[1], "ROUNDS");
        calls = bench_arg_uint(argv[2], "CALLS");
        conns = argv[3];
        (void) bench_arg_uint(conns, "CONNS");
        (void) bench_arg_uint(argv[4], "BUDGET_MS");
        idle = calloc(rounds, sizeof(double));
        flood = calloc(rounds, sizeof(double));
        idle50 = calloc(rounds, sizeof(double));
        flood50 = calloc(rounds, sizeof(double));
        ratio = calloc(rounds, sizeof(double));
        if (!idle || !flood || !ratio || !idle50 || !flood50)
                return EXIT_FAILURE;

        r = child_spawn(&victim, (char *[]) { "runas", "alice", "/V", "flushd-bench", "victim", argv[2], argv[4],
                                              (char *) t->victim_dest, NULL });
        if (r >= 0)
                r = child_expect_ready(&victim);
        for (size_t i = 0; i < ELEMENTSOF(kinds) && r >= 0; i++) {
                r = child_spawn(&fl[i], (char *[]) { "runas", "bob", (char *) kinds[i].cgroup, "flushd-bench",
                                                     "flood", (char *) kinds[i].kind, conns, (char *) t->flood_dest,
                                                     NULL });
                if (r >= 0)
                        r = child_expect_ready(&fl[i]);
        }
        if (r < 0) {
                fprintf(stderr, "flushd-bench: fairness: starting the victim and flooders failed: %s\n",
                        strerror(-r));
                goto out;
        }
        flooders_signal(fl, ELEMENTSOF(fl), SIGSTOP);
        bench_sleep_ms(100);

        for (unsigned k = 0; k < rounds && r >= 0; k++) {
                for (int phase = 0; phase < 2 && r >= 0; phase++) {
                        bool flooding = (phase + k) % 2;

                        if (flooding) {
                                flooders_signal(fl, ELEMENTSOF(fl), SIGCONT);
                                bench_sleep_ms(100);    /* the flood reaches its steady state */
                                r = victim_round(&victim, &flood50[k], &flood[k], &n_flood);
                                flooders_signal(fl, ELEMENTSOF(fl), SIGSTOP);
                                bench_sleep_ms(300);    /* what was queued drains */
                        } else
                                r = victim_round(&victim, &idle50[k], &idle[k], &n_idle);
                }
                ratio[k] = flood[k] / idle[k];
        }
        if (r < 0) {
                fprintf(stderr, "flushd-bench: fairness: the victim's round failed: %s\n", strerror(-r));
                goto out;
        }

        bench_report(id99, bench_median(flood, rounds),
                     bench_median(idle, rounds), bench_median(ratio, rounds), "us", rounds, NULL,
                     "victim (alice, 1 connection, sequential calls: %u idle, %u under flood in all, at most "
                     "%u per phase and %s ms) while bob floods with 3 x %s connections (%s) vs the same victim "
                     "idle", n_idle, n_flood, calls, argv[4], conns,
                     t->note);
        bench_report(id50, bench_median(flood50, rounds),
                     bench_median(idle50, rounds), NAN, "us", rounds, NULL, "as the p99, medians");
out:
        child_done(&victim);
        for (size_t i = 0; i < ELEMENTSOF(fl); i++)
                child_done(&fl[i]);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench.c - flushd-bench: the guest-side benchmark programs, one subcommand each
 *
 * tests/vm/guest/bench.sh runs each subcommand as the user and in the
 * cgroup its benchmark needs; each prints FLUSHD-BENCH result lines (see
 * bench.h) that the host turns into the table. TCG timings are not
 * hardware timings: only ratios within one run mean anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "util/macro.h"

static const struct {
        const char *name;
        int (*run)(int argc, char *argv[]);
} commands[] = {
        { "mediation",   bench_mediation   },
        { "throughput",  bench_throughput  },
        { "fairness",    bench_fairness    },
        { "flood",       bench_flood       },
        { "victim",      bench_victim      },
        { "precision",   bench_precision   },
        { "coalesce",    bench_coalesce    },
        { "pingpong",    bench_pingpong    },
        { "churn",       bench_churn       },
        { "connections", bench_connections },
};

int main(int argc, char *argv[]) {
        if (argc >= 2)
                for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                        if (strcmp(argv[1], commands[i].name) == 0)
                                return commands[i].run(argc - 1, argv + 1);

        fprintf(stderr, "Usage: flushd-bench COMMAND [ARG...]\nCommands:");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(stderr, " %s", commands[i].name);
        fprintf(stderr, "\n");
        return EXIT_FAILURE;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host-policy.c - bench-policy: goal 7 (second half), policy load time and lookup cost
 *
 * Runs on the host against the daemon's own pure objects, through exactly
 * two calls of daemon/policy.h: policy_load() and policy_match(). It writes
 * policies of 10, 1,000, 4,096 (today's POLICY_SECTIONS_MAX) and 10,000
 * [Cgroup] sections, one cgroup each, and in every round (sizes in
 * rotating order) loads each file once and times lookups of a cgroup below
 * the middle section (batches of LOOKUPS, for at least 2 ms). Load time stands for reload too: a
 * reload is the same parse plus a pointer swap. A figure the daemon cannot
 * produce (a file it refuses) is reported as nan with its error.
 *
 * Usage: bench-policy ROUNDS LOOKUPS
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "policy.h"
#include "util/macro.h"

static const unsigned sizes[] = { 10, 1000, 4096, 10000 };
#define N_SIZES ELEMENTSOF(sizes)
#define LOOKUP_BUDGET_NS UINT64_C(2000000)

static int write_policy(const char *dir, unsigned n, char *path, size_t size) {
        FILE *f;

        snprintf(path, size, "%s/sections-%u.conf", dir, n);
        f = fopen(path, "we");
        if (!f)
                return -errno;
        fprintf(f, "[Daemon]\nGlobalRate=1000/s\n\n[Default]\nAllow=no\n");
        for (unsigned i = 0; i < n; i++)
                fprintf(f, "\n[Cgroup s%u]\nPath=/bench.slice/s%u.service\nAllow=yes\nRate=100/s\n", i, i);
        return fclose(f) == 0 ? 0 : -errno;
}

typedef struct SizeResult {
        double load_ms[64], lookup_ns[64];
        char error[POLICY_ERROR_MAX + 32];
} SizeResult;

static void measure(const char *file, unsigned n, unsigned lookups, unsigned round, SizeResult *res) {
        _cleanup_(policy_freep) Policy *p = NULL;
        PolicyError error = {};
        PolicyMatch m;
        char cgroup[96];
        uint64_t t0, t1, done;
        int r;

        t0 = bench_now_ns();
        r = policy_load(file, &p, &error);
        t1 = bench_now_ns();
        if (r != 0) {
                snprintf(res->error, sizeof(res->error), "line %u: %s", error.line, error.message);
                res->load_ms[round] = res->lookup_ns[round] = NAN;
                return;
        }
        res->load_ms[round] = (double) (t1 - t0) / 1e6;

        /* At least LOOKUPS lookups and at least LOOKUP_BUDGET_NS of them. */
        snprintf(cgroup, sizeof(cgroup), "/bench.slice/s%u.service/worker", n / 2);
        done = 0;
        t0 = bench_now_ns();
        do {
                for (unsigned i = 0; i < lookups; i++)
                        policy_match(p, cgroup, &m);
                done += lookups;
                t1 = bench_now_ns();
        } while (t1 - t0 < LOOKUP_BUDGET_NS);
        if (m.n_chain < 1 || !policy_section(p, m.chain[0])->label) {
                snprintf(res->error, sizeof(res->error), "lookup of %s found no [Cgroup] section", cgroup);
                res->lookup_ns[round] = NAN;
                return;
        }
        res->lookup_ns[round] = (double) (t1 - t0) / (double) done;
}

int main(int argc, char *argv[]) {
        char dir[] = "/tmp/flushd-bench-policy.XXXXXX", files[N_SIZES][256];
        _cleanup_free_ SizeResult *res = NULL;
        unsigned rounds, lookups;
        double load[N_SIZES], lookup[N_SIZES];

        if (argc != 3) {
                fprintf(stderr, "Usage: bench-policy ROUNDS LOOKUPS\n");
                return EXIT_FAILURE;
        }
        rounds = bench_arg_uint(argv[1], "ROUNDS");
        lookups = bench_arg_uint(argv[2], "LOOKUPS");
        if (rounds > ELEMENTSOF(res->load_ms))
                rounds = ELEMENTSOF(res->load_ms);
        res = calloc(N_SIZES, sizeof(*res));
        if (!res || !mkdtemp(dir))
                return EXIT_FAILURE;
        for (size_t i = 0; i < N_SIZES; i++)
                if (write_policy(dir, sizes[i], files[i], sizeof(files[i])) < 0) {
                        fprintf(stderr, "bench-policy: cannot write %s: %m\n", files[i]);
                        return EXIT_FAILURE;
                }

        for (unsigned k = 0; k < rounds; k++)
                for (size_t j = 0; j < N_SIZES; j++) {
                        size_t i = (j + k) % N_SIZES;

                        measure(files[i], sizes[i], lookups, k, &res[i]);
                }
        for (size_t i = 0; i < N_SIZES; i++) {
                load[i] = bench_median(res[i].load_ms, rounds);
                lookup[i] = bench_median(res[i].lookup_ns, rounds);
                (void) unlink(files[i]);
        }
        (void) rmdir(dir);

        for (size_t i = 0; i < N_SIZES; i++) {
                char id[48];
                const char *err = res[i].error[0] ? res[i].error : NULL;

                snprintf(id, sizeof(id), "policy.load_%u", sizes[i]);
                bench_report(id, load[i], NAN, NAN, "ms", rounds, NULL, "policy_load() of %u [Cgroup] sections "
                             "(host, daemon/policy.o)%s%s", sizes[i], err ? "; refused: " : "", err ?: "");
                snprintf(id, sizeof(id), "policy.lookup_%u", sizes[i]);
                bench_report(id, lookup[i], lookup[0], lookup[i] / lookup[0], "ns", rounds, NULL,
                             "policy_match() with %u sections, per lookup (batches of %u, >= 2 ms per round); baseline: "
                             "%u sections%s%s", sizes[i], lookups, sizes[0], err ? "; refused: " : "", err ?: "");
        }
        return EXIT_SUCCESS;
}

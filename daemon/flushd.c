/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushd.c - main(): arguments, policy, start-up, READY=1, loop
 *
 * flushd is the one privileged party: it serves org.flushd.Flush1 on the
 * bus, decides by policy who may have CPU caches written back and how
 * often, and asks the kernel (IOMMU_CACHE_WB) to do it. All the work is in
 * manager.c and the modules it drives; this file only orders the steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "manager.h"
#include "util/macro.h"

static int run(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = manager_new(&m);
        if (r < 0)
                return r;

        r = manager_parse_argv(m, argc, argv);
        if (r != 0)
                return r;

        r = manager_load_policy(m);     /* reports FILE:LINE itself */
        if (r < 0)
                return r;
        if (m->check_config) {
                for (size_t i = 0; i < m->policy->n_files; i++)
                        printf("%s: OK\n", m->policy->files[i]);
                return 0;
        }

        r = manager_start(m);
        if (r < 0)
                return r;

        (void) sd_notify(false, "READY=1\nSTATUS=Serving.");
        r = manager_run(m);
        (void) sd_notify(false, "STOPPING=1");
        return r;
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);

        /* run() returns 1 for --help/--version, which is success too. */
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-main.c - run every unit suite and record "PASSED FAILED"
 *
 * Usage: unit-tests [COUNTS_FILE]. Runs the suites with Check's srunner
 * (forking per test unless CK_FORK=no), prints Check's summary, writes the
 * number of passed and failed tests to COUNTS_FILE for build-aux/summary.sh
 * and exits non-zero if any test failed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

int main(int argc, char *argv[]) {
        SRunner *sr;
        int run, failed;
        FILE *f;

        sr = srunner_create(policy_suite());
        srunner_add_suite(sr, policy_dropin_suite());
        srunner_add_suite(sr, quota_suite());
        srunner_add_suite(sr, identity_suite());
        srunner_add_suite(sr, kernel_suite());
        srunner_add_suite(sr, bus_suite());
        srunner_add_suite(sr, queue_suite());
        srunner_add_suite(sr, escape_suite());
        srunner_add_suite(sr, ledger_suite());
        srunner_add_suite(sr, request_suite());
        srunner_add_suite(sr, client_suite());
        srunner_add_suite(sr, flushctl_doc_suite());
        srunner_add_suite(sr, sandbox_suite());
        srunner_add_suite(sr, manual_suite());
        srunner_add_suite(sr, local_wb_suite());

        srunner_run_all(sr, CK_NORMAL);
        run = srunner_ntests_run(sr);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);

        if (argc > 1) {
                f = fopen(argv[1], "we");
                if (!f || fprintf(f, "%d %d\n", run - failed, failed) < 0 || fclose(f) != 0) {
                        perror(argv[1]);
                        return EXIT_FAILURE;
                }
        }
        return failed == 0 && run > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

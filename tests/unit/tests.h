/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests.h - the Check suites linked into the unit test runner
 */
#pragma once

#include <check.h>

Suite *policy_suite(void);
Suite *policy_dropin_suite(void);
Suite *quota_suite(void);
Suite *identity_suite(void);
Suite *kernel_suite(void);
Suite *bus_suite(void);
Suite *queue_suite(void);
Suite *escape_suite(void);
Suite *ledger_suite(void);
Suite *request_suite(void);
Suite *client_suite(void);
Suite *flushctl_doc_suite(void);
Suite *local_wb_suite(void);
Suite *sandbox_suite(void);
Suite *manual_suite(void);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report.h - the ledger and the policy as D-Bus values, for Explain, Quota, ListCgroups
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "ledger.h"
#include "policy.h"

/* The display name of an account: its label, "[Default]" or "[Daemon]". */
const char *report_account_name(const Account *a);

/* Appends the {sv} entry "buckets" of type a(ssxxttt). */
int report_append_buckets(sd_bus_message *reply, const BucketInfo *b, size_t n);

/* Appends the {sv} entry "sections" (as): the names of a match chain. */
int report_append_chain(sd_bus_message *reply, const Ledger *l, const PolicyMatch *match);

/* Appends ListCgroups()'s a(sa{sv}). */
int report_append_sections(sd_bus_message *reply, const Policy *p, Ledger *l, uint64_t now_ns);

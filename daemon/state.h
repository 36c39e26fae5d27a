/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * state.h - bucket levels and counters that survive a restart
 */
#pragma once

#include "ledger.h"

#define FLUSHD_STATE_DEFAULT "/run/flushd/state"

typedef struct State State;

/*
 * Opens (or creates) the state file and keeps what a previous run left in
 * it, for state_adopt() to restore. A missing, foreign or corrupt file is
 * not an error: nothing is restored, and buckets stay empty.
 * *ret_restorable says how many records were found valid.
 */
int state_open(const char *path, State **ret, size_t *ret_restorable);
State *state_free(State *s);
static inline void state_freep(State **s) {
        if (*s)
                state_free(*s);
}

/*
 * Takes over ledger l: restores the levels and counters of the previous
 * run into accounts of the same label (once, at the first call), then
 * gives every account and per-user bucket a record and writes them all.
 * Called at start and after each reload.
 */
int state_adopt(State *s, Ledger *l, uint64_t now_ns);

/* Writes the account (or one of its per-user buckets) to its record. */
void state_sync_account(State *s, const Account *a);
int state_sync_user(State *s, const Account *a, UserBucket *u);
void state_release_user(State *s, UserBucket *u);

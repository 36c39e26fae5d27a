/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-dropins.h - which flushd.conf.d/NAME.conf files apply, in which order
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct DropIn {
        char *name;
        char *path;
        bool masked;                    /* a symlink to /dev/null: masks, applies nothing */
} DropIn;

typedef struct DropIns {
        DropIn *items;
        size_t n;
} DropIns;

void dropins_done(DropIns *d);
/*
 * Adds the *.conf of dir (a missing dir adds nothing), each replacing an
 * entry of the same name from a directory added before. -E2BIG past
 * POLICY_DROPINS_MAX names, -errno if dir cannot be read.
 */
int dropins_add_dir(DropIns *d, const char *dir);
/* Lexical order of the names, as they are applied. */
void dropins_sort(DropIns *d);

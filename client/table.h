/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * table.h - aligned text tables for flushctl's human output
 *
 * A table collects its cells as strings, then prints every column as wide
 * as its widest cell: text left-aligned, numbers right-aligned, with the
 * header in capitals. Cells are copied; a table is freed with table_free().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct Table Table;

/* Column names, NULL-terminated; a name starting with '>' is right-aligned (the '>' is not shown). */
Table *table_new(const char *const *columns);
Table *table_free(Table *t);
/* Append a cell to the current row, printf-style; rows wrap by column count. 0 or -ENOMEM. */
int table_add(Table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int table_print(const Table *t, FILE *f);

/* "1.234ms"-style durations and "-" for absent values, into buf. */
const char *format_nsec(char *buf, size_t size, uint64_t nsec);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * table.c - aligned text tables for flushctl's human output
 *
 * Two passes: measure every column's widest cell, then print. Widths are
 * counted in bytes, which is exact for the ASCII flushd reports (labels,
 * numbers) and only slightly off for escaped non-ASCII cgroup paths. The
 * last column is not padded, so lines carry no trailing blanks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct Table {
        size_t n_columns;
        char **cells;           /* the header row first */
        bool *right;
        size_t n_cells;
};

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t->right);
        free(t);
        return NULL;
}

static int cell_push(Table *t, char *s) {
        char **c;

        if (!s)
                return -ENOMEM;
        c = realloc(t->cells, (t->n_cells + 1) * sizeof(*c));
        if (!c) {
                free(s);
                return -ENOMEM;
        }
        t->cells = c;
        t->cells[t->n_cells++] = s;
        return 0;
}

Table *table_new(const char *const *columns) {
        Table *t;
        size_t n = 0;

        while (columns[n])
                n++;

        t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        t->n_columns = n;
        t->right = calloc(n ?: 1, sizeof(*t->right));
        if (!t->right)
                return table_free(t);

        for (size_t i = 0; i < n; i++) {
                const char *name = columns[i];

                t->right[i] = name[0] == '>';
                if (cell_push(t, strdup(name + t->right[i])) < 0)
                        return table_free(t);
        }
        return t;
}

int table_add(Table *t, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return cell_push(t, s);
}

int table_print(const Table *t, FILE *f) {
        size_t *width;

        if (t->n_columns == 0)
                return 0;

        width = calloc(t->n_columns, sizeof(*width));
        if (!width)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t l = strlen(t->cells[i]);
                if (l > width[i % t->n_columns])
                        width[i % t->n_columns] = l;
        }

        for (size_t i = 0; i < t->n_cells; i++) {
                size_t col = i % t->n_columns;
                bool last = col + 1 == t->n_columns || i + 1 == t->n_cells;

                if (t->right[col])
                        fprintf(f, "%*s", (int) width[col], t->cells[i]);
                else if (last)
                        fputs(t->cells[i], f);
                else
                        fprintf(f, "%-*s", (int) width[col], t->cells[i]);
                fputs(last ? "\n" : "  ", f);
        }
        free(width);
        return ferror(f) ? -EIO : 0;
}

const char *format_nsec(char *buf, size_t size, uint64_t nsec) {
        if (nsec >= UINT64_C(1000000000))
                snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", nsec / 1000000000,
                         nsec / 1000000 % 1000);
        else if (nsec >= 1000000)
                snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "ms", nsec / 1000000, nsec / 1000 % 1000);
        else if (nsec >= 1000)
                snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "us", nsec / 1000, nsec % 1000);
        else
                snprintf(buf, size, "%" PRIu64 "ns", nsec);
        return buf;
}

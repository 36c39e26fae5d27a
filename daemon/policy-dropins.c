/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-dropins.c - which flushd.conf.d/NAME.conf files apply, in which order
 *
 * systemd's rules for drop-ins: the directories are added from the lowest
 * priority (/usr/lib) to the highest (/etc); a name in a later directory
 * replaces the same name from an earlier one, and a symlink to /dev/null
 * masks it (applies nothing). Only regular files (or the mask) named
 * *.conf and not hidden count; a dangling symlink is skipped. The files
 * then apply in lexical order of their names, whatever their directory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "policy-dropins.h"
#include "policy.h"

void dropins_done(DropIns *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].name);
                free(d->items[i].path);
        }
        free(d->items);
        *d = (DropIns) {};
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static bool is_conf_name(const char *name) {
        size_t len = strlen(name);

        return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".conf") == 0;
}

/* The entry named name, added if new. */
static int dropins_slot(DropIns *d, const char *name, DropIn **ret) {
        DropIn *items;

        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->items[i].name, name) == 0) {
                        *ret = &d->items[i];
                        return 0;
                }
        if (d->n >= POLICY_DROPINS_MAX)
                return -E2BIG;
        items = reallocarray(d->items, d->n + 1, sizeof(*items));
        if (!items)
                return -ENOMEM;
        d->items = items;
        d->items[d->n] = (DropIn) {};
        *ret = &d->items[d->n++];
        return 0;
}

int dropins_add_dir(DropIns *d, const char *dir) {
        __attribute__((cleanup(closedirp))) DIR *dp = NULL;
        struct dirent *de;
        struct stat st;
        DropIn *item;
        bool masked;
        int r;

        dp = opendir(dir);
        if (!dp)
                return errno == ENOENT ? 0 : -errno;
        for (;;) {
                errno = 0;
                de = readdir(dp);
                if (!de)
                        return errno ? -errno : 0;
                if (!is_conf_name(de->d_name))
                        continue;
                if (fstatat(dirfd(dp), de->d_name, &st, 0) < 0) {
                        if (errno == ENOENT)
                                continue;       /* a dangling symlink */
                        return -errno;
                }
                masked = S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
                if (!masked && !S_ISREG(st.st_mode))
                        continue;

                r = dropins_slot(d, de->d_name, &item);
                if (r < 0)
                        return r;
                free(item->name);
                free(item->path);
                item->name = strdup(de->d_name);
                if (asprintf(&item->path, "%s/%s", dir, de->d_name) < 0)
                        item->path = NULL;
                if (!item->name || !item->path)
                        return -ENOMEM;
                item->masked = masked;
        }
}

static int dropin_compare(const void *a, const void *b) {
        return strcmp(((const DropIn *) a)->name, ((const DropIn *) b)->name);
}

void dropins_sort(DropIns *d) {
        if (d->n > 0)
                qsort(d->items, d->n, sizeof(*d->items), dropin_compare);
}

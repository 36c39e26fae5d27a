/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dict.c - read flushd's a{sv} dictionaries into plain C data
 *
 * Explain, Quota, ListCgroups and the daemon's properties all answer with
 * string-keyed dictionaries that the daemon may extend. They are read
 * whole, for the value types the API knows (s, u, t, x, b, as and the
 * bucket array a(ssxxttt)); entries of other types are skipped, so a newer
 * daemon's additions never break an older library. The result objects keep
 * a Dict and look their fields up by key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "libflushd-internal.h"
#include "util/macro.h"

static void strv_free(char **l) {
        if (!l)
                return;
        for (char **p = l; *p; p++)
                free(*p);
        free(l);
}

static void entry_done(DictEntry *e) {
        free(e->key);
        switch (e->type) {
        case 's':
                free(e->s);
                break;
        case 'a':
                strv_free(e->strv);
                break;
        case 'B':
                for (size_t i = 0; i < e->n_buckets; i++) {
                        free(e->buckets[i].section);
                        free(e->buckets[i].kind);
                }
                free(e->buckets);
                break;
        }
}

void dict_done(Dict *d) {
        for (size_t i = 0; i < d->n; i++)
                entry_done(&d->entries[i]);
        free(d->entries);
        *d = (Dict) {};
}

static int read_strv(sd_bus_message *m, char ***ret) {
        char **l = NULL, **t;
        size_t n = 0;
        const char *s;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "s", &s)) > 0) {
                t = realloc(l, (n + 2) * sizeof(*l));
                if (!t) {
                        r = -ENOMEM;
                        break;
                }
                l = t;
                l[n] = strdup(s);
                l[n + 1] = NULL;
                if (!l[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r >= 0 && !l) {
                l = calloc(1, sizeof(*l));
                if (!l)
                        r = -ENOMEM;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

static int read_buckets(sd_bus_message *m, DictEntry *e) {
        const char *section, *kind;
        FlushdBucket b, *t;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(ssxxttt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(ssxxttt)", &section, &kind, &b.tokens, &b.burst,
                                        &b.refill, &b.refill_period_usec, &b.wait_usec)) > 0) {
                t = realloc(e->buckets, (e->n_buckets + 1) * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                e->buckets = t;
                b.section = strdup(section);
                b.kind = strdup(kind);
                if (!b.section || !b.kind) {
                        free(b.section);
                        free(b.kind);
                        return -ENOMEM;
                }
                e->buckets[e->n_buckets++] = b;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* Reads the variant's value into e, or skips it (e->type stays 0). */
static int read_value(sd_bus_message *m, DictEntry *e) {
        const char *contents, *s;
        uint32_t u;
        int b, r;
        char type;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (type != 'v')
                return -EBADMSG;

        if (strcmp(contents, "s") == 0) {
                r = sd_bus_message_read(m, "v", "s", &s);
                if (r < 0)
                        return r;
                e->s = strdup(s);
                if (!e->s)
                        return -ENOMEM;
                e->type = 's';
                return 0;
        }
        if (strcmp(contents, "u") == 0) {
                r = sd_bus_message_read(m, "v", "u", &u);
                e->u = u;
                e->type = 'u';
                return r < 0 ? r : 0;
        }
        if (strcmp(contents, "t") == 0) {
                r = sd_bus_message_read(m, "v", "t", &e->u);
                e->type = 't';
                return r < 0 ? r : 0;
        }
        if (strcmp(contents, "x") == 0) {
                r = sd_bus_message_read(m, "v", "x", &e->x);
                e->type = 'x';
                return r < 0 ? r : 0;
        }
        if (strcmp(contents, "b") == 0) {
                r = sd_bus_message_read(m, "v", "b", &b);
                e->b = b;
                e->type = 'b';
                return r < 0 ? r : 0;
        }
        if (strcmp(contents, "as") == 0 || strcmp(contents, "a(ssxxttt)") == 0) {
                bool strv = contents[1] == 's';

                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                e->type = strv ? 'a' : 'B';     /* set first: entry_done() frees a partial read */
                r = strv ? read_strv(m, &e->strv) : read_buckets(m, e);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }

        return sd_bus_message_skip(m, "v");
}

int dict_read(sd_bus_message *m, Dict *d) {
        const char *key;
        DictEntry *t;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;

                t = realloc(d->entries, (d->n + 1) * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                d->entries = t;
                t = &d->entries[d->n];
                *t = (DictEntry) { .key = strdup(key) };
                if (!t->key)
                        return -ENOMEM;
                d->n++;

                r = read_value(m, t);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

const DictEntry *dict_find(const Dict *d, const char *key, char type) {
        /* The last one wins, should a key come twice. */
        for (size_t i = d->n; i > 0; i--)
                if (d->entries[i - 1].type == type && strcmp(d->entries[i - 1].key, key) == 0)
                        return &d->entries[i - 1];
        return NULL;
}

const char *dict_string(const Dict *d, const char *key) {
        const DictEntry *e = dict_find(d, key, 's');
        return e ? e->s : "";
}

int dict_get_unsigned(const Dict *d, const char *key, uint64_t *ret) {
        const DictEntry *e = dict_find(d, key, 't') ?: dict_find(d, key, 'u');

        if (!e)
                return -ENODATA;
        *ret = e->u;
        return 0;
}

uint64_t dict_unsigned(const Dict *d, const char *key) {
        uint64_t v = 0;

        (void) dict_get_unsigned(d, key, &v);
        return v;
}

int dict_get_signed(const Dict *d, const char *key, int64_t *ret) {
        const DictEntry *e = dict_find(d, key, 'x');

        if (!e)
                return -ENODATA;
        *ret = e->x;
        return 0;
}

bool dict_bool(const Dict *d, const char *key) {
        const DictEntry *e = dict_find(d, key, 'b');
        return e && e->b;
}

size_t dict_strv_len(const Dict *d, const char *key) {
        const DictEntry *e = dict_find(d, key, 'a');
        size_t n = 0;

        if (e)
                while (e->strv[n])
                        n++;
        return n;
}

const char *dict_strv_item(const Dict *d, const char *key, size_t i) {
        return i < dict_strv_len(d, key) ? dict_find(d, key, 'a')->strv[i] : NULL;
}

size_t dict_n_buckets(const Dict *d, const char *key) {
        const DictEntry *e = dict_find(d, key, 'B');
        return e ? e->n_buckets : 0;
}

const FlushdBucket *dict_bucket(const Dict *d, const char *key, size_t i) {
        const DictEntry *e = dict_find(d, key, 'B');
        return e && i < e->n_buckets ? &e->buckets[i] : NULL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libflushd-internal.h - helpers shared between libflushd's files, not exported
 *
 * call.c owns the connection and its lock and runs one method call at a
 * time; error.c maps D-Bus errors to codes and builds FlushdError; dict.c
 * reads the a{sv} dictionaries every growable result is made of, so the
 * result objects are a dictionary plus accessors.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "flushd.h"

struct FlushdClient {
        pthread_mutex_t lock;   /* serializes all use of bus */
        sd_bus *bus;
};

/* Positive FLUSHD_E_* code for a D-Bus error name, or 0 if the name has none. */
int error_code_from_bus_name(const char *name);

/*
 * The return value for a failed bus call: r is sd_bus_call()'s return, e its
 * error. A named error flushd or the bus defines becomes -FLUSHD_E_*, another
 * D-Bus error sd-bus's errno for it (-EIO if none), a local failure r itself.
 */
int error_from_bus(const sd_bus_error *e, int r);

/* A FlushdError for e (which is set) and code; NULL without memory. */
FlushdError *error_new(const sd_bus_error *e, int code);

/* Reads the reply (with the lock held); returns 0 or a negative errno. */
typedef int (*ReplyParser)(sd_bus_message *reply, void *userdata);

/*
 * Call interface.member on flushd's object with the arguments described by
 * types (sd_bus_message_append() style), check that the reply has
 * reply_signature and hand it to parse. Sets *ret_error as flushd.h says.
 */
int client_call(FlushdClient *c, const char *interface, const char *member,
                const char *reply_signature, ReplyParser parse, void *userdata,
                FlushdError **ret_error, const char *types, ...);

struct FlushdBucket {
        char *section;
        char *kind;
        int64_t tokens;
        int64_t burst;
        uint64_t refill;
        uint64_t refill_period_usec;
        uint64_t wait_usec;
};

/* One entry of an a{sv}, for the types the API knows; others are skipped. */
typedef struct DictEntry {
        char *key;
        char type;              /* 's', 'u', 't', 'x', 'b', 'a' (as), 'B' (a(ssxxttt)) */
        union {
                char *s;
                uint64_t u;     /* 'u' and 't' */
                int64_t x;
                bool b;
                char **strv;    /* NULL-terminated */
                struct {
                        FlushdBucket *buckets;
                        size_t n_buckets;
                };
        };
} DictEntry;

typedef struct Dict {
        DictEntry *entries;
        size_t n;
} Dict;

/* Read an a{sv} at the current position of m into d (empty before). */
int dict_read(sd_bus_message *m, Dict *d);
void dict_done(Dict *d);

/* The entry key of type, or NULL. */
const DictEntry *dict_find(const Dict *d, const char *key, char type);

/* Typed lookups with a default for absent entries. */
const char *dict_string(const Dict *d, const char *key);        /* "" if absent */
uint64_t dict_unsigned(const Dict *d, const char *key);         /* 't' or 'u', 0 if absent */
int dict_get_unsigned(const Dict *d, const char *key, uint64_t *ret);   /* 0 or -ENODATA */
int dict_get_signed(const Dict *d, const char *key, int64_t *ret);      /* 0 or -ENODATA */
bool dict_bool(const Dict *d, const char *key);
size_t dict_strv_len(const Dict *d, const char *key);
const char *dict_strv_item(const Dict *d, const char *key, size_t i);  /* NULL past the end */
size_t dict_n_buckets(const Dict *d, const char *key);
const FlushdBucket *dict_bucket(const Dict *d, const char *key, size_t i);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.h - a minimal streaming JSON writer for flushctl --json
 *
 * Values are written as they come, on one line, with the commas placed by
 * the writer: a key is followed by its value, containers nest up to
 * JSON_DEPTH_MAX. Strings are escaped (control characters as \u00XX);
 * bytes >= 0x80 pass through, so the caller's UTF-8 stays UTF-8.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

typedef struct JsonWriter {
        FILE *f;
        unsigned depth;
        bool need_comma[JSON_DEPTH_MAX];
        bool after_key;
} JsonWriter;

void json_init(JsonWriter *w, FILE *f);
void json_object_begin(JsonWriter *w);
void json_object_end(JsonWriter *w);
void json_array_begin(JsonWriter *w);
void json_array_end(JsonWriter *w);
void json_key(JsonWriter *w, const char *key);
void json_string(JsonWriter *w, const char *s);         /* NULL writes null */
void json_uint(JsonWriter *w, uint64_t v);
void json_int(JsonWriter *w, int64_t v);
void json_double(JsonWriter *w, double v);              /* 3 decimals */
void json_bool(JsonWriter *w, bool v);
void json_null(JsonWriter *w);
/* Ends the document with a newline; returns 0 or -EIO if writing failed. */
int json_finish(JsonWriter *w);

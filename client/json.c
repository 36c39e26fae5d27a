/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.c - a minimal streaming JSON writer for flushctl --json
 *
 * Enough JSON for flushctl's reports and nothing more: objects, arrays,
 * strings, integers, a fixed-point number type and booleans, written
 * straight to a FILE with the separators kept in a small per-depth state.
 * One JsonWriter per document; nothing is shared.
 */
#include <errno.h>
#include <inttypes.h>

#include "json.h"

void json_init(JsonWriter *w, FILE *f) {
        *w = (JsonWriter) { .f = f };
}

/* Before any value: a comma if this container already has one. */
static void value_begin(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->need_comma[w->depth])
                fputc(',', w->f);
        w->need_comma[w->depth] = true;
}

static void container_begin(JsonWriter *w, char c) {
        value_begin(w);
        fputc(c, w->f);
        if (w->depth + 1 < JSON_DEPTH_MAX)
                w->depth++;
        w->need_comma[w->depth] = false;
}

static void container_end(JsonWriter *w, char c) {
        fputc(c, w->f);
        if (w->depth > 0)
                w->depth--;
}

void json_object_begin(JsonWriter *w) { container_begin(w, '{'); }
void json_object_end(JsonWriter *w) { container_end(w, '}'); }
void json_array_begin(JsonWriter *w) { container_begin(w, '['); }
void json_array_end(JsonWriter *w) { container_end(w, ']'); }

static void string_write(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        fputc('"', f);
}

void json_key(JsonWriter *w, const char *key) {
        value_begin(w);
        string_write(w->f, key);
        fputc(':', w->f);
        w->after_key = true;
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        value_begin(w);
        string_write(w->f, s);
}

void json_uint(JsonWriter *w, uint64_t v) {
        value_begin(w);
        fprintf(w->f, "%" PRIu64, v);
}

void json_int(JsonWriter *w, int64_t v) {
        value_begin(w);
        fprintf(w->f, "%" PRIi64, v);
}

void json_double(JsonWriter *w, double v) {
        value_begin(w);
        fprintf(w->f, "%.3f", v);
}

void json_bool(JsonWriter *w, bool v) {
        value_begin(w);
        fputs(v ? "true" : "false", w->f);
}

void json_null(JsonWriter *w) {
        value_begin(w);
        fputs("null", w->f);
}

int json_finish(JsonWriter *w) {
        fputc('\n', w->f);
        if (fflush(w->f) != 0 || ferror(w->f))
                return -EIO;
        return 0;
}

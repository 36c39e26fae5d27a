/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * escape.c - any bytes as valid, printable UTF-8
 *
 * D-Bus refuses a message whose strings are not valid UTF-8, and a
 * journal or a terminal should not receive raw control bytes. A cgroup
 * name is any bytes but '/' and NUL, and an unprivileged user can create
 * such names in a delegated subtree: every string that comes from outside
 * and goes into a reply or a log passes through here. Valid multi-byte
 * sequences (no overlongs, no surrogates, at most U+10FFFF) are kept.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

/* Length of the valid UTF-8 sequence at s (>= 2 bytes), or 0. */
static size_t utf8_sequence(const unsigned char *s) {
        uint32_t c;
        size_t n;

        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, c = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, c = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, c = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }
        if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        if (c >= 0x80 && c < 0xa0)
                return 0;       /* C1 controls */
        return n;
}

char *escape_utf8(const char *s, char *buf, size_t size) {
        const unsigned char *p = (const unsigned char *) s;
        size_t o = 0;

        assert(s);
        assert(buf);
        assert(size > 0);

        while (*p) {
                size_t n = *p >= 0x80 ? utf8_sequence(p) : 0;
                char tmp[5];
                size_t len;

                if (n > 0) {
                        memcpy(tmp, p, n);
                        len = n;
                } else if (*p < 0x20 || *p == 0x7f || *p >= 0x80) {
                        snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
                        len = 4;
                        n = 1;
                } else if (*p == '\\') {
                        memcpy(tmp, "\\\\", 2);
                        len = 2;
                        n = 1;
                } else {
                        tmp[0] = (char) *p;
                        len = 1;
                        n = 1;
                }
                if (o + len >= size)
                        break;
                memcpy(buf + o, tmp, len);
                o += len;
                p += n;
        }
        buf[o] = '\0';
        return buf;
}

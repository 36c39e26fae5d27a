/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * escape.h - any bytes as valid, printable UTF-8
 */
#pragma once

#include <stddef.h>

/* Copies s into buf (size bytes, NUL-terminated, cut if need be), valid
 * UTF-8 sequences as they are, every other byte and every control
 * character as \xNN, and a backslash as \\. Returns buf. */
char *escape_utf8(const char *s, char *buf, size_t size);

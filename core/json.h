/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_JSON_H
#define VHASHIFY_JSON_H

/*
 * Writing JSON strings. The output is always valid UTF-8; a file name
 * that is not is written losslessly by json_name().
 */

#include <stdbool.h>
#include <stdio.h>

/*
 * Whether @s is valid UTF-8 in the strict sense of RFC 3629: no
 * overlong form, no surrogate (U+D800..U+DFFF), nothing above U+10FFFF.
 */
bool utf8_valid(const char *s);

/*
 * Writes @s as a JSON string with its quotes. Quotes, backslashes,
 * control characters (C0, DEL and C1) are escaped; each byte of @s that
 * is not part of a valid UTF-8 sequence becomes U+FFFD, so the result
 * is for reading only when !utf8_valid(@s).
 */
void json_string(FILE *f, const char *s);

/*
 * Writes the member "@key": @s. When @s is not valid UTF-8 it also
 * writes "@key_hex": its bytes in lower-case hex, the name to use, as
 * the string alone cannot tell such a name from another.
 */
void json_name(FILE *f, const char *key, const char *s);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_JSON_H
#define VHASHIFY_JSON_H

/* Writing JSON strings. */

#include <stdio.h>

/*
 * Writes @s as a JSON string with its quotes. Control characters,
 * quotes and backslashes are escaped; bytes that are not valid UTF-8
 * become \u00XX, so the document stays valid whatever the file names.
 */
void json_string(FILE *f, const char *s);

#endif

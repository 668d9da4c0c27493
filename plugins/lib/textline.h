/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PLUGIN_TEXTLINE_H
#define VHASHIFY_PLUGIN_TEXTLINE_H

/* Splitting a text buffer into lines, for the plugins' parsers. */

#include <stdbool.h>
#include <stddef.h>

/*
 * The next line of [*p, end): sets *line and *n (without the end of
 * line, "\n" or "\r\n") and advances *p. Returns false at the end.
 */
bool next_line(const char **p, const char *end, const char **line,
	       size_t *n);

#endif

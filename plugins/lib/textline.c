// SPDX-License-Identifier: GPL-2.0-or-later
/* Splitting a text buffer into lines; see textline.h. */
#include <string.h>

#include "textline.h"

bool next_line(const char **p, const char *end, const char **line,
	       size_t *n)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', end - *p);
	*line = *p;
	*n = (nl ? nl : end) - *p;
	*p = nl ? nl + 1 : end;
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: the exclusion matcher. The input is a pattern, a
 * newline, and a path; the glob is compiled and matched, the path is
 * also added as an exact rule, and both are checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *nl;
	struct matcher *m = matcher_new();
	const char *path;

	if (!buf || !m)
		goto out;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	path = nl ? nl + 1 : "/usr/bin/ls";
	if (nl)
		*nl = '\0';
	matcher_add_glob(m, buf, size & 1);
	if (path[0] == '/') {
		matcher_check(m, path, strlen(path));
		matcher_may_include_below(m, path, strlen(path));
		if (!matcher_add_path(m, path, false) &&
		    matcher_check(m, path, strlen(path)) == MATCH_NONE)
			__builtin_trap();	/* an exact rule must match */
	}
out:
	matcher_free(m);
	free(buf);
	return 0;
}

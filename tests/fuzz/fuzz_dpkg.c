// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer harness: dpkg status and diversions parsers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "status.h"

static int path_seen(void *ctx, const char *package, const char *path)
{
	/* every path handed out is absolute and NUL-free by contract */
	if (path[0] != '/' || !package)
		__builtin_trap();
	(void)ctx;
	return 0;
}

static int diversion_seen(void *ctx, const char *from, const char *to)
{
	if (from[0] != '/' || to[0] != '/')
		__builtin_trap();
	(void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t packages, bad;

	dpkg_parse_status((const char *)data, size, path_seen, NULL,
			  &packages, &bad);
	dpkg_parse_diversions((const char *)data, size, diversion_seen, NULL,
			      &bad);
	return 0;
}

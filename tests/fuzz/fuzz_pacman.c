// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer harness: pacman "files" and pacman.conf parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "files.h"

static int path_seen(void *ctx, const char *path)
{
	if (path[0] != '/' || !path[1])
		__builtin_trap();
	(void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bad;

	pacman_parse_backup((const char *)data, size, path_seen, NULL, &bad);
	free(pacman_parse_dbpath((const char *)data, size));
	return 0;
}

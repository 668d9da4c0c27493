// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer harness: the os-release parser. */
#include <stddef.h>
#include <stdint.h>

#include "osrelease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_release os;

	if (!os_release_parse((const char *)data, size, &os))
		os_release_release(&os);
	return 0;
}

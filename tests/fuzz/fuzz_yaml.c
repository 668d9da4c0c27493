// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: the YAML files, the detection table and
 * vhashify.yaml, read from a memory file (their readers take paths).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct detect_table t = { 0 };
	struct conf c;
	char path[64];

	if (fd < 0)
		fd = memfd_create("fuzz.yaml", 0);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	detect_load_file(&t, path);	/* errors are expected */
	detect_release(&t);
	if (!conf_load(&c, path, true))
		conf_release(&c);
	return 0;
}

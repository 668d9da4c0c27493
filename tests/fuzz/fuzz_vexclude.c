// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: util-vserver's exclude lists (vexclude.h). The
 * input is a list; it is parsed and a few paths are checked.
 */
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "vexclude.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/etc", "/etc/passwd", "/usr/share/texmf/ls-R", "/",
	};
	struct vexclude *x = NULL;
	size_t i;

	log_set_verbosity(-1);
	if (vexclude_parse((const char *)data, size, "fuzz", &x))
		return 0;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		vexclude_skips(x, paths[i]);
	vexclude_free(x);
	return 0;
}

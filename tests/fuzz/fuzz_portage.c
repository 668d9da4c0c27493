// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: portage's make.conf-style assignments (expanded
 * and not), incremental stacking, "parent" files and path entries.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "makeconf.h"

static int parent_seen(void *ctx, const char *parent, unsigned int line)
{
	if (!*parent || !line)
		__builtin_trap();
	(void)ctx;
	return 0;
}

/* Every entry a list holds must normalise to an absolute path. */
static void check_entries(const struct pconf_list *l)
{
	size_t i;
	char *path;

	for (i = 0; i < l->n; i++) {
		path = pconf_entry_path(l->items[i]);
		if (path && (path[0] != '/' || strstr(path, "//") ||
			     (path[1] && path[strlen(path) - 1] == '/')))
			__builtin_trap();
		free(path);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pconf_vars out = { 0 }, expand = { 0 }, raw = { 0 };
	struct pconf_list protect = { 0 };
	struct pconf_error err = { 0 };
	const char *v;
	int ret;

	ret = pconf_parse((const char *)data, size, &out, &expand, &err);
	if (ret == -EINVAL && (!err.why || !err.line))
		__builtin_trap();
	v = pconf_get(&out, "CONFIG_PROTECT");
	if (v) {
		pconf_incremental(&protect, v);
		pconf_words(&protect, v);
		check_entries(&protect);
	}
	pconf_parse((const char *)data, size, &raw, NULL, &err);
	pconf_parents((const char *)data, size, parent_seen, NULL, &err);
	pconf_list_free(&protect);
	pconf_vars_free(&out);
	pconf_vars_free(&expand);
	pconf_vars_free(&raw);
	return 0;
}

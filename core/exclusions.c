// SPDX-License-Identifier: GPL-2.0-or-later
/* Exclusions from plugins into the matcher; see exclusions.h. */
#include "config.h"

#include <errno.h>

#include "exclusions.h"
#include "log.h"

struct collect {
	struct matcher *m;
	size_t count;
	const char *plugin;
};

static int emit(void *arg, const char *path, unsigned int flags)
{
	struct collect *c = arg;
	bool include = flags & VHASHIFY_EMIT_INCLUDE;
	int ret;

	if (!path)
		return -EINVAL;
	if (flags & VHASHIFY_EMIT_GLOB)
		ret = matcher_add_glob(c->m, path, include);
	else
		ret = matcher_add_path(c->m, path, include);
	if (!ret)
		c->count++;
	else if (ret == -EINVAL && !(flags & VHASHIFY_EMIT_GLOB))
		note(1, "%s: ignored path '%s': not absolute", c->plugin,
		     qs(path));
	return ret == -EINVAL && !(flags & VHASHIFY_EMIT_GLOB) ? 0 : ret;
}

int exclusions_collect(struct host *host, const struct plugin *p,
		       struct matcher *m, size_t *count)
{
	struct collect c = { .m = m, .plugin = p->name };
	int ret;

	host->plugin = p->name;
	ret = p->backend->list_exclusions(&host->h, emit, &c);
	*count = c.count;
	if (ret > 0)
		ret = -EPROTO;	/* a plugin must return 0 or -errno */
	return ret;
}

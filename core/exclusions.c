// SPDX-License-Identifier: GPL-2.0-or-later
/* Exclusions from plugins into the matcher; see exclusions.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exclusions.h"
#include "guest.h"
#include "log.h"

struct collect {
	struct matcher *m;
	size_t count;
	const char *plugin;
	int rootfd;
	char *root;		/* the guest root as the kernel names it */
	char *parent;		/* the last parent resolved, and its result */
	char *resolved;		/* NULL when it resolved to itself or not */
	bool no_includes;	/* include rules are dropped, and counted */
	size_t dropped;
	struct exclusions_budget *budget;	/* or NULL */
	bool over;		/* a rule went beyond the budget */
};

/* Charges a rule of @len bytes to the budget; -EFBIG when beyond it. */
static int charge(struct collect *c, size_t len)
{
	struct exclusions_budget *b = c->budget;

	if (c->over)
		return -EFBIG;
	if (!b || !b->limit)
		return 0;
	b->used += len + EXCLUSIONS_RULE_COST;
	if (b->used > b->limit) {
		c->over = true;
		return -EFBIG;
	}
	return 0;
}

/* The kernel's name of an open directory, from /proc. */
static char *fd_path(int fd)
{
	char proc[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/*
 * Where the directory @parent of the guest really is, resolved inside
 * the guest: "/bin" is "/usr/bin" on a merged-/usr guest. Returns a
 * new string, or NULL when it is @parent itself or cannot be resolved.
 */
static char *resolve_parent(struct collect *c, const char *parent)
{
	size_t n = strlen(c->root);
	char *host, *guest = NULL;
	int fd;

	fd = guest_openat(c->rootfd, parent, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return NULL;
	host = fd_path(fd);
	close(fd);
	if (!host)
		return NULL;
	if (!strcmp(c->root, "/"))
		n = 0;
	if (!strncmp(host, c->root, n) && (host[n] == '/' || !host[n]) &&
	    strcmp(host + n, parent))
		guest = strdup(host[n] ? host + n : "/");
	free(host);
	return guest;
}

/*
 * Adds the alias of exact path @path under its resolved parent, so that
 * "/bin/bash" also keeps out "/usr/bin/bash" where /bin is a symlink.
 * The last component is never resolved: it is the file itself.
 */
static int add_alias(struct collect *c, const char *path, bool include)
{
	const char *slash = strrchr(path, '/');
	char *parent, *alias;
	int ret;

	if (!c->root || slash == path)
		return 0;	/* no root name, or in "/" itself */
	parent = strndup(path, slash - path);
	if (!parent)
		return -ENOMEM;
	if (!c->parent || strcmp(c->parent, parent)) {
		free(c->parent);
		free(c->resolved);
		c->resolved = resolve_parent(c, parent);
		c->parent = parent;
	} else {
		free(parent);
	}
	if (!c->resolved)
		return 0;
	if (asprintf(&alias, "%s%s", strcmp(c->resolved, "/") ?
		     c->resolved : "", slash) < 0)
		return -ENOMEM;
	ret = charge(c, strlen(alias));
	if (!ret)
		ret = matcher_add_path(c->m, alias, include);
	free(alias);
	return ret;
}

static int emit(void *arg, const char *path, unsigned int flags)
{
	struct collect *c = arg;
	bool include = flags & VHASHIFY_EMIT_INCLUDE;
	int ret;

	if (!path)
		return -EINVAL;
	if (include && c->no_includes) {
		c->dropped++;
		return 0;
	}
	ret = charge(c, strlen(path));
	if (ret)
		return ret;
	if (flags & VHASHIFY_EMIT_GLOB) {
		ret = matcher_add_glob(c->m, path, include);
		if (!ret)
			c->count++;
		return ret;
	}
	ret = matcher_add_path(c->m, path, include);
	if (ret == -EINVAL) {
		note(1, "%s: ignored path '%s': not absolute", c->plugin,
		     qs(path));
		return 0;
	}
	if (ret)
		return ret;
	c->count++;
	return add_alias(c, path, include);
}

static int collect(struct host *host, const struct plugin *p,
		   struct matcher *m, size_t *count, size_t *dropped,
		   struct exclusions_budget *budget)
{
	struct collect c = {
		.m = m,
		.plugin = p->name,
		.rootfd = host->h.guest_fd,
		.root = fd_path(host->h.guest_fd),
		.no_includes = !!dropped,
		.budget = budget,
	};
	int ret;

	host->plugin = p->name;
	/* the backend's name, until it gives a reason of its own */
	ret = matcher_set_reason(m, p->name);
	host->m = m;
	if (!ret)
		ret = p->backend->list_exclusions(&host->h, emit, &c);
	host->m = NULL;
	matcher_set_reason(m, NULL);
	*count = c.count;
	if (dropped)
		*dropped = c.dropped;
	free(c.root);
	free(c.parent);
	free(c.resolved);
	if (ret > 0)
		ret = -EPROTO;	/* a plugin must return 0 or -errno */
	if (c.over)
		ret = -EFBIG;	/* even when the plugin went on */
	return ret;
}

int exclusions_collect(struct host *host, const struct plugin *p,
		       struct matcher *m, size_t *count,
		       struct exclusions_budget *budget)
{
	return collect(host, p, m, count, NULL, budget);
}

int exclusions_collect_excludes(struct host *host, const struct plugin *p,
				struct matcher *m, size_t *count,
				size_t *dropped,
				struct exclusions_budget *budget)
{
	return collect(host, p, m, count, dropped, budget);
}

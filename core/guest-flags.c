// SPDX-License-Identifier: GPL-2.0-or-later
/* util-vserver's immutable flags on shared files; see migrate.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "immutable.h"
#include "log.h"
#include "migrate.h"
#include "walk.h"

/* One guest walked for --migrate-flags. */
struct flags_walk {
	struct guest *g;
	bool clear, immutable, dry_run;
	struct flags_tally *t;
};

static bool enter(const struct walk_entry *e, void *arg)
{
	struct flags_walk *r = arg;

	return e->st.st_dev == r->g->st.st_dev;	/* no mount point */
}

static bool file(const struct walk_entry *e, void *arg)
{
	struct flags_walk *r = arg;
	int fd, ret;

	if (!S_ISREG(e->st.st_mode) || e->st.st_nlink < 2 ||
	    e->st.st_dev != r->g->st.st_dev)
		return false;
	fd = content_open(e->dirfd, e->name, NULL);
	if (fd < 0)
		return false;	/* gone, or no flags to read */
	if (immutable_get(fd) != 1)
		goto out;
	if (r->immutable && r->g->store &&
	    store_is_object(r->g->store, &e->st)) {
		r->t->kept++;
		goto out;
	}
	r->t->found++;
	if (!r->clear) {
		printf("immutable '%s%s'\n", qs(r->g->prefix), qs(e->path));
		goto out;
	}
	ret = r->dry_run ? 0 : immutable_set(fd, false);
	if (ret) {
		error("cannot clear the immutable flag of '%s%s': %s",
		      qs(r->g->prefix), qs(e->path), strerror(-ret));
		r->t->failed++;
	} else {
		printf("%s '%s%s'\n", r->dry_run ? "would clear" : "cleared",
		       qs(r->g->prefix), qs(e->path));
		r->t->cleared++;
	}
out:
	close(fd);
	return false;
}

static void fail(const char *path, int err, void *arg)
{
	struct flags_walk *r = arg;

	error("cannot read directory '%s%s': %s", qs(r->g->prefix), qs(path),
	      strerror(-err));
	r->t->failed++;
}

int flags_migrate_guest(struct guest *g, bool clear, bool immutable,
			bool dry_run, struct flags_tally *t)
{
	static const struct walk_ops ops = { enter, file, fail };
	struct flags_walk r = {
		.g = g, .clear = clear, .immutable = immutable,
		.dry_run = dry_run, .t = t,
	};
	int ret = walk_tree(g->rootfd, &ops, &r);

	if (ret)
		error("cannot walk guest '%s': %s", qs(g->path),
		      strerror(-ret));
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* The main job for one guest; see hashify.h. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hashify.h"
#include "link.h"
#include "log.h"
#include "progress.h"
#include "store.h"
#include "tmpname.h"
#include "unify.h"
#include "walk.h"

struct guest_run {
	const struct hashify *h;
	struct guest *g;
	struct tally *t;
	struct unify_params params;
};

static void skip(struct guest_run *r, const struct walk_entry *e,
		 enum skip_reason why)
{
	r->t->skipped[why]++;
	note(2, "skipped '%s%s': %s", qs(r->g->prefix), qs(e->path),
	     skip_reason_name(why));
}

static bool is_store(const struct guest_run *r, const struct stat *st)
{
	int i;

	for (i = 0; i < r->h->n_stores; i++)
		if (r->h->stores[i]->ino == st->st_ino &&
		    r->h->stores[i]->dev == st->st_dev)
			return true;
	return false;
}

static bool enter(const struct walk_entry *e, void *arg)
{
	struct guest_run *r = arg;

	if (e->st.st_dev != r->g->st.st_dev) {
		skip(r, e, SKIP_OTHER_FS);
		return false;
	}
	if (is_store(r, &e->st)) {
		skip(r, e, SKIP_STORE);
		return false;
	}
	if (matcher_check(r->g->excludes, e->path, e->pathlen) ==
	    MATCH_EXCLUDE &&
	    !matcher_may_include_below(r->g->excludes, e->path, e->pathlen)) {
		skip(r, e, SKIP_EXCLUDED);
		return false;
	}
	return true;
}

/*
 * Deals with @e when it is named like a temporary and not excluded
 * (an excluded path is never touched): removes it when it is provably
 * a leftover of an interrupted run on this store, a link to one of its
 * objects under a temporary name of this store (the guest path it was
 * meant for still holds what it held); anything else so named is the
 * guest's, or another store's, and is left alone. Returns true when @e
 * was such a name.
 */
static bool remove_leftover(struct guest_run *r, const struct walk_entry *e)
{
	int ret;

	if (!tmpname_like(e->name) ||
	    matcher_check(r->g->excludes, e->path, e->pathlen) ==
	    MATCH_EXCLUDE)
		return false;
	if (r->h->opt->dry_run) {
		ret = S_ISREG(e->st.st_mode) &&
		      tmpname_guest_is(e->name, r->g->store->ino) &&
		      store_is_object(r->g->store, &e->st);
	} else {
		ret = link_remove_leftover(r->g->store, e->dirfd, e->name,
					   &e->st);
	}
	if (ret < 0) {
		error("cannot remove leftover '%s%s': %s", qs(r->g->prefix),
		      qs(e->path), strerror(-ret));
		tally_fail(r->t, r->g->prefix, e->path, NULL);
	} else if (!ret) {
		note(1, "left alone '%s%s': named like a temporary of "
		     "vhashify, but not a leftover of this store",
		     qs(r->g->prefix), qs(e->path));
	} else if (!r->h->opt->dry_run) {
		note(1, "removed leftover '%s%s'", qs(r->g->prefix),
		     qs(e->path));
		r->t->temporaries++;
	}
	return true;
}

/* Why the non-directory @e may not be shared, or -1 if it may. */
static int why_not(const struct guest_run *r, const struct walk_entry *e)
{
	if (matcher_check(r->g->excludes, e->path, e->pathlen) ==
	    MATCH_EXCLUDE)
		return SKIP_EXCLUDED;
	if (S_ISLNK(e->st.st_mode))
		return SKIP_SYMLINK;
	if (!S_ISREG(e->st.st_mode))
		return SKIP_SPECIAL;
	if (e->st.st_dev != r->g->st.st_dev)
		return SKIP_OTHER_FS;	/* a bind-mounted file */
	if (e->st.st_size < r->h->opt->min_size)
		return SKIP_TOO_SMALL;
	/* btrfs keeps a file of less than a block inline in its metadata:
	 * no extent to share (XFS shares a last block that ends both) */
	if (r->g->reflink && r->g->inline_small &&
	    e->st.st_size < e->st.st_blksize)
		return SKIP_TOO_SMALL;
	return -1;
}

static bool file(const struct walk_entry *e, void *arg)
{
	struct guest_run *r = arg;
	const struct options *o = r->h->opt;
	off_t freed, stored;
	int why;

	if (remove_leftover(r, e))
		return !o->dry_run;
	r->t->seen++;
	progress_file(S_ISREG(e->st.st_mode) ? e->st.st_size : 0);
	why = why_not(r, e);
	if (why >= 0) {
		skip(r, e, why);
		return false;
	}
	if (!o->refresh && !r->g->reflink &&
	    store_is_object(r->g->store, &e->st)) {
		r->t->unified++;
		note(2, "unified '%s%s'", qs(r->g->prefix), qs(e->path));
		return false;
	}

	switch (unify_file(&r->params, e, &freed, &stored)) {
	case UNIFY_LINKED_NEW:
		r->t->new_objects++;
		/* fall through */
	case UNIFY_LINKED:
		r->t->linked++;
		r->t->bytes_freed += freed;
		r->t->bytes_stored += stored;
		note(1, "%s '%s%s'%s", o->dry_run ? "would link" : "linked",
		     qs(r->g->prefix), qs(e->path),
		     stored ? " (new object)" : "");
		return !o->dry_run;
	case UNIFY_UNIFIED:
		r->t->unified++;
		note(2, "unified '%s%s'", qs(r->g->prefix), qs(e->path));
		break;
	case UNIFY_UNREADABLE:
		skip(r, e, SKIP_UNREADABLE);
		break;
	case UNIFY_CHANGED:
		skip(r, e, SKIP_CHANGED);
		return !o->dry_run;	/* a temporary may have come and gone */
	case UNIFY_FAILED:
		tally_fail(r->t, r->g->prefix, e->path, NULL);
		return !o->dry_run;
	}
	return false;
}

static void fail(const char *path, int err, void *arg)
{
	struct guest_run *r = arg;

	if (err == -ESTALE) {
		/* the guest swapped it while we walked: leave it be */
		r->t->skipped[SKIP_CHANGED]++;
		note(2, "skipped '%s%s': %s", qs(r->g->prefix), qs(path),
		     skip_reason_name(SKIP_CHANGED));
		return;
	}
	error("cannot read directory '%s%s': %s", qs(r->g->prefix), qs(path),
	      strerror(-err));
	tally_fail(r->t, r->g->prefix, path, NULL);
}

void hashify_guest(const struct hashify *h, struct guest *g,
		   struct tally *t)
{
	static const struct walk_ops ops = { enter, file, fail };
	struct guest_run r = {
		.h = h,
		.g = g,
		.t = t,
		.params = {
			.store = g->store,
			.reflink = g->reflink,
			.refresh = h->opt->refresh,
			.ignore_mtime = h->opt->ignore_mtime,
			.immutable = h->opt->immutable,
			.dry_run = h->opt->dry_run,
			.guest = g->prefix,
		},
	};
	int ret;

	ret = walk_tree(g->rootfd, &ops, &r);
	if (ret) {
		error("cannot walk guest '%s': %s", qs(g->path),
		      strerror(-ret));
		tally_fail(t, "", g->path, NULL);
	}
}

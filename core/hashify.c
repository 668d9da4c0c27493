// SPDX-License-Identifier: GPL-2.0-or-later
/* The main job for one guest; see hashify.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "content.h"
#include "guest.h"
#include "hashify.h"
#include "link.h"
#include "log.h"
#include "multilink.h"
#include "objmap.h"
#include "progress.h"
#include "store.h"
#include "tmpname.h"
#include "unify.h"
#include "vserver.h"
#include "walk.h"

/* One guest being hashified: the state of its walk, what it counts. */
struct guest_walk {
	const struct hashify *h;
	struct guest *g;
	struct tally *t;
	struct unify_params params;
	struct multilink links;	/* names of inodes with several */
	struct match_cursor *cursor;	/* NULL: out of memory */
	const char *reason;	/* of the last exclusion check, or NULL */
};

static void skip(struct guest_walk *r, const struct walk_entry *e,
		 enum skip_reason why)
{
	if (S_ISDIR(e->st.st_mode))
		r->t->dirs_skipped[why]++;	/* apart: not files */
	else
		r->t->skipped[why]++;
	if (why == SKIP_EXCLUDED && r->reason)
		note(2, "skipped '%s%s': %s (%s)", qs(r->g->prefix),
		     qs(e->path), skip_reason_name(why), qs(r->reason));
	else
		note(2, "skipped '%s%s': %s", qs(r->g->prefix), qs(e->path),
		     skip_reason_name(why));
}

/* Whether directory @st is a store; a store no guest needs is NULL. */
static bool is_store(const struct guest_walk *r, const struct stat *st)
{
	const struct store *s;
	int i;

	for (i = 0; i < r->h->n_stores; i++) {
		s = r->h->stores[i];
		if (s && store_is_dir(s, st))
			return true;
	}
	return false;
}

/*
 * Whether util-vserver's exclude list of guest @g leaves @path out
 * (vexclude.h): it applies with its own meaning, beside the matcher.
 */
static bool old_list_skips(const struct guest *g, const char *path)
{
	return g->vserver && g->vserver->excludes &&
	       vexclude_skips(g->vserver->excludes, path);
}

/*
 * The exclusion verdict for @e; @dir: it is a directory. Sets r->reason
 * to the deciding rule's reason, for -vv.
 */
static enum match_verdict check(struct guest_walk *r,
				const struct walk_entry *e, bool dir)
{
	enum match_verdict v;
	const char *why;

	if (r->cursor) {
		v = matcher_cursor_check(r->cursor, e->path, e->pathlen,
					 e->depth, dir);
		why = matcher_cursor_reason(r->cursor);
	} else {
		v = matcher_explain(r->g->excludes, e->path, e->pathlen, &why);
	}
	r->reason = v == MATCH_EXCLUDE ? why : NULL;
	return v;
}

static bool enter(const struct walk_entry *e, void *arg)
{
	struct guest_walk *r = arg;

	if (e->other_mount) {
		skip(r, e, SKIP_OTHER_FS);
		return false;
	}
	if (is_store(r, &e->st)) {
		skip(r, e, SKIP_STORE);
		return false;
	}
	if ((check(r, e, true) == MATCH_EXCLUDE &&
	     !matcher_may_include_below(r->g->excludes, e->path,
					e->pathlen)) ||
	    old_list_skips(r->g, e->path)) {
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
static bool remove_leftover(struct guest_walk *r, const struct walk_entry *e)
{
	char msg[LOG_MSG_MAX];
	int ret;

	if (!tmpname_like(e->name) ||
	    matcher_check(r->g->excludes, e->path, e->pathlen) ==
	    MATCH_EXCLUDE)
		return false;
	ret = link_remove_leftover(r->g->store, e->dirfd, e->name, &e->st,
				   r->h->opt->dry_run);
	if (ret < 0) {
		error_msg(msg, sizeof(msg), ret, "cannot remove leftover "
			  "'%s%s'", qs(r->g->prefix), qs(e->path));
		tally_fail(r->t, r->g->prefix, e->path, ret, msg);
	} else if (!ret) {
		note(1, "left alone '%s%s': named like a temporary of "
		     "vhashify, but not a leftover of this store",
		     qs(r->g->prefix), qs(e->path));
	} else if (r->h->opt->dry_run) {
		note(1, "would remove leftover '%s%s'", qs(r->g->prefix),
		     qs(e->path));
	} else {
		note(1, "removed leftover '%s%s'", qs(r->g->prefix),
		     qs(e->path));
		r->t->temporaries++;
	}
	return true;
}

/* Why the non-directory @e may not be shared, or -1 if it may. */
static int why_not(struct guest_walk *r, const struct walk_entry *e)
{
	if (check(r, e, false) == MATCH_EXCLUDE ||
	    old_list_skips(r->g, e->path))
		return SKIP_EXCLUDED;
	if (S_ISLNK(e->st.st_mode))
		return SKIP_SYMLINK;
	if (!S_ISREG(e->st.st_mode))
		return SKIP_SPECIAL;
	if (e->other_mount)
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

/*
 * Whether @e has the immutable or the append-only flag (chattr +i, +a):
 * no name of it can be replaced or linked to, so every try would fail.
 * statx() tells without opening it.
 */
static bool is_immutable(const struct walk_entry *e)
{
	return e->attributes & (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND);
}

/*
 * The bytes a run gives back by letting go of @bytes of the file @st:
 * its allocated blocks, not its apparent size, which a sparse file
 * exceeds; a part of a file (reflink) at most its blocks.
 */
static off_t allocated(off_t bytes, const struct stat *st)
{
	off_t blocks = (off_t)st->st_blocks * 512;

	if (bytes && bytes >= st->st_size)
		return blocks;
	return bytes < blocks ? bytes : blocks;
}

/*
 * Checks the object the guest file @e is a link to (objmap.h): returns
 * OBJMAP_OK, OBJMAP_OTHER_GROUP when it is to be relinked to an object
 * of the guest's own trust group, or else skips it (the first guest
 * file met of an object written since it was stored fails, and the
 * run with it).
 */
static int check_object(struct guest_walk *r, const struct walk_entry *e)
{
	char msg[LOG_MSG_MAX];
	bool first;
	int ret;

	if (!r->params.map)
		return OBJMAP_OK;
	ret = objmap_check_entry(r->params.map, &e->st, r->params.group,
				 &first);
	if (first) {
		objmap_report(r->params.map, &e->st, r->g->prefix, e->path,
			      msg);
		tally_fail(r->t, r->g->prefix, e->path, 0, msg);
	} else if (ret == OBJMAP_MODIFIED) {
		skip(r, e, SKIP_WRITTEN);
	} else if (ret < 0) {
		skip(r, e, ret == -EACCES || ret == -EPERM ?
		     SKIP_UNREADABLE : SKIP_CHANGED);
	}
	return ret;
}

volatile sig_atomic_t hashify_stop;

/* A stop signal came: the walk ends, no directory is listed again. */
static bool stopping(void *arg)
{
	(void)arg;
	return hashify_stop;
}

/*
 * Unifies the shareable regular file @e: returns true when it replaced
 * the entry, so that its directory gets its mtime back.
 */
static bool consider(struct guest_walk *r, const struct walk_entry *e)
{
	const struct options *o = r->h->opt;
	struct unify_error why;
	off_t freed, stored;

	if (hashify_stop)
		return false;	/* stopping: no new file */
	if (!o->refresh && !r->g->reflink &&
	    store_is_object(r->g->store, &e->st)) {
		switch (check_object(r, e)) {
		case OBJMAP_OK:
			r->t->unified++;
			note(2, "unified '%s%s'", qs(r->g->prefix),
			     qs(e->path));
			return false;
		case OBJMAP_OTHER_GROUP:
			break;	/* to an object of its own group */
		default:
			return false;	/* said and counted */
		}
	}
	/* a store object made immutable by --immutable is unified above
	 * or by unify_file(); a guest's own is left alone */
	if (!store_is_object(r->g->store, &e->st) && is_immutable(e)) {
		skip(r, e, SKIP_IMMUTABLE);
		return false;
	}

	switch (unify_file(&r->params, e, &freed, &stored, &why)) {
	case UNIFY_LINKED_NEW:
		r->t->new_objects++;
		/* fall through */
	case UNIFY_LINKED:
		r->t->linked++;
		r->t->bytes_freed += allocated(freed, &e->st);
		r->t->bytes_stored += allocated(stored, &e->st);
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
	case UNIFY_SPARSE:
		skip(r, e, SKIP_SPARSE);
		break;
	case UNIFY_IN_USE:
		skip(r, e, SKIP_IN_USE);
		break;
	case UNIFY_CHANGED:
		skip(r, e, SKIP_CHANGED);
		return !o->dry_run;	/* a temporary may have come and gone */
	case UNIFY_FAILED:
		tally_fail(r->t, r->g->prefix, e->path, why.err, why.msg);
		return !o->dry_run;
	}
	return false;
}

/*
 * Whether @e is a name of an inode with other names, to be decided on
 * once the whole guest is walked (see multilink.h): not with reflink,
 * where every inode keeps its own metadata and bytes, nor for a store
 * object, whose other names are the store's and other guests'.
 */
static bool is_multilink(const struct guest_walk *r, const struct walk_entry *e)
{
	return S_ISREG(e->st.st_mode) && e->st.st_nlink > 1 &&
	       e->st.st_dev == r->g->st.st_dev && !r->g->reflink &&
	       !store_is_object(r->g->store, &e->st);
}

/*
 * Records the name @e of an inode with several names; @kept: a name
 * that may not be shared. Returns 0 when recorded or kept, the reason
 * to skip it now, or -1 when it failed (said and counted).
 */
static int defer(struct guest_walk *r, const struct walk_entry *e, bool kept)
{
	char msg[LOG_MSG_MAX];
	struct stat dir;
	int ret;

	if (fstat(e->dirfd, &dir))
		return SKIP_CHANGED;
	ret = multilink_add(&r->links, e->st.st_ino, e->st.st_nlink,
			    dir.st_ino, e->path, kept);
	if (ret == -ENOBUFS && !kept)
		return SKIP_TOO_MANY_LINKS;
	if (ret == -ENOMEM && !kept) {
		error_msg(msg, sizeof(msg), ret, "cannot remember '%s%s'",
			  qs(r->g->prefix), qs(e->path));
		tally_fail(r->t, r->g->prefix, e->path, ret, msg);
		return -1;
	}
	/* a kept name not recorded leaves its inode's group short: the
	 * other names stay apart all the same */
	return 0;
}

static bool file(const struct walk_entry *e, void *arg)
{
	struct guest_walk *r = arg;
	const struct options *o = r->h->opt;
	int why;

	if (remove_leftover(r, e))
		return !o->dry_run;
	r->t->seen++;
	progress_file(S_ISREG(e->st.st_mode) ? e->st.st_size : 0);
	why = why_not(r, e);
	if (why == SKIP_EXCLUDED && is_multilink(r, e))
		defer(r, e, true);
	if (why >= 0) {
		skip(r, e, why);
		return false;
	}
	if (is_multilink(r, e)) {
		why = defer(r, e, false);
		if (why > 0)
			skip(r, e, why);
		return false;
	}
	return consider(r, e);
}

/*
 * Opens the directory holding the recorded name @n, as safely as the
 * walk did: inside the guest, through no symlink and no mount point,
 * and only if it is still the directory that was listed. Sets *name to
 * the last component of its path. Returns an fd or -errno.
 */
static int open_dir_of(const struct guest_walk *r,
		       const struct multilink_name *n, const char **name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	const char *slash = strrchr(n->path, '/');
	char *dir = strndup(n->path, slash == n->path ? 1 : slash - n->path);
	struct stat st;
	int fd;

	if (!dir)
		return -ENOMEM;
	*name = slash + 1;
	fd = guest_openat2(r->g->rootfd, dir, &how);
	free(dir);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || st.st_dev != r->g->st.st_dev ||
	    st.st_ino != n->dir_ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/*
 * Fills @e for the recorded name @n, its directory open in @dirfd, if
 * it is still a regular file of the recorded inode. Returns 0 or -errno.
 */
static int entry_of(const struct guest_walk *r, const struct multilink_name *n,
		    int dirfd, const char *name, struct walk_entry *e)
{
	int ret;

	memset(e, 0, sizeof(*e));	/* no walk position: depth 0 */
	e->dirfd = dirfd;
	e->name = name;
	e->path = n->path;
	e->pathlen = strlen(n->path);
	ret = walk_stat(dirfd, name, e, NULL);
	if (ret)
		return ret;
	if (!S_ISREG(e->st.st_mode) || e->st.st_dev != r->g->st.st_dev ||
	    e->st.st_ino != n->ino)
		return -ESTALE;
	return 0;
}

/* Skips every shareable name of the group [@i, @end) for @why. */
static void skip_group(struct guest_walk *r, size_t i, size_t end,
		       enum skip_reason why)
{
	struct walk_entry e = { .dirfd = -1 };

	for (; i < end; i++) {
		if (!r->links.v[i].path)
			continue;	/* a kept name, counted as it was */
		e.path = r->links.v[i].path;
		e.pathlen = strlen(e.path);
		skip(r, &e, why);
	}
}

/*
 * Checks that the names [@i, @end) are, now, every name of their inode:
 * each still where it was listed, and its link count their number.
 * Returns 0 or the reason to leave them alone.
 */
static int group_complete(struct guest_walk *r, size_t i, size_t end)
{
	struct walk_entry e;
	const char *name;
	nlink_t nlink = 0;
	size_t k;
	int fd, ret;

	for (k = i; k < end; k++) {
		fd = open_dir_of(r, &r->links.v[k], &name);
		if (fd < 0)
			return SKIP_CHANGED;
		ret = entry_of(r, &r->links.v[k], fd, name, &e);
		close(fd);
		if (ret)
			return SKIP_CHANGED;
		if (nlink && e.st.st_nlink != nlink)
			return SKIP_CHANGED;	/* linked meanwhile */
		nlink = e.st.st_nlink;
	}
	return nlink == end - i ? 0 : SKIP_NAMED_OUTSIDE;
}

/* consider() as a change walk_change_entry() makes */
struct deferred {
	struct guest_walk *r;
	const struct walk_entry *e;
};

static bool consider_deferred(void *arg)
{
	struct deferred *d = arg;

	return consider(d->r, d->e);
}

/*
 * Unifies the names [@i, @end) of one inode, all of them shareable
 * names in this guest: each in turn, so that all of them end up on one
 * object and the guest keeps its link structure. Their directories get
 * their mtimes back as in the walk.
 */
static void unify_group(struct guest_walk *r, size_t i, size_t end)
{
	struct walk_entry e;
	struct deferred d = { r, &e };
	const char *name;
	int fd;

	for (; i < end; i++) {
		fd = open_dir_of(r, &r->links.v[i], &name);
		if (fd >= 0 && !entry_of(r, &r->links.v[i], fd, name, &e)) {
			walk_change_entry(fd, name, consider_deferred, &d);
		} else {
			e.path = r->links.v[i].path;
			e.pathlen = strlen(e.path);
			skip(r, &e, SKIP_CHANGED);
		}
		if (fd >= 0)
			close(fd);
	}
}

/* After the walk: the inodes with several names, one at a time. */
static void hashify_multilinks(struct guest_walk *r)
{
	size_t i, end, k;
	int why;

	multilink_sort(&r->links);
	for (i = 0; i < r->links.n; i = end) {
		end = multilink_group_end(&r->links, i);
		why = 0;
		for (k = i; k < end; k++)
			if (!r->links.v[k].path)
				why = SKIP_LINKED_KEPT;
		/* fewer names than links, as the walk saw them: no need
		 * to look again */
		if (!why && end - i < r->links.v[i].nlink)
			why = SKIP_NAMED_OUTSIDE;
		if (!why)
			why = group_complete(r, i, end);
		if (why == SKIP_NAMED_OUTSIDE && r->links.full)
			why = SKIP_TOO_MANY_LINKS;	/* may be unrecorded */
		if (why)
			skip_group(r, i, end, why);
		else
			unify_group(r, i, end);
	}
}

static void fail(const char *path, int err, void *arg)
{
	struct guest_walk *r = arg;
	char msg[LOG_MSG_MAX];

	if (err == -ESTALE) {
		/* the guest swapped a directory while we walked: leave
		 * it be */
		r->t->dirs_skipped[SKIP_CHANGED]++;
		note(2, "skipped '%s%s': %s", qs(r->g->prefix), qs(path),
		     skip_reason_name(SKIP_CHANGED));
		return;
	}
	error_msg(msg, sizeof(msg), err, "cannot read directory '%s%s'",
		  qs(r->g->prefix), qs(path));
	tally_fail(r->t, r->g->prefix, path, err, msg);
}

const char *hashify_group(const struct hashify *h, const struct guest *g)
{
	if (g->reflink || h->opt->immutable || store_is_immutable(g->store) ||
	    store_default_group(g->group))
		return NULL;
	return g->group;
}

/* The map of the objects of @g's store, or NULL. */
static struct objmap *map_of(const struct hashify *h, const struct guest *g)
{
	int i;

	for (i = 0; h->maps && i < h->n_stores; i++)
		if (h->stores[i] == g->store)
			return h->maps[i];
	return NULL;
}

void hashify_guest(const struct hashify *h, struct guest *g,
		   struct tally *t)
{
	static const struct walk_ops ops = { enter, file, fail };
	struct guest_walk r = {
		.h = h,
		.g = g,
		.t = t,
		.params = {
			.store = g->store,
			.reflink = g->reflink,
			.refresh = h->opt->refresh,
			.ignore_mtime = h->opt->ignore_mtime,
			.immutable = h->opt->immutable,
			.guest = g->prefix,
			.group = hashify_group(h, g),
			.map = g->reflink ? NULL : map_of(h, g),
		},
		.links = MULTILINK_INIT,
	};
	char msg[LOG_MSG_MAX];
	int ret;

	r.cursor = matcher_cursor_new(g->excludes);
	ret = walk_tree_until(g->rootfd, &ops, &r, stopping);
	matcher_cursor_free(r.cursor);
	if (ret) {
		error_msg(msg, sizeof(msg), ret, "cannot walk guest '%s'",
			  qs(g->path));
		tally_fail(t, "", g->path, ret, msg);
	} else {
		hashify_multilinks(&r);
	}
	multilink_release(&r.links);
}

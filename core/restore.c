// SPDX-License-Identifier: GPL-2.0-or-later
/* Giving a guest private copies of its shared files; see maint.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "immutable.h"
#include "link.h"
#include "log.h"
#include "maint.h"
#include "metakey.h"
#include "tmpname.h"
#include "walk.h"

struct restore {
	struct guest *g;
	bool dry_run;
	struct tally *t;
};

/*
 * Makes a private copy of the shared file @e beside it, with the same
 * bytes (holes kept), metadata and xattrs, proves it equal, and renames
 * it over the file if the file is still what was read.
 */
static int restore_file(const struct walk_entry *e)
{
	char tmp[64];
	struct metakey key, copy;
	struct stat st, cst;
	int fd, tfd, ret;

	fd = content_open(e->dirfd, e->name);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_close;
	}
	if (!link_same_state(&st, &e->st)) {
		ret = -ESTALE;
		goto out_close;
	}
	ret = metakey_read(fd, &st, false, &key);
	if (ret)
		goto out_close;
	tfd = tmpname_create(e->dirfd, tmp, sizeof(tmp));
	if (tfd < 0) {
		ret = tfd;
		goto out_release;
	}
	ret = content_copy(fd, tfd, st.st_size);
	if (!ret)
		ret = content_compare(fd, tfd, st.st_size) ? -EIO : 0;
	if (!ret)
		ret = metakey_apply(&key, tfd);
	if (!ret && fstat(tfd, &cst))
		ret = -errno;
	if (!ret)
		ret = metakey_read(tfd, &cst, false, &copy);
	if (!ret) {
		if (!metakey_equal(&key, &copy))
			ret = -ENOTSUP;	/* the filesystem cannot hold it */
		metakey_release(&copy);
	}
	close(tfd);
	/* the file must still be the shared inode we copied */
	if (!ret && (fstatat(e->dirfd, e->name, &cst, AT_SYMLINK_NOFOLLOW) ||
		     !link_same_state(&cst, &st)))
		ret = -ESTALE;
	if (!ret) {
		/* an immutable object cannot lose a name: clear the flag
		 * meanwhile, and give it back for the other guests */
		bool held = immutable_get(fd) == 1 && !immutable_set(fd, false);

		if (renameat(e->dirfd, tmp, e->dirfd, e->name))
			ret = -errno;
		if (held)
			immutable_set(fd, true);
	}
	if (ret)
		unlinkat(e->dirfd, tmp, 0);
out_release:
	metakey_release(&key);
out_close:
	close(fd);
	return ret;
}

static bool enter(const struct walk_entry *e, void *arg)
{
	struct restore *r = arg;

	return e->st.st_dev == r->g->st.st_dev &&
	       !(e->st.st_ino == r->g->store->ino &&
		 e->st.st_dev == r->g->store->dev);
}

static bool file(const struct walk_entry *e, void *arg)
{
	struct restore *r = arg;
	int ret;

	if (!S_ISREG(e->st.st_mode) || !store_is_object(r->g->store, &e->st))
		return false;
	r->t->seen++;
	if (r->dry_run) {
		note(1, "would restore '%s%s'", qs(r->g->prefix), qs(e->path));
		r->t->linked++;
		return false;
	}
	ret = restore_file(e);
	if (ret == -ESTALE) {
		r->t->skipped[SKIP_CHANGED]++;
	} else if (ret) {
		error("cannot restore '%s%s': %s", qs(r->g->prefix),
		      qs(e->path), strerror(-ret));
		r->t->failed++;
	} else {
		note(1, "restored '%s%s'", qs(r->g->prefix), qs(e->path));
		r->t->linked++;
		r->t->bytes_stored += e->st.st_size;
	}
	return true;
}

static void fail(const char *path, int err, void *arg)
{
	struct restore *r = arg;

	error("cannot read directory '%s%s': %s", qs(r->g->prefix), qs(path),
	      strerror(-err));
	r->t->failed++;
}

void restore_guest(struct guest *g, bool dry_run, struct tally *t)
{
	static const struct walk_ops ops = { enter, file, fail };
	struct restore r = { .g = g, .dry_run = dry_run, .t = t };
	int ret;

	ret = walk_tree(g->rootfd, &ops, &r);
	if (ret) {
		error("cannot walk guest '%s': %s", qs(g->path),
		      strerror(-ret));
		t->failed++;
	}
	printf("guest '%s': %llu %s, %llu failed\n", qs(g->path),
	       (unsigned long long)t->linked,
	       dry_run ? "files would get a private copy" :
	       "files got a private copy", (unsigned long long)t->failed);
}

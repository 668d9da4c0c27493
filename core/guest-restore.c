// SPDX-License-Identifier: GPL-2.0-or-later
/* Giving a guest private copies of its shared files; see guest-restore.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "guest.h"
#include "guest-restore.h"
#include "immutable.h"
#include "inode.h"
#include "link.h"
#include "log.h"
#include "metakey.h"
#include "tmpname.h"
#include "u64set.h"
#include "walk.h"

/*
 * What the restore knows of an object inode the guest links: how many
 * names of it the guest has and its link count then (counted by a walk
 * before, for objects with more links than the store's name and one),
 * and the private copy @copy that an earlier name got, which the guest
 * has at @path: later names of the object get links to it, so that the
 * guest keeps its own hard links. No fd is kept.
 */
struct object_seen {
	ino_t obj;		/* 0: a free slot */
	nlink_t names;		/* 0: not counted */
	nlink_t links;
	ino_t copy;		/* 0: no copy yet */
	char *path;
};

struct restore {
	struct guest *g;
	bool dry_run;
	struct tally *t;
	int tmpfd;		/* the store's tmp/ */
	struct object_seen *seen;	/* open addressing on obj */
	size_t cap, count;
	/*
	 * Objects no other guest links (the store's name and the guest's
	 * names of it): the file keeps its inode, and the store's name is
	 * removed after the walk (restore_guest() only).
	 */
	bool keep_sole;
	struct u64set soles;
	uint64_t kept;		/* such files that left the store */
	bool names_failed;	/* not all counted: no such object is sole */
};

static struct object_seen *seen_slot(const struct restore *r, ino_t obj)
{
	size_t i = (obj * 0x9e3779b97f4a7c15ull) & (r->cap - 1);

	while (r->seen[i].obj && r->seen[i].obj != obj)
		i = (i + 1) & (r->cap - 1);
	return &r->seen[i];
}

/* What is known of object @obj, or NULL. */
static struct object_seen *seen_find(const struct restore *r, ino_t obj)
{
	struct object_seen *o;

	if (!r->cap || !obj)
		return NULL;
	o = seen_slot(r, obj);
	return o->obj ? o : NULL;
}

/* The entry of object @obj, made when missing; NULL: out of memory. */
static struct object_seen *seen_add(struct restore *r, ino_t obj)
{
	struct object_seen *o;

	if (2 * (r->count + 1) > r->cap) {
		struct object_seen *old = r->seen;
		size_t i, cap = r->cap;

		r->cap = cap ? 2 * cap : 64;
		r->seen = calloc(r->cap, sizeof(*r->seen));
		if (!r->seen) {
			r->seen = old;
			r->cap = cap;
			return NULL;
		}
		for (i = 0; i < cap; i++)
			if (old[i].obj)
				*seen_slot(r, old[i].obj) = old[i];
		free(old);
	}
	o = seen_slot(r, obj);
	if (!o->obj) {
		o->obj = obj;
		r->count++;
	}
	return o;
}

/* The copy an earlier name of object @obj got, or NULL. */
static const struct object_seen *copy_find(const struct restore *r,
					   ino_t obj)
{
	const struct object_seen *o = seen_find(r, obj);

	return o && o->copy ? o : NULL;
}

/* Remembers that object @obj got copy @copy at @path; 0 or -ENOMEM. */
static int copy_add(struct restore *r, ino_t obj, ino_t copy,
		    const char *path)
{
	struct object_seen *o = obj ? seen_add(r, obj) : NULL;
	char *dup;

	if (!obj)
		return 0;
	dup = o ? strdup(path) : NULL;
	if (!dup)
		return -ENOMEM;
	free(o->path);
	o->copy = copy;
	o->path = dup;
	return 0;
}

/* Forgets every count of names: none can be trusted. */
static void names_forget(struct restore *r)
{
	size_t i;

	for (i = 0; i < r->cap; i++)
		r->seen[i].names = r->seen[i].links = 0;
}

/* How many names of object @ino the guest has: 1 unless counted. */
static nlink_t names_in_guest(const struct restore *r, ino_t ino)
{
	const struct object_seen *o = seen_find(r, ino);

	return o && o->names ? o->names : 1;
}

/*
 * Counts one more name of object @ino (with @links links) in the guest;
 * 0 or -ENOMEM.
 */
static int names_add(struct restore *r, ino_t ino, nlink_t links)
{
	struct object_seen *o;

	if (!ino)
		return 0;
	o = seen_add(r, ino);
	if (!o)
		return -ENOMEM;
	o->names++;
	o->links = links;
	return 0;
}

/*
 * Whether the object @st is linked by this guest alone: its links are
 * the store's name and the guest's names of it, as counted before the
 * restore began, and none has gone since (a copy made for one name
 * means that the others are shared).
 */
static bool sole(const struct restore *r, const struct stat *st)
{
	const struct object_seen *o = seen_find(r, st->st_ino);

	if (!o || !o->names)
		return st->st_nlink == 2;
	return o->links == o->names + 1 && st->st_nlink == o->links;
}

/*
 * Opens (O_PATH) the copy @c at its guest path, resolved inside the
 * guest with no symlink followed, if it still is that inode and holds
 * what the object @obj holds. Returns the fd and fills @st, or -errno.
 */
static int open_copy(const struct restore *r, const struct object_seen *c,
		     const struct stat *obj, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd;

	fd = guest_openat2(r->g->rootfd, c->path, &how);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) ||
	    st->st_ino != c->copy || st->st_dev != obj->st_dev ||
	    st->st_size != obj->st_size || st->st_mode != obj->st_mode ||
	    st->st_uid != obj->st_uid || st->st_gid != obj->st_gid ||
	    st->st_mtim.tv_sec != obj->st_mtim.tv_sec ||
	    st->st_mtim.tv_nsec != obj->st_mtim.tv_nsec) {
		close(fd);
		return -ESTALE;	/* moved or changed: make another copy */
	}
	return fd;
}

/* Links the file open as @fd into @dirfd under a fresh name @tmp. */
static int link_tmp(int fd, int dirfd, char tmp[TMPNAME_MAX])
{
	char proc[32];
	int tries;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (tries = 0; tries < 100; tries++) {
		tmpname_next(tmp, TMPNAME_MAX);
		if (!linkat(fd, "", dirfd, tmp, AT_EMPTY_PATH))
			return 0;
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not */
		if ((errno == ENOENT || errno == EPERM) &&
		    !linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/*
 * Makes a private copy of the object open as @fd (@st, metadata @key)
 * in the store's tmp/ as @tmp, with the same bytes (holes kept),
 * metadata and xattrs, proves it equal and syncs it. Fills @cst.
 */
static int make_copy(const struct restore *r, int fd, const struct stat *st,
		     const struct metakey *key, char tmp[TMPNAME_MAX],
		     struct stat *cst)
{
	struct metakey copy;
	int tfd, ret;

	tfd = tmpname_create(r->tmpfd, tmp, TMPNAME_MAX);
	if (tfd < 0)
		return tfd;
	ret = metakey_apply_early(key, tfd);
	if (!ret)
		ret = content_copy(fd, tfd, st->st_size);
	if (!ret)
		ret = content_compare(fd, tfd, st->st_size) ? -EIO : 0;
	if (!ret)
		ret = metakey_apply(key, tfd);
	/* on disk before any guest path can name it */
	if (!ret && fdatasync(tfd))
		ret = -errno;
	if (!ret && fstat(tfd, cst))
		ret = -errno;
	if (!ret)
		ret = metakey_read(tfd, cst, false, &copy);
	if (!ret) {
		if (!metakey_equal(key, &copy))
			ret = -ENOTSUP;	/* the filesystem cannot hold it */
		metakey_release(&copy);
	}
	close(tfd);
	if (ret)
		unlinkat(r->tmpfd, tmp, 0);
	return ret;
}

/*
 * Gives the shared file @e a private copy: a link to the copy an
 * earlier name of the same object got, or a new one. The copy is made
 * in the store's tmp/, so that a crash leaves nothing in the guest,
 * and swapped with the guest path (link_exchange), which must still
 * hold the object as it was read. Writes the name of a guest file left
 * aside to @left (-EAGAIN).
 */
static int restore_file(struct restore *r, const struct walk_entry *e,
			char left[TMPNAME_MAX])
{
	const struct object_seen *c;
	char tmp[TMPNAME_MAX];
	struct metakey key;
	struct stat st, now, cst;
	int fd, cfd, ret, leasefd = -1;
	struct immutable_hold h;

	fd = content_open(e->dirfd, e->name, &st);
	if (fd < 0)
		return fd;
	/* ctime may have moved: other names of the object come and go */
	if (!inode_same_content(&st, &e->st)) {
		ret = -ESTALE;
		goto out_close;
	}
	/* a process writing the object would write past our copy */
	ret = inode_lease_take(fd);
	if (ret == -EAGAIN) {
		ret = -ETXTBSY;
		goto out_close;
	}
	if (!ret)
		leasefd = fd;	/* else no leases here: as before */
	c = copy_find(r, st.st_ino);
	cfd = c ? open_copy(r, c, &st, &cst) : -ENOENT;
	if (cfd >= 0) {
		ret = link_tmp(cfd, r->tmpfd, tmp);
		close(cfd);
	} else {
		c = NULL;
		ret = metakey_read(fd, &st, false, &key);
		if (ret)
			goto out_close;
		ret = make_copy(r, fd, &st, &key, tmp, &cst);
		metakey_release(&key);
	}
	if (ret)
		goto out_close;

	/* an immutable object cannot lose a name: clear the flag
	 * meanwhile, and give it back for the other guests */
	ret = immutable_hold(r->g->store, fd, &h);
	if (ret) {
		unlinkat(r->tmpfd, tmp, 0);
		goto out_close;
	}
	if (fstat(fd, &now)) {
		ret = -errno;
		unlinkat(r->tmpfd, tmp, 0);
	} else if (!inode_same_content(&now, &st)) {
		ret = -ESTALE;
		unlinkat(r->tmpfd, tmp, 0);
	} else {
		ret = link_exchange(r->tmpfd, tmp, e->dirfd, e->name, &now,
				    &cst, leasefd, left);
	}
	immutable_release(&h, false);
	/* the store's name and this one: more are other hard links */
	if (!ret && !c && st.st_nlink > 2)
		ret = copy_add(r, st.st_ino, cst.st_ino, e->path);
out_close:
	if (leasefd >= 0)
		inode_lease_drop(leasefd);
	close(fd);
	return ret;
}

static bool enter(const struct walk_entry *e, void *arg)
{
	struct restore *r = arg;

	return e->st.st_dev == r->g->st.st_dev &&
	       !store_is_dir(r->g->store, &e->st);
}

/*
 * A name like a temporary: removed when provably a leftover of an
 * interrupted hashify on this store, else left alone.
 */
static bool leftover(struct restore *r, const struct walk_entry *e)
{
	int ret;

	ret = link_remove_leftover(r->g->store, e->dirfd, e->name, &e->st,
				   r->dry_run);
	if (ret < 0) {
		error("cannot remove leftover '%s%s': %s", qs(r->g->prefix),
		      qs(e->path), strerror(-ret));
		r->t->failed++;
	} else if (ret && r->dry_run) {
		note(1, "would remove leftover '%s%s'", qs(r->g->prefix),
		     qs(e->path));
	} else if (ret) {
		note(1, "removed leftover '%s%s'", qs(r->g->prefix),
		     qs(e->path));
		r->t->temporaries++;
	} else {
		note(1, "left alone '%s%s': named like a temporary of "
		     "vhashify, but not a leftover of this store",
		     qs(r->g->prefix), qs(e->path));
	}
	return ret > 0 && !r->dry_run;
}

/*
 * An EXDEV of the swap: reports it as the project quota boundary it is
 * when the file's project is not its directory's or the store tmp/'s.
 * Returns whether it did.
 */
static bool project_error(const struct restore *r,
			  const struct walk_entry *e)
{
	uint32_t file, dir, tmp;
	int fd;

	fd = content_open(e->dirfd, e->name, NULL);
	if (fd < 0)
		return false;
	if (metakey_project(fd, &file) || metakey_project(e->dirfd, &dir) ||
	    metakey_project(r->tmpfd, &tmp) || (file == dir && file == tmp)) {
		close(fd);
		return false;
	}
	close(fd);
	error("cannot restore '%s%s': different project quota: the file's "
	      "is %u, %s %u", qs(r->g->prefix), qs(e->path), file,
	      file != dir ? "its directory's" : "the store's tmp/'s",
	      file != dir ? dir : tmp);
	return true;
}

bool restore_entry(struct restore *r, const struct walk_entry *e)
{
	char left[TMPNAME_MAX];
	int ret;

	if (!S_ISREG(e->st.st_mode) || !store_is_object(r->g->store, &e->st))
		return false;
	r->t->seen++;
	if (r->keep_sole && sole(r, &e->st)) {
		/* nothing to copy: the store's name goes after the walk */
		if (u64set_add(&r->soles, e->st.st_ino)) {
			error("cannot restore '%s%s': %s", qs(r->g->prefix),
			      qs(e->path), strerror(ENOMEM));
			r->t->failed++;
		}
		return false;
	}
	if (r->dry_run) {
		note(1, "would restore '%s%s'", qs(r->g->prefix), qs(e->path));
		r->t->restored++;
		return false;
	}
	ret = restore_file(r, e, left);
	if (ret == -ESTALE || ret == -ENOENT) {
		r->t->skipped[SKIP_CHANGED]++;
	} else if (ret == -ETXTBSY) {
		error("cannot restore '%s%s': a process has it open for "
		      "writing; try again when it is done", qs(r->g->prefix),
		      qs(e->path));
		r->t->failed++;
	} else if (ret == -EAGAIN) {
		error("cannot restore '%s%s': the guest kept replacing it; "
		      "its newest file is left beside it as '%s'",
		      qs(r->g->prefix), qs(e->path), qs(left));
		r->t->failed++;
	} else if (ret == -EOPNOTSUPP) {
		error("cannot restore '%s%s': the filesystem cannot swap two "
		      "names (RENAME_EXCHANGE), and a plain rename could "
		      "undo the guest's own changes", qs(r->g->prefix),
		      qs(e->path));
		r->t->failed++;
	} else if (ret == -EXDEV && project_error(r, e)) {
		r->t->failed++;
	} else if (ret) {
		error("cannot restore '%s%s': %s", qs(r->g->prefix),
		      qs(e->path), strerror(-ret));
		r->t->failed++;
	} else {
		note(1, "restored '%s%s'", qs(r->g->prefix), qs(e->path));
		r->t->restored++;
		r->t->bytes_stored += e->st.st_size;
	}
	return true;
}

static bool file(const struct walk_entry *e, void *arg)
{
	struct restore *r = arg;

	if (tmpname_like(e->name))
		return leftover(r, e);
	return restore_entry(r, e);
}

/* The walk before the restore: names of objects with more links. */
static bool count_file(const struct walk_entry *e, void *arg)
{
	struct restore *r = arg;

	if (S_ISREG(e->st.st_mode) && e->st.st_nlink > 2 &&
	    !tmpname_like(e->name) && store_is_object(r->g->store, &e->st) &&
	    names_add(r, e->st.st_ino, e->st.st_nlink))
		r->names_failed = true;
	return false;
}

static void count_fail(const char *path, int err, void *arg)
{
	struct restore *r = arg;

	(void)path;
	(void)err;
	r->names_failed = true;	/* said by the restore's own walk */
}

static void fail(const char *path, int err, void *arg)
{
	struct restore *r = arg;

	error("cannot read directory '%s%s': %s", qs(r->g->prefix), qs(path),
	      strerror(-err));
	r->t->failed++;
}

int restore_begin(struct guest *g, bool dry_run, struct tally *t,
		  struct restore **out)
{
	struct restore *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	*r = (struct restore){ .g = g, .dry_run = dry_run, .t = t,
			       .tmpfd = -1 };
	if (!dry_run) {
		r->tmpfd = store_open_tmp_dir(g->store);
		if (r->tmpfd < 0) {
			int ret = r->tmpfd;

			free(r);
			return ret;
		}
	}
	*out = r;
	return 0;
}

void restore_end(struct restore *r)
{
	size_t i;

	if (!r)
		return;
	if (r->tmpfd >= 0)
		close(r->tmpfd);
	for (i = 0; i < r->cap; i++)
		free(r->seen[i].path);
	free(r->seen);
	u64set_release(&r->soles);
	free(r);
}

/*
 * Removes the store's name @name (in @dirfd) of an object the walk found
 * linked by the guest alone, if it still is inode @ino with just as many
 * links (only the guest can add one, and no other run works on the
 * store): the guest's file keeps its inode, bytes and metadata, and
 * loses the immutable flag of an immutable store with the store's name.
 */
static int drop_sole(struct store *s, int dirfd, const char *name,
		     ino_t ino, void *arg)
{
	struct restore *r = arg;
	const char *base = strchr(name, '/') + 1;
	struct immutable_hold h;
	struct stat st;
	int fd, ret;

	if (r->dry_run) {
		r->kept += names_in_guest(r, ino);
		return 0;
	}
	fd = content_open(dirfd, base, &st);
	if (fd < 0 || st.st_ino != ino || !sole(r, &st)) {
		/* gone, or another guest name came or went meanwhile */
		if (fd >= 0)
			close(fd);
		r->t->skipped[SKIP_CHANGED]++;
		return 0;
	}
	ret = immutable_hold(s, fd, &h);
	if (!ret) {
		ret = unlinkat(dirfd, base, 0) ? -errno : 0;
		/* no longer an object: the guest's file stays writable */
		if (!ret)
			h.was_set = false;
		immutable_release(&h, false);
	}
	close(fd);
	if (ret) {
		error("cannot remove '%s/objects/%s' linked by guest '%s' "
		      "alone: %s", qs(store_path(s)), qs(name), qs(r->g->path),
		      strerror(-ret));
		r->t->failed++;
	} else {
		r->kept += names_in_guest(r, ino);
	}
	return 0;
}

void restore_guest(struct guest *g, bool dry_run, struct tally *t)
{
	static const struct walk_ops ops = { enter, file, fail };
	static const struct walk_ops count_ops = { enter, count_file,
						   count_fail };
	struct restore *r = NULL;
	uint64_t kept = 0;
	int ret;

	ret = restore_begin(g, dry_run, t, &r);
	if (!ret) {
		/* names of objects with more links: the guest's own, all? */
		ret = walk_tree(g->rootfd, &count_ops, r);
		if (r->names_failed)
			names_forget(r);
	}
	if (!ret) {
		r->keep_sole = true;
		ret = walk_tree(g->rootfd, &ops, r);
	}
	if (!ret) {
		ret = store_find_names(g->store, &r->soles, drop_sole, r);
		if (ret) {
			error("cannot read objects of store '%s': %s",
			      qs(store_path(g->store)), strerror(-ret));
			t->failed++;	/* the files stay linked */
		}
		ret = 0;
		kept = r->kept;
	}
	restore_end(r);
	if (ret) {
		error("cannot walk guest '%s': %s", qs(g->path),
		      strerror(-ret));
		t->failed++;
	}
	printf("guest '%s': %llu %s, %llu %s the store keeping their inode "
	       "(no other guest linked them), %llu failed\n", qs(g->path),
	       (unsigned long long)t->restored,
	       dry_run ? "files would get a private copy" :
	       "files got a private copy", (unsigned long long)kept,
	       dry_run ? "would leave" : "left", (unsigned long long)t->failed);
}

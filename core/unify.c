// SPDX-License-Identifier: GPL-2.0-or-later
/* One candidate file to its store object; see unify.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "closer.h"
#include "content.h"
#include "dedupe.h"
#include "immutable.h"
#include "inode.h"
#include "link.h"
#include "log.h"
#include "metakey.h"
#include "progress.h"
#include "unify.h"

/* A candidate as it was when hashed. */
struct candidate {
	const struct unify_params *p;
	const struct walk_entry *e;
	struct unify_error *why;	/* what a failure said */
	int fd;
	bool leased;		/* fd holds a read lease (inode_lease_take) */
	struct stat st;
	struct metakey key;
	struct digest digest;
};

static void fail(const struct candidate *c, const char *what, int err)
{
	c->why->err = error_msg(c->why->msg, sizeof(c->why->msg), err,
				"cannot %s '%s%s'", what, qs(c->p->guest),
				qs(c->e->path));
}

/*
 * Reports @err of @what: an EXDEV where the project of @dirfd (the
 * directory the link was to go to, @whose) is not the file's is a
 * project quota's boundary, and is said so.
 */
static void fail_in(const struct candidate *c, const char *what, int err,
		    int dirfd, const char *whose)
{
	uint32_t projid;

	if (err == -EXDEV && dirfd >= 0 && !c->p->reflink &&
	    !metakey_project(dirfd, &projid) && projid != c->key.projid) {
		error_msg(c->why->msg, sizeof(c->why->msg), 0,
			  "cannot %s '%s%s': different project quota: the "
			  "file's is %u, %s %u", what, qs(c->p->guest),
			  qs(c->e->path), c->key.projid, whose, projid);
		c->why->err = err;
		return;
	}
	fail(c, what, err);
}

/*
 * Makes a new object @name from the candidate: a private copy in the
 * store, hashed again from the copy, given the candidate's metadata,
 * synced, then published. Returns 0, -ESTALE when the copy does not
 * match (the file changed), -EEXIST when the name appeared meanwhile,
 * or another -errno. With @fd, the new object is left open there.
 *
 * A reflink object is a clone and nothing more: no metadata, no guest
 * path will ever name it, and the kernel compares the bytes at every
 * dedupe, so one that changed under the clone misleads nobody. Nor does
 * it need a sync: the kernel writes a range back before it shares its
 * extents, in a transaction that commits after the clone's.
 */
static int make_object(const struct candidate *c, const char *name,
		       int *fd)
{
	struct store *s = c->p->store;
	struct store_tmp t;
	struct digest copied;
	struct metakey key;
	struct stat st;
	off_t size;
	int ret;

	ret = store_tmp_create(s, &t);
	if (ret)
		return ret;
	ret = c->p->reflink ? 0 : metakey_apply_early(&c->key, t.fd);
	if (!ret)
		ret = content_copy(c->fd, t.fd, c->st.st_size);
	if (ret)
		goto out_discard;
	if (c->p->reflink)
		goto out_publish;
	ret = content_hash(t.fd, store_hash(s), &copied, &size);
	if (ret)
		goto out_discard;
	if (size != c->st.st_size || !digest_equal(&copied, &c->digest)) {
		ret = -ESTALE;
		goto out_discard;
	}
	ret = metakey_apply(&c->key, t.fd);
	if (ret)
		goto out_discard;
	if (fstat(t.fd, &st)) {
		ret = -errno;
		goto out_discard;
	}
	ret = metakey_read(t.fd, &st, c->key.ignore_mtime, &key);
	if (ret)
		goto out_discard;
	if (!metakey_equal(&key, &c->key))
		ret = -ENOTSUP;	/* the store cannot hold this metadata */
	metakey_release(&key);
	if (ret)
		goto out_discard;
	/* durable before any guest path can point at it */
	if (fdatasync(t.fd)) {
		ret = -errno;
		goto out_discard;
	}
out_publish:
	ret = store_tmp_publish(s, &t, name);
	if (ret)
		goto out_discard;
	if (fd)
		*fd = t.fd;
	else
		close(t.fd);
	return 0;

out_discard:
	store_tmp_discard(s, &t);
	return ret;
}

/*
 * Makes the candidate itself object @name: its inode, hashed and
 * unchanged since, gets the object name and the guest path keeps it.
 * No bytes are written and no inode is made, so this is the cheap way;
 * --immutable objects are private copies instead (make_object), so
 * that no guest can hold a writable descriptor of one. Returns 0,
 * -ESTALE when the file changed (the store takes the name back), -EEXIST,
 * or another -errno.
 */
static int adopt_object(const struct candidate *c, const char *name)
{
	struct store *s = c->p->store;
	struct stat now;
	int ret;

	ret = store_adopt(s, c->fd, &c->st, name);
	if (ret)
		return ret;
	/* the link itself moved ctime and nlink; a write moves mtime, and
	 * an open to write breaks the lease */
	if (fstat(c->fd, &now) || !inode_same_content(&now, &c->st) ||
	    (c->leased && !inode_lease_held(c->fd))) {
		ret = store_unadopt(s, name, &c->st);
		return ret ? ret : -ESTALE;
	}
	return 0;
}

/*
 * Whether the existing object @ofd (@ost, metadata key @okey) may stand
 * for the candidate: same metadata key, and the same bytes, compared
 * byte for byte in every hash mode. The name is no proof: any guest
 * that shares an object can write it in place, and it keeps its name.
 * Returns 1 yes, 0 no, or -errno.
 */
static int object_matches(const struct candidate *c, int ofd,
			  const struct stat *ost, const struct metakey *okey)
{
	int ret;

	if (ost->st_size != c->st.st_size || !metakey_equal(okey, &c->key))
		return 0;
	ret = content_compare(c->fd, ofd, c->st.st_size);
	return ret < 0 ? ret : !ret;
}

/* Whether objects get the immutable flag: --immutable, or the store's. */
static bool immutable(const struct candidate *c)
{
	return c->p->immutable || store_is_immutable(c->p->store);
}

/*
 * Links the candidate to object @name, open as @ofd. An immutable
 * object has its flag cleared for the link (nothing can link to an
 * immutable inode) and set again, and an immutable store sets it on
 * every object linked.
 */
static int link_object(struct candidate *c, const char *name, int ofd)
{
	struct store *s = c->p->store;
	const struct walk_entry *e = c->e;
	int dirfd = store_object_dir(s, name, false);
	char left[TMPNAME_MAX];
	struct immutable_hold h;
	int ret, err;

	if (dirfd < 0)
		return dirfd;
	ret = immutable_hold(s, ofd, &h);
	if (ret)
		return ret;
	ret = link_replace(s, dirfd, name, e->dirfd, e->name, &c->st,
			   c->leased ? c->fd : -1, left);
	if (ret == -EAGAIN) {
		error_msg(c->why->msg, sizeof(c->why->msg), 0,
			  "cannot link '%s%s': the guest kept replacing it; "
			  "its newest file is left beside it as '%s'",
			  qs(c->p->guest), qs(e->path), qs(left));
		c->why->err = ret;
	}
	err = immutable_release(&h, !ret && immutable(c));
	if (err)
		fail(c, "make immutable the object of", err);
	return ret;
}

/* Maps an error of the link step to a result, reporting real errors. */
static enum unify_result link_error(const struct candidate *c, int err)
{
	if (err == -ESTALE || err == -ENOENT)
		return UNIFY_CHANGED;
	if (err == -EAGAIN)
		return UNIFY_FAILED;	/* said by link_object */
	if (err == -EOPNOTSUPP) {
		error_msg(c->why->msg, sizeof(c->why->msg), 0,
			  "cannot link '%s%s': the filesystem cannot swap "
			  "two names (RENAME_EXCHANGE), and a plain rename "
			  "could undo the guest's own changes",
			  qs(c->p->guest), qs(c->e->path));
		c->why->err = err;
		return UNIFY_FAILED;
	}
	fail_in(c, "link", err, c->e->dirfd, "its directory's");
	return UNIFY_FAILED;
}

/*
 * Whether a new object is a private copy of the candidate rather than
 * the candidate's inode: with --immutable, and when the candidate is
 * an object already, of another trust group: its inode stays theirs.
 */
static bool copy_object(const struct candidate *c)
{
	return immutable(c) || store_is_object(c->p->store, &c->st);
}

/* Tells the run's map of objects about object @name, inode @ino. */
static void note_object(const struct candidate *c, ino_t ino,
			const char *name)
{
	if (c->p->map && objmap_add(c->p->map, ino, name))
		note(1, "cannot remember object '%s': %s", name,
		     strerror(ENOMEM));
}

/*
 * Whether the existing object @ost (metadata key @okey), named for the
 * candidate's digest and key, was written since it was stored: its
 * metadata is no longer its name's, or its size not the candidate's
 * (see objmap.h). Reported once per run; such an object is never
 * linked to.
 */
static bool written(const struct candidate *c, const struct stat *ost,
		    const struct metakey *okey)
{
	char msg[LOG_MSG_MAX];
	bool first;
	int ret;

	if (!c->p->map)
		return false;
	ret = objmap_check_key(c->p->map, okey, ost, c->st.st_size, &first);
	if (first)	/* the run fails by objmap_modified() */
		objmap_report(c->p->map, ost, c->p->guest, c->e->path, msg);
	return ret == OBJMAP_MODIFIED;
}

/* Finds or makes the object for the hashed candidate and links to it. */
static enum unify_result find_and_link(struct candidate *c, off_t *freed,
				       off_t *stored)
{
	struct store *s = c->p->store;
	off_t size = c->st.st_size;
	struct store_names names;
	const char *name = names.name;
	struct metakey okey;
	struct stat ost;
	bool copy;
	int ofd, ret;

	/* a guest inode we free: unless other names still hold it */
	*freed = c->st.st_nlink == 1 ? size : 0;
	store_names_init(&names, &c->digest, c->key.id, c->p->group, false);
	while (store_names_next(&names)) {
		ofd = store_open_object(s, name, &ost);
		if (ofd == -ENOENT) {
			if (store_is_dry_run(s)) {
				if (!store_plan(s, name))
					return UNIFY_LINKED;
				*stored = size;
				return UNIFY_LINKED_NEW;
			}
			/* decided before: an adopted file is an object */
			copy = copy_object(c);
			ret = copy ? make_object(c, name, &ofd) :
				     adopt_object(c, name);
			if (ret == -EEXIST && store_names_again(&names))
				continue;	/* appeared meanwhile */
			if (ret == -ESTALE)
				return UNIFY_CHANGED;
			if (ret) {
				fail_in(c, "store", ret,
					store_object_dir(s, name, false),
					"the store's");
				return UNIFY_FAILED;
			}
			if (!copy) {
				note_object(c, c->st.st_ino, name);
				*freed = 0;	/* the guest keeps its inode */
				return UNIFY_LINKED_NEW;
			}
			if (!fstat(ofd, &ost))
				note_object(c, ost.st_ino, name);
			ret = link_object(c, name, ofd);
			close(ofd);
			if (ret)
				return link_error(c, ret);
			*stored = size;
			return UNIFY_LINKED_NEW;
		}
		if (ofd < 0) {	/* -EUCLEAN: not ours, said: verify it */
			fail(c, "open object for", ofd);
			return UNIFY_FAILED;
		}
		if (ost.st_ino == c->st.st_ino && ost.st_dev == c->st.st_dev) {
			close(ofd);
			*freed = 0;
			return UNIFY_UNIFIED;
		}
		/* its key, read once: for the map and to compare */
		ret = metakey_read(ofd, &ost, c->key.ignore_mtime, &okey);
		if (ret) {
			close(ofd);
			fail(c, "read attributes of the object for", ret);
			return UNIFY_FAILED;
		}
		if (written(c, &ost, &okey) || store_object_full(s, &ost)) {
			/* never linked to, or full: a sibling instead */
			metakey_release(&okey);
			close(ofd);
			continue;
		}
		ret = object_matches(c, ofd, &ost, &okey);
		metakey_release(&okey);
		if (ret <= 0 || store_is_dry_run(s))
			close(ofd);
		if (ret < 0) {
			fail(c, "compare", ret);
			return UNIFY_FAILED;
		}
		if (!ret)
			continue;	/* same name, other file: a sibling */
		if (store_is_dry_run(s))
			return UNIFY_LINKED;
		ret = link_object(c, name, ofd);
		close(ofd);
		if (ret == -EMLINK)
			continue;
		if (ret)
			return link_error(c, ret);
		return UNIFY_LINKED;
	}
	fail(c, "store", -EMLINK);
	return UNIFY_FAILED;
}

/*
 * --method=reflink: finds or makes the content object and has the
 * kernel share its extents with the candidate.
 */
static enum unify_result find_and_dedupe(struct candidate *c, off_t *freed)
{
	struct store *s = c->p->store;
	struct store_names names;
	const char *name = names.name;
	struct stat ost;
	off_t shared;
	int ofd, ret;

	store_names_init(&names, &c->digest, 0, NULL, true);
	while (store_names_next(&names)) {
		ofd = store_open_object(s, name, &ost);
		if (ofd == -ENOENT) {
			if (store_is_dry_run(s)) {
				if (!store_plan(s, name)) {
					*freed = c->st.st_size;
					return UNIFY_LINKED;
				}
				return UNIFY_LINKED_NEW;
			}
			/* a clone of the file: it shares its extents */
			ret = make_object(c, name, NULL);
			if (ret == -EEXIST && store_names_again(&names))
				continue;	/* appeared meanwhile */
			if (ret == -ESTALE)
				return UNIFY_CHANGED;
			if (ret) {
				fail(c, "store", ret);
				return UNIFY_FAILED;
			}
			return UNIFY_LINKED_NEW;
		}
		if (ofd < 0) {
			fail(c, "open object for", ofd);
			return UNIFY_FAILED;
		}
		if (ost.st_size != c->st.st_size) {
			close(ofd);
			continue;
		}
		if (store_is_dry_run(s)) {
			close(ofd);
			*freed = c->st.st_size;
			return UNIFY_LINKED;
		}
		/* the kernel reads both to compare, a page at a time: a
		 * fresh object is not in the page cache, so read ahead */
		posix_fadvise(ofd, 0, 0, POSIX_FADV_WILLNEED);
		ret = dedupe_range(ofd, c->fd, c->st.st_size, &shared);
		close(ofd);
		if (ret == 1) {
			/* other bytes under this name: a sibling takes over */
			note(1, "'%s%s': the kernel found its bytes differ from "
			     "'%s' after %lld bytes", qs(c->p->guest),
			     qs(c->e->path), name, (long long)shared);
			continue;
		}
		if (ret) {
			fail(c, "share extents of", ret);
			return UNIFY_FAILED;
		}
		*freed = shared;
		return UNIFY_LINKED;
	}
	fail(c, "store", -ENOSPC);
	return UNIFY_FAILED;
}

enum unify_result unify_file(const struct unify_params *p,
			     const struct walk_entry *e,
			     off_t *freed, off_t *stored,
			     struct unify_error *why)
{
	struct candidate c = { .p = p, .e = e, .why = why };
	enum unify_result res;
	struct stat after;
	off_t size;
	int ret;

	*freed = *stored = 0;
	why->err = 0;
	why->msg[0] = '\0';
	c.fd = content_open(e->dirfd, e->name, &c.st);
	if (c.fd < 0) {
		if (c.fd == -EACCES || c.fd == -EPERM)
			return UNIFY_UNREADABLE;
		if (c.fd == -ENOENT || c.fd == -ELOOP || c.fd == -ENXIO)
			return UNIFY_CHANGED;	/* gone or swapped */
		fail(&c, "open", c.fd);
		return UNIFY_FAILED;
	}
	if (!inode_same_state(&c.st, &e->st)) {
		res = UNIFY_CHANGED;
		goto out_close;
	}
	if (p->reflink && !p->refresh && dedupe_all_shared(c.fd) == 1) {
		res = UNIFY_UNIFIED;	/* shared already: not read */
		goto out_close;
	}
	ret = p->reflink ? 0 : metakey_read(c.fd, &c.st, p->ignore_mtime,
					     &c.key);
	if (ret) {
		fail(&c, "read attributes of", ret);
		res = UNIFY_FAILED;
		goto out_close;
	}
	progress_hash_begin(p->guest, e->path);
	ret = content_hash(c.fd, store_hash(p->store), &c.digest, &size);
	progress_hash_end();
	if (ret == -EFBIG) {
		res = UNIFY_SPARSE;
		goto out_release;
	}
	if (ret) {
		fail(&c, "read", ret);
		res = UNIFY_FAILED;
		goto out_release;
	}
	if (fstat(c.fd, &after) || size != c.st.st_size ||
	    !inode_same_state(&after, &c.st)) {
		res = UNIFY_CHANGED;
		goto out_release;
	}
	/*
	 * A file a process has open to write (a package manager writing it
	 * before its rename) is left alone: replaced, its further writes
	 * would go to an inode no path names. The lease also tells when a
	 * process opens it to write before the swap is done (link.h).
	 * Extents shared by reflink stay the file's own: no lease needed.
	 */
	if (!p->reflink) {
		ret = inode_lease_take(c.fd);
		if (ret == -EAGAIN) {
			res = UNIFY_IN_USE;
			goto out_release;
		}
		c.leased = !ret;	/* else no leases here: as before */
	}
	res = p->reflink ? find_and_dedupe(&c, freed) :
			   find_and_link(&c, freed, stored);

out_release:
	metakey_release(&c.key);
	if (c.leased)
		inode_lease_drop(c.fd);
	if (res == UNIFY_LINKED && !p->reflink && *freed) {
		/* the last reference to a replaced inode: freeing its
		 * blocks may wait for the device */
		closer_close(c.fd);
		c.fd = -1;
	}
out_close:
	if (c.fd >= 0)
		close(c.fd);
	if (res != UNIFY_LINKED && res != UNIFY_LINKED_NEW)
		*freed = *stored = 0;
	return res;
}

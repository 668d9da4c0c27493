// SPDX-License-Identifier: GPL-2.0-or-later
/* Replacing a guest file by another inode; see link.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "immutable.h"
#include "inode.h"
#include "link.h"
#include "metakey.h"

/* Removes @tmp in @dirfd if it still is our inode @ours. */
static void remove_ours(int dirfd, const char *tmp, const struct stat *ours)
{
	struct stat st;

	if (!fstatat(dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) &&
	    inode_same(&st, ours))
		unlinkat(dirfd, tmp, 0);
}

/*
 * The guest file at @tmp in @tmpdirfd is to be left for the guest:
 * moves it into the guest directory @dirfd when it is elsewhere, and
 * writes its name there to @left.
 */
static void leave(int tmpdirfd, const char *tmp, int dirfd,
		  char left[TMPNAME_MAX])
{
	int tries;

	snprintf(left, TMPNAME_MAX, "%s", tmp);
	if (tmpdirfd == dirfd)
		return;
	for (tries = 0; tries < 100; tries++) {
		if (!renameat2(tmpdirfd, tmp, dirfd, left, RENAME_NOREPLACE) ||
		    errno != EEXIST)
			return;
		tmpname_next(left, TMPNAME_MAX);
	}
}

int link_exchange(int tmpdirfd, const char *tmp, int dirfd, const char *name,
		  const struct stat *expected, const struct stat *ours,
		  int leasefd, char left[TMPNAME_MAX])
{
	struct stat want, prev = *ours, out;
	int i, err;

	left[0] = '\0';
	/* the full state, ctime too, while the swap has not moved it */
	err = fstatat(dirfd, name, &out, AT_SYMLINK_NOFOLLOW) ? errno : 0;
	if (err || !inode_same_state(&out, expected)) {
		remove_ours(tmpdirfd, tmp, ours);
		return err == ENOENT ? -ENOENT : -ESTALE;
	}
	for (i = 0; i < LINK_MAX_SWAPS; i++) {
		if (renameat2(tmpdirfd, tmp, dirfd, name, RENAME_EXCHANGE)) {
			err = errno;
			if (i == 0) {
				/* ENOENT: the guest deleted the path, and
				 * the delete wins */
				remove_ours(tmpdirfd, tmp, ours);
				return err == EINVAL ? -EOPNOTSUPP : -err;
			}
			if (err == ENOENT &&
			    fstatat(tmpdirfd, tmp, &out, AT_SYMLINK_NOFOLLOW))
				return -ESTALE;	/* the guest took it back */
			break;	/* cannot undo: leave what we hold */
		}
		if (fstatat(tmpdirfd, tmp, &out, AT_SYMLINK_NOFOLLOW))
			return -ESTALE;	/* the guest removed it already */
		/*
		 * First swap: out must be the file that was read, as it
		 * was read (the swap moved its ctime), and no one may have
		 * opened it to write meanwhile (its open waits for our
		 * lease: undone, the writer writes the guest's path). Later
		 * swaps undo the one before: out must be what that one put
		 * into the path; if it is not, the guest replaced that
		 * meanwhile, and its newest file goes back in.
		 */
		if (i == 0 ? inode_same_content(&out, expected) &&
			     (leasefd < 0 || inode_lease_held(leasefd)) :
			     inode_same(&out, &want)) {
			unlinkat(tmpdirfd, tmp, 0);
			return i ? -ESTALE : 0;
		}
		want = prev;
		prev = out;
	}
	leave(tmpdirfd, tmp, dirfd, left);
	return -EAGAIN;
}

int link_replace(struct store *s, int objdirfd, const char *objname,
		 int dirfd, const char *name, const struct stat *hashed,
		 int leasefd, char left[TMPNAME_MAX])
{
	char tmp[TMPNAME_MAX];
	struct stat ours;
	int tries;

	left[0] = '\0';
	for (tries = 0;; tries++) {
		tmpname_guest_next(tmp, sizeof(tmp), store_ino(s),
				   hashed->st_ino, objname);
		if (!linkat(objdirfd, objname + 3, dirfd, tmp, 0))
			break;
		if (errno != EEXIST || tries == 100)
			return -errno;
	}
	if (fstatat(dirfd, tmp, &ours, AT_SYMLINK_NOFOLLOW)) {
		unlinkat(dirfd, tmp, 0);
		return -errno;
	}
	return link_exchange(dirfd, tmp, dirfd, name, hashed, &ours, leasefd,
			     left);
}

/*
 * Whether the guest file open as @fd (@st) holds exactly what the object
 * @object of store @s holds: the same bytes, and metadata whose key is
 * the one in the object's name.
 */
static bool same_as_object(struct store *s, int fd, const struct stat *st,
			   const char *object)
{
	struct metakey key;
	struct digest d;
	uint64_t id;
	bool content, same = false;
	struct stat ost;
	int ofd, i;

	if (store_parse_name(object, &d, &id, &content) || content)
		return false;
	ofd = store_open_object(s, object, &ost);
	if (ofd < 0)
		return false;
	/* the key id, with the mtime or without (--ignore-mtime) */
	for (i = 0; i < 2 && !same; i++) {
		if (metakey_read(fd, st, i, &key))
			break;
		same = key.id == id;
		metakey_release(&key);
	}
	same = same && ost.st_size == st->st_size &&
	       !content_compare(fd, ofd, st->st_size);
	close(ofd);
	return same;
}

int link_remove_leftover(struct store *s, int dirfd, const char *name,
			 const struct stat *st, bool dry_run)
{
	char object[TMPNAME_MAX];
	struct stat now;
	ino_t inode;
	int fd, ret;

	if (!S_ISREG(st->st_mode) ||
	    !tmpname_guest_parse(name, store_ino(s), &inode, object,
				 sizeof(object)))
		return 0;
	if (store_is_object(s, st)) {
		/* killed before the swap: our link to the object */
		if (dry_run)
			return 1;
		ret = immutable_unlink(s, dirfd, name, st);
		if (ret == -ESTALE)
			return 0;	/* swapped meanwhile: not ours */
		return ret ? ret : 1;
	}
	/* killed after the swap: the guest file the object replaced, named
	 * in the temporary's name, with the object's bytes and metadata */
	if (st->st_ino != inode)
		return 0;
	fd = content_open(dirfd, name, &now);
	if (fd < 0)
		return fd == -ENXIO || fd == -ENOENT ? 0 : fd;
	ret = 0;
	if (now.st_ino == st->st_ino &&
	    now.st_dev == st->st_dev && same_as_object(s, fd, &now, object))
		ret = dry_run ? 1 : unlinkat(dirfd, name, 0) ? -errno : 1;
	close(fd);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_WALK_H
#define VHASHIFY_WALK_H

/*
 * The walk of a guest tree, safe against a hostile or running guest:
 * every directory is opened relative to its parent's fd with
 * O_NOFOLLOW|O_DIRECTORY and checked to be the inode that was listed,
 * so no symlink is ever followed and no path string is ever resolved.
 * Entries are visited in inode order, which keeps the disk heads and
 * the inode cache happy. Paths given to the callbacks are
 * guest-absolute ("/usr/bin/ls").
 *
 * The walk never crosses a mount point: an entry on another mount than
 * the root (another filesystem, or a bind mount from the same one, by
 * mount ID where the kernel has it) is passed to the callbacks with
 * other_mount set, and such a directory is never entered, whatever
 * enter() answers.
 *
 * The walk is iterative: its depth is bounded by memory alone. It keeps
 * a descriptor open for the shallowest and the WALK_OPEN_LEVELS deepest
 * directories of the current path; the others are opened again through
 * ".." on the way back and checked to be the same inode (a directory
 * moved meanwhile is reported to fail() with -ESTALE and the rest of it
 * is not walked).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Directory descriptors a walk keeps open at most, besides the root. */
#define WALK_OPEN_LEVELS 64

struct walk_entry {
	int dirfd;		/* the directory holding the entry */
	const char *name;	/* its name in dirfd */
	const char *path;	/* guest-absolute path */
	size_t pathlen;
	size_t depth;		/* 1 for an entry of the root */
	struct stat st;		/* lstat of the entry */
	uint64_t mnt_id;	/* its mount ID, 0 when unknown */
	uint64_t attributes;	/* STATX_ATTR_* the kernel reports */
	bool other_mount;	/* on another mount than the root */
};

struct walk_ops {
	/* A directory was found: return true to enter it. */
	bool (*enter)(const struct walk_entry *e, void *arg);
	/*
	 * A non-directory entry was found. Returns true when it replaced
	 * or removed the entry: the walk then gives the directory its
	 * mtime back once done with it, but only when nothing else changed
	 * the directory meanwhile (see walk_tree()).
	 */
	bool (*file)(const struct walk_entry *e, void *arg);
	/* @path could not be listed or checked; err is a -errno. */
	void (*fail)(const char *path, int err, void *arg);
};

/*
 * Walks the tree below the open directory @rootfd. The root itself is
 * not passed to enter(). Returns 0, or -errno when the root cannot be
 * read (errors below the root go to fail() and the walk goes on).
 *
 * The mtime of a directory in which file() replaced something is given
 * back only when a second listing of the directory, taken once done
 * with it, shows the names and inodes of the first with just the
 * changes file() made (each name it replaced is looked up right after
 * file() returns). Any other name added, removed or changed means
 * someone else changed the directory: its mtime stays as the kernel set
 * it. A change between that listing and the restore is caught by a
 * third listing, and then the mtime is set to the current time.
 */
int walk_tree(int rootfd, const struct walk_ops *ops, void *arg);

/*
 * walk_tree(), asking @stop(@arg) before each entry: once it returns
 * true the walk takes no other entry and lists no other directory; it
 * leaves the directories it is in as it leaves them at their end
 * (giving their mtimes back by the same rule) and returns 0.
 */
int walk_tree_until(int rootfd, const struct walk_ops *ops, void *arg,
		    bool (*stop)(void *arg));

struct statx;
/*
 * Fills @e's st, mnt_id and attributes for @name in @dirfd, as the walk
 * does for each entry (one statx, no symlink followed); the statx is
 * left in @x unless NULL. Returns 0 or -errno.
 */
int walk_stat(int dirfd, const char *name, struct walk_entry *e,
	      struct statx *x);

/*
 * Changes the entry @name of the directory @dirfd outside a walk, as
 * file() does within one: @change(@arg) returns true when it replaced
 * or removed the entry, and the directory then gets its mtime back by
 * the rule of walk_tree(). Returns what @change returned.
 */
bool walk_change_entry(int dirfd, const char *name,
		       bool (*change)(void *arg), void *arg);

#endif

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
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct walk_entry {
	int dirfd;		/* the directory holding the entry */
	const char *name;	/* its name in dirfd */
	const char *path;	/* guest-absolute path */
	size_t pathlen;
	struct stat st;		/* lstat of the entry */
};

struct walk_ops {
	/* A directory was found: return true to enter it. */
	bool (*enter)(const struct walk_entry *e, void *arg);
	/*
	 * A non-directory entry was found. Returns true when it replaced
	 * the entry: the walk then gives the directory its mtime back
	 * once done with it, so that a directory looks unchanged.
	 */
	bool (*file)(const struct walk_entry *e, void *arg);
	/* @path could not be listed or checked; err is a -errno. */
	void (*fail)(const char *path, int err, void *arg);
};

/*
 * Walks the tree below the open directory @rootfd. The root itself is
 * not passed to enter(). Returns 0, or -errno when the root cannot be
 * read (errors below the root go to fail() and the walk goes on).
 */
int walk_tree(int rootfd, const struct walk_ops *ops, void *arg);

#endif

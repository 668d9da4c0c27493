/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_MULTILINK_H
#define VHASHIFY_MULTILINK_H

/*
 * The names a walk found of guest inodes that have more than one name
 * (hard links), so that such an inode is shared only once every one of
 * its names is known to be a shareable file of the same guest. The walk
 * records each name; afterwards the names sorted by inode form groups,
 * one per inode.
 *
 * A hostile guest can make as many names as it likes: the table holds
 * at most MULTILINK_MAX_BYTES (its records and their paths); a name
 * beyond is not recorded, so its inode stays unshared.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define MULTILINK_MAX_BYTES (64u << 20)

struct multilink_name {
	ino_t ino;		/* the inode */
	ino_t dir_ino;		/* the directory holding the name */
	nlink_t nlink;		/* the inode's link count when seen */
	size_t seq;		/* order of the walk */
	char *path;		/* guest-absolute; NULL for a kept name */
};

struct multilink {
	struct multilink_name *v;
	size_t n, cap;
	size_t bytes;		/* held, counted against the limit */
	bool full;		/* a name was not recorded for the limit */
};

#define MULTILINK_INIT { NULL, 0, 0, 0, false }

/*
 * Records a name of inode @ino (with @nlink names when seen), in
 * directory @dir_ino, at guest path @path; @kept: a name that may not
 * be shared (excluded), recorded without its path. Returns 0, -ENOBUFS
 * when the limit is reached (and sets full), or -ENOMEM.
 */
int multilink_add(struct multilink *m, ino_t ino, nlink_t nlink,
		  ino_t dir_ino, const char *path, bool kept);

/* Sorts the names by inode, in walk order within one inode. */
void multilink_sort(struct multilink *m);

/* After multilink_sort: the end of the group of names starting at @i. */
size_t multilink_group_end(const struct multilink *m, size_t i);

void multilink_release(struct multilink *m);

#endif

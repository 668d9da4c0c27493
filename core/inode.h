/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_INODE_H
#define VHASHIFY_INODE_H

/*
 * Comparing two stat results of what should be one file: that a path
 * still holds the inode that was read, in the state it was read.
 */

#include <stdbool.h>
#include <sys/stat.h>

/* Whether @a and @b show one inode (device and inode number). */
bool inode_same(const struct stat *a, const struct stat *b);

/*
 * Whether @a and @b show one inode in one state: size, mode, owner,
 * group, mtime and ctime equal.
 */
bool inode_same_state(const struct stat *a, const struct stat *b);

/*
 * The same, but ctime may differ: for an inode we linked ourselves,
 * which moves ctime; a write still moves mtime or size.
 */
bool inode_same_content(const struct stat *a, const struct stat *b);

#endif

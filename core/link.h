/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_LINK_H
#define VHASHIFY_LINK_H

/*
 * Replacing a guest file by a hard link to a store object, crash-safe:
 * the object is linked to a temporary name in the guest directory, the
 * guest file is checked to be still the inode, size, mtime and ctime
 * that were hashed, and the temporary is renamed over it. At every
 * instant the guest path holds either its original inode or the object.
 * If anything changed, the temporary is removed and the file left alone.
 */

#include <stdbool.h>
#include <sys/stat.h>

/*
 * Replaces @name in @dirfd, which was @hashed when its content was
 * read, by a link to @objname in @objfd (the store's objects/).
 * Returns 0; -ESTALE when the guest file changed (left alone); -EMLINK
 * when the object has as many links as the filesystem allows (nothing
 * changed); or another -errno (nothing changed).
 */
int link_replace(int objfd, const char *objname, int dirfd, const char *name,
		 const struct stat *hashed);

/* Whether @a and @b show the same inode with the same content state. */
bool link_same_state(const struct stat *a, const struct stat *b);
/*
 * The same, but ctime may differ: for an inode we linked ourselves,
 * which moves ctime; a write still moves mtime or size.
 */
bool link_same_content(const struct stat *a, const struct stat *b);

#endif

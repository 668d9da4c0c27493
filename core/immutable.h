/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_IMMUTABLE_H
#define VHASHIFY_IMMUTABLE_H

/*
 * The immutable flag (FS_IMMUTABLE_FL, chattr +i) of store objects,
 * for --immutable. On a stock kernel an immutable inode cannot be
 * written, but neither linked, renamed over nor unlinked through any
 * name: vhashify clears the flag around its own link and unlink steps
 * and sets it again.
 */

#include <stdbool.h>

/* 1 when @fd's inode is immutable, 0 when not, -errno when unknown. */
int immutable_get(int fd);
/* Sets or clears the flag on @fd's inode. Returns 0 or -errno. */
int immutable_set(int fd, bool on);

/*
 * Clears the flag of @fd's inode if it is set. Returns true when it
 * did: immutable_set(fd, true) gives it back.
 */
bool immutable_clear(int fd);

/*
 * Opens @name in @dirfd (no symlink followed) and clears its flag if
 * set. Returns an fd to hand to immutable_restore, or -1 when there was
 * nothing to clear (or it could not be opened).
 */
int immutable_clear_at(int dirfd, const char *name);
/* Sets the flag again on what immutable_clear_at cleared; closes @fd. */
void immutable_restore(int fd);

/*
 * Whether the filesystem of @dirfd lets us set the flag: tries it on a
 * temporary file there. Returns 0 or -errno (said why by the caller).
 */
int immutable_probe(int dirfd);

#endif

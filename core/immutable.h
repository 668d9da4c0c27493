/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_IMMUTABLE_H
#define VHASHIFY_IMMUTABLE_H

/*
 * The immutable flag (FS_IMMUTABLE_FL, chattr +i) of store objects,
 * for --immutable. On a stock kernel an immutable inode cannot be
 * written, but neither linked, renamed over nor unlinked through any
 * name: vhashify clears the flag around its own link, rename and
 * unlink steps and sets it again, always through immutable_hold() and
 * immutable_release(), which
 *  - serialise every hold of one inode in the process (guests run in
 *    threads: one thread's set must not fall inside another's link),
 *  - have the store note, durably, before the first flag is cleared,
 *    that flags may be missing (see store_flags_clearing()), so that
 *    the next run sets them again after a crash,
 *  - remember whether the flag must be set back.
 */

#include <pthread.h>
#include <stdbool.h>

struct store;

/* 1 when @fd's inode is immutable, 0 when not, -errno when unknown. */
int immutable_get(int fd);
/* Sets or clears the flag on @fd's inode. Returns 0 or -errno. */
int immutable_set(int fd, bool on);

/* A hold of one object's inode; see immutable_hold(). */
struct immutable_hold {
	struct store *store;
	int fd;
	pthread_mutex_t *stripe;	/* held until the release */
	bool was_set;		/* the flag was cleared: set it back */
};

/*
 * Takes hold of the inode open as @fd (any fd, read-only is enough), an
 * object of store @s or a name of one: waits for other holds of that
 * inode, then clears its immutable flag if set. Until
 * immutable_release(), the caller may link, rename or unlink names of
 * it; it must take no other hold meanwhile. A filesystem without the
 * flag counts as a clear flag. Returns 0, or -errno with no hold
 * taken (the flag left as it was).
 */
int immutable_hold(struct store *s, int fd, struct immutable_hold *h);

/*
 * Ends the hold: sets the flag again if it was set, or if @set (an
 * object of an immutable store just linked). Does not close the fd.
 * Returns 0, or -errno when the flag could not be set (the store then
 * keeps its note, and the next run sets it).
 */
int immutable_release(struct immutable_hold *h, bool set);

struct stat;
/*
 * Removes the name @name in @dirfd of an object of store @s; an
 * immutable one loses its flag meanwhile (through a hold) and gets it
 * back, for its other names keep the inode. With @expect, only when
 * the name is that inode (checked on an open descriptor just before).
 * Returns 0, -ESTALE when the name is another inode or no file now, or
 * -errno.
 */
int immutable_unlink(struct store *s, int dirfd, const char *name,
		     const struct stat *expect);

/*
 * Whether the filesystem of @dirfd lets us set the flag: tries it on a
 * temporary file there. Returns 0 or -errno (said why by the caller).
 */
int immutable_probe(int dirfd);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_LINK_H
#define VHASHIFY_LINK_H

/*
 * Replacing a guest file by another inode (a link to a store object,
 * or a private copy for --restore), safe against a crash and against a
 * guest that changes the path at the same time.
 *
 * Our inode is given a temporary name, then swapped with the guest
 * path in one step (renameat2 RENAME_EXCHANGE). What the swap took out
 * of the path is then checked: if it is the file that was read, in the
 * state it was read, it is removed and we are done. If not, the guest
 * changed the path before the swap, and the swap is undone; a path the
 * guest deleted stays deleted. So at every instant the path holds what
 * the guest last put there or our inode standing in for the very file
 * that was read, and no upgrade or delete of the guest is undone.
 * A crash leaves at most a temporary holding a link to a store object
 * (removed by the next run, see link_remove_leftover) or, for a
 * private copy, a store temporary (removed by --gc).
 */

#include <stdbool.h>
#include <sys/stat.h>

#include "store.h"
#include "tmpname.h"

/*
 * Swaps at most: ours in, back out, and the guest's newest in again, as
 * often as a guest replaces the path between two of our swaps (each a
 * window of a system call; a guest hammering one path met three in a
 * row once in 200,000 changes, see tests/cli/upgrade-race.sh)
 */
#define LINK_MAX_SWAPS 64

/*
 * Swaps our inode @ours, named @tmp in @tmpdirfd, with @name in
 * @dirfd, which must hold @expected: in the same state just before
 * the swap (inode_same_state), and the same inode with the same content
 * after it (the swap itself moves ctime). @leasefd, when not -1, is a
 * descriptor of @expected holding a read lease (inode_lease_take()):
 * if a process opened the file to write before the swap ended (the
 * lease is broken, and that open waits for us), the swap is undone, so
 * that the writer's bytes land in the file at @name. @tmpdirfd is
 * @dirfd, or a directory of the same mount outside the guest (the
 * store's tmp/). Returns:
 *   0        @name holds our inode; @tmp is gone
 *   -ESTALE  the guest had changed @name, or opened it to write: it
 *            holds the guest's newest file again; @tmp is gone
 *   -ENOENT  the guest deleted @name: it stays deleted; @tmp is gone
 *   -EOPNOTSUPP  the filesystem cannot swap two names: nothing was
 *            done (never falls back to a rename, which could undo an
 *            upgrade); @tmp is gone
 *   -EAGAIN  the guest changed @name again and again while we undid
 *            the swap: the guest file that came out last is left in
 *            @dirfd as @left (nothing is lost), to be reported
 *   another -errno: nothing changed; @tmp is gone
 */
int link_exchange(int tmpdirfd, const char *tmp, int dirfd, const char *name,
		  const struct stat *expected, const struct stat *ours,
		  int leasefd, char left[TMPNAME_MAX]);

/*
 * Replaces @name in @dirfd, which was @hashed when its content was
 * read, by a link to the object @objname ("ab/cd...") of store @s, whose
 * fan-out directory is open as @objdirfd (see store_object_dir()), with
 * link_exchange() (@leasefd as there) and a guest temporary of @s that
 * names the object and the hashed inode. Returns what link_exchange()
 * does, or
 * -EMLINK when the object has as many links as the filesystem allows
 * (nothing changed).
 */
int link_replace(struct store *s, int objdirfd, const char *objname,
		 int dirfd, const char *name, const struct stat *hashed,
		 int leasefd, char left[TMPNAME_MAX]);

/*
 * Removes @name in @dirfd (lstat @st) if it is provably a leftover of
 * an interrupted link_replace() of store @s: a regular file named as a
 * guest temporary of @s and either a link to one of @s's objects
 * (killed before the swap; an immutable one has its flag cleared
 * meanwhile), or the guest inode the name carries, holding exactly the
 * bytes and metadata of the object the name carries (killed after the
 * swap: the guest path holds that object). Anything else named like a
 * temporary belongs to the guest or to another store and is left alone.
 * With @dry_run, decides but removes nothing. Returns 1 removed (or
 * would be), 0 not ours, or -errno.
 */
int link_remove_leftover(struct store *s, int dirfd, const char *name,
			 const struct stat *st, bool dry_run);

#endif

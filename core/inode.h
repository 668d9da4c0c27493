/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_INODE_H
#define VHASHIFY_INODE_H

/*
 * Comparing two stat results of what should be one file: that a path
 * still holds the inode that was read, in the state it was read; and
 * knowing that no one else writes it meanwhile (a read lease).
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

/*
 * Takes a read lease (F_SETLEASE F_RDLCK) on the inode open as @fd
 * (read-only): the kernel grants it only while no process has the
 * inode open for writing, and breaks it when one opens it for writing,
 * whose open then waits until the lease is dropped (or the kernel's
 * lease-break-time has passed). No signal is sent to us for a break:
 * inode_lease_held() tells. Returns 0, -EAGAIN when the inode is open
 * for writing (a process is writing it, or may), or another -errno
 * (-EINVAL: the filesystem has no leases).
 */
int inode_lease_take(int fd);

/* Whether the lease taken on @fd is still held: not broken. */
bool inode_lease_held(int fd);

/* Drops the lease on @fd, so that a writer waiting for it goes on. */
void inode_lease_drop(int fd);

#endif

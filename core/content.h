/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_CONTENT_H
#define VHASHIFY_CONTENT_H

/*
 * File content: hashing, comparing and copying whole files through
 * open file descriptors, with large sequential reads. Offsets are
 * explicit (pread), so the descriptors' file positions do not matter.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include "hash.h"

/*
 * Holes (SEEK_HOLE) a file may have in all for content_hash(): 1 GiB.
 * A hole is hashed as the zeros it reads as, without reading it past
 * the first 256 KiB (read whole, so that a small file takes one read),
 * so that a sparse file and a dense one with the same bytes get the
 * same digest; this bounds the time that takes (a file on XFS can have
 * an exabyte of hole).
 */
#define CONTENT_HOLES_MAX ((off_t)1 << 30)

/*
 * Hashes @fd from offset 0 to end of file. Sets *digest and *size (the
 * bytes hashed, holes included). Returns 0, -EFBIG when the file's
 * holes add up to more than CONTENT_HOLES_MAX, or -errno.
 */
int content_hash(int fd, enum hash_method m, struct digest *digest,
		 off_t *size);

/*
 * content_hash() calls @fn, if set, after each read with the bytes
 * hashed so far of the file it hashes, in the hashing thread. Set
 * once, before any thread hashes; NULL for none.
 */
typedef void content_tick_fn(off_t done);
void content_set_tick(content_tick_fn *fn);

/*
 * Compares the content of @a and @b, both @size bytes long by fstat.
 * Past the first 256 KiB, where both have a hole, nothing is read.
 * Returns 0 when equal, 1
 * when they differ (or either is not @size bytes long), -errno on a
 * read error.
 */
int content_compare(int a, int b, off_t size);

/*
 * Makes @dst (an empty regular file) hold the same @size bytes as @src:
 * a reflink (FICLONE) where the filesystem can, else copy_file_range
 * over the data segments so holes stay holes, else read and write.
 * Returns 0 or -errno.
 */
int content_copy(int src, int dst, off_t size);

/*
 * Opens @name in @dirfd to read its content when it is a regular file:
 * never follows a symlink (-ELOOP), never opens anything else (-ENXIO,
 * see content_reopen()), and leaves the atime alone where allowed.
 * Fills *st with the open file's fstat unless NULL. Returns the fd or
 * -errno.
 */
int content_open(int dirfd, const char *name, struct stat *st);

/*
 * Opens for reading the inode the O_PATH descriptor @pathfd refers to,
 * through /proc/self/fd (kept open after the first call), with open(2)
 * @flags (O_RDONLY, O_NOATIME, O_DIRECTORY; others are ignored).
 * Without O_DIRECTORY it must be a regular file, with it a directory:
 * a device node, FIFO or socket planted in a guest is never opened,
 * since opening one can block (a FIFO) or act (a tape, a watchdog).
 * The new descriptor is checked to be the same inode and is blocking.
 * Fills *st unless NULL. @pathfd stays open. Returns the fd, -ELOOP
 * for a symlink, -ENXIO for any other type (content_strerror() says
 * "not a regular file"), or another -errno.
 */
int content_reopen(int pathfd, int flags, struct stat *st);

/* strerror() for errors of content_open() and content_reopen(). */
const char *content_strerror(int err);

#endif

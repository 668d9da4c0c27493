/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_DEDUPE_H
#define VHASHIFY_DEDUPE_H

/*
 * Extent sharing for --method=reflink: FIDEDUPERANGE has the kernel
 * compare two ranges and share their extents atomically, so each file
 * keeps its inode and metadata, and a guest that writes its file later
 * simply gets its own blocks again. FIEMAP tells which extents are
 * shared.
 */

#include <stdbool.h>
#include <sys/types.h>

/*
 * Shares the extents of @dst with those of @src, both @size bytes, in
 * chunks the kernel accepts. Sets *shared to the bytes shared. Returns
 * 0 when all of it is shared, 1 when the kernel found the bytes
 * different (FILE_DEDUPE_RANGE_DIFFERS; what came before stays shared),
 * or -errno (-EOPNOTSUPP where the filesystem cannot).
 */
int dedupe_range(int src, int dst, off_t size, off_t *shared);

/*
 * Looks at @fd's extents with FIEMAP: 1 when every data extent is
 * shared (the file is deduplicated with something already), 0 when not
 * (or it has no extents), -errno when FIEMAP fails.
 */
int dedupe_all_shared(int fd);

/* 1 when some extent of @fd is shared, 0 when none is, or -errno. */
int dedupe_any_shared(int fd);

/*
 * Whether the filesystem of the directory @dirfd can share extents:
 * tries FICLONE between two temporary files there, then removes them.
 */
bool dedupe_supported(int dirfd);

/*
 * Whether the filesystem of the directory @dirfd keeps a file of less
 * than a block inline in its metadata (btrfs): such a file has no
 * extent to share.
 */
bool dedupe_inline_small(int dirfd);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_METAKEY_H
#define VHASHIFY_METAKEY_H

/*
 * The metadata that a hard link shares, and its canonical encoding.
 *
 * Two files may become one inode only when their content and this key
 * are equal: permission bits (07777), uid, gid, mtime (unless ignored)
 * and every extended attribute (file capabilities, ACLs, SELinux
 * labels, user attributes). The encoding is versioned and canonical:
 * fixed-width little-endian integers and the xattrs sorted by name, so
 * equal metadata gives equal bytes on any host.
 *
 * Encoding, version 1:
 *   "vhmk" u8 version=1 u8 flags (bit 0: mtime ignored)
 *   u32 mode  u32 uid  u32 gid  i64 mtime_sec  u32 mtime_nsec
 *   u32 n_xattrs, then per xattr sorted by name:
 *     u32 name_len, name, u32 value_len, value
 * mtime fields are zero when ignored.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define METAKEY_VERSION 1

struct xattr {
	char *name;
	void *value;
	size_t len;
};

struct metakey {
	mode_t mode;		/* permission bits only */
	uid_t uid;
	gid_t gid;
	struct timespec mtime;	/* kept even when ignored: applied on copy */
	bool ignore_mtime;
	struct xattr *xattrs;	/* sorted by name */
	size_t n_xattrs;
	unsigned char *enc;	/* canonical encoding */
	size_t enc_len;
	uint64_t id;		/* XXH3-64 of the encoding, names objects */
};

/*
 * Reads the key of the open regular file @fd whose fstat is @st:
 * @st for mode, owner and mtime, the xattrs from @fd.
 * Returns 0 or -errno; on error @k holds nothing to release.
 */
int metakey_read(int fd, const struct stat *st, bool ignore_mtime,
		 struct metakey *k);
void metakey_release(struct metakey *k);

bool metakey_equal(const struct metakey *a, const struct metakey *b);

/*
 * Gives the open file @fd the metadata of @k: owner, permission bits,
 * xattrs, then mtime (atime is set to the mtime). Xattrs the file
 * already has (a label given on creation) are replaced, others stay:
 * read the key back to compare. Returns 0 or -errno.
 */
int metakey_apply(const struct metakey *k, int fd);

#endif

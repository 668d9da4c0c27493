/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_METAKEY_H
#define VHASHIFY_METAKEY_H

/*
 * The metadata that a hard link shares, and its canonical encoding.
 *
 * Two files may become one inode only when their content and this key
 * are equal: permission bits (07777), uid, gid, mtime (unless ignored),
 * every extended attribute (file capabilities, ACLs, SELinux labels,
 * user attributes), the inode flags a guest may set on a file
 * (METAKEY_IFLAGS, chattr) and the project ID (project quotas). The
 * encoding is versioned and canonical: fixed-width little-endian
 * integers and the xattrs sorted by name, so equal metadata gives
 * equal bytes on any host.
 *
 * Encoding, version 1:
 *   "vhmk" u8 version=1 u8 flags (bit 0: mtime ignored,
 *                                 bit 1: inode flags and project follow)
 *   u32 mode  u32 uid  u32 gid  i64 mtime_sec  u32 mtime_nsec
 *   u32 n_xattrs, then per xattr sorted by name:
 *     u32 name_len, name, u32 value_len, value
 *   only with flags bit 1: u32 iflags  u32 projid
 * mtime fields are zero when ignored. Bit 1 is set exactly when iflags
 * or projid is not zero: a file with neither has the key it had before
 * they were part of it, so the objects of existing stores keep their
 * names (version 1 stays), and one with either gets another name.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <linux/fs.h>

#define METAKEY_VERSION 1

/*
 * The inode flags (FS_IOC_GETFLAGS) in the key: those a guest can set
 * on a regular file and that a hard link shares: secure deletion and
 * undelete (s, u), compression and no compression (c, m), synchronous
 * writes (S), no dump (d), no atime (A), data journalling (j), no tail
 * merging (t), no copy on write (C), DAX (x). Left out: immutable and
 * append-only (such a file is never shared; an --immutable object has
 * the flag of its own), the directory-only flags (dirsync, topdir,
 * projinherit, casefold, index) and those the filesystem sets itself
 * (extents, inline data, huge file, encryption, verity).
 */
#define METAKEY_IFLAGS (FS_SECRM_FL | FS_UNRM_FL | FS_COMPR_FL | \
			FS_SYNC_FL | FS_NODUMP_FL | FS_NOATIME_FL | \
			FS_NOCOMP_FL | FS_JOURNAL_DATA_FL | FS_NOTAIL_FL | \
			FS_NOCOW_FL | FS_DAX_FL)

/* The flags that decide where the data goes: set before it is written. */
#define METAKEY_IFLAGS_EARLY (FS_COMPR_FL | FS_NOCOMP_FL | FS_NOCOW_FL | \
			      FS_DAX_FL)

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
	uint32_t iflags;	/* inode flags within METAKEY_IFLAGS */
	uint32_t projid;	/* project ID, 0: none */
	struct xattr *xattrs;	/* sorted by name */
	size_t n_xattrs;
	unsigned char *enc;	/* canonical encoding */
	size_t enc_len;
	uint64_t id;		/* XXH3-64 of the encoding, names objects */
};

/*
 * Reads the key of the open regular file @fd whose fstat is @st:
 * @st for mode, owner and mtime, the xattrs, inode flags and project
 * from @fd (a filesystem without flags or projects has none).
 * Returns 0 or -errno; on error @k holds nothing to release.
 */
int metakey_read(int fd, const struct stat *st, bool ignore_mtime,
		 struct metakey *k);
void metakey_release(struct metakey *k);

bool metakey_equal(const struct metakey *a, const struct metakey *b);

/*
 * The id @k would have with @ignore_mtime: to tell whether a name's key
 * was made with or without --ignore-mtime from one read of the file.
 * Returns 0 when out of memory (no key has id 0 but by chance).
 */
uint64_t metakey_id_as(const struct metakey *k, bool ignore_mtime);

/*
 * Gives the open file @fd the metadata of @k: owner, permission bits,
 * exactly @k's xattrs (any other the file has, such as an access ACL
 * inherited from a directory's default ACL or a label given on
 * creation, is removed), project ID, inode flags, then mtime (atime is
 * set to the mtime). Other inode flags of the file are kept. Read the
 * key back to compare: a filesystem may not hold all of it.
 * Returns 0 or -errno.
 */
int metakey_apply(const struct metakey *k, int fd);

/*
 * Gives the new, still empty file @fd the inode flags of @k that
 * decide where its data goes (METAKEY_IFLAGS_EARLY: btrfs takes no
 * copy on write only on an empty file). Returns 0 or -errno.
 */
int metakey_apply_early(const struct metakey *k, int fd);

/*
 * Reads the project ID of the open file or directory @fd into
 * *@projid: 0 where the filesystem has no projects. Returns 0 or
 * -errno.
 */
int metakey_project(int fd, uint32_t *projid);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* Extent sharing with FIDEDUPERANGE and FIEMAP; see dedupe.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "dedupe.h"
#include "tmpname.h"

/* the kernel may cap one call (btrfs at 16 MiB): ask for no more */
#define DEDUPE_CHUNK (16 << 20)

int dedupe_range(int src, int dst, off_t size, off_t *shared)
{
	/* one request with room for one destination */
	union {
		struct file_dedupe_range r;
		char room[sizeof(struct file_dedupe_range) +
			  sizeof(struct file_dedupe_range_info)];
	} req;
	struct file_dedupe_range_info *info = &req.r.info[0];
	off_t off = 0;

	*shared = 0;
	while (off < size) {
		memset(&req, 0, sizeof(req));
		req.r.src_offset = off;
		req.r.src_length = size - off < DEDUPE_CHUNK ?
				   size - off : DEDUPE_CHUNK;
		req.r.dest_count = 1;
		info->dest_fd = dst;
		info->dest_offset = off;
		if (ioctl(src, FIDEDUPERANGE, &req.r)) {
			if (errno == EINTR)
				continue;
			return errno == EINVAL || errno == ENOTTY ?
			       -EOPNOTSUPP : -errno;
		}
		if (info->status < 0)
			return info->status;
		if (info->status == FILE_DEDUPE_RANGE_DIFFERS)
			return 1;
		if (!info->bytes_deduped)
			return -EIO;	/* no progress: do not spin */
		/* a partial answer: go on from where the kernel stopped */
		off += info->bytes_deduped;
		*shared += info->bytes_deduped;
	}
	return 0;
}

/* Counts @fd's data extents, and the shared ones among them. */
static int count_extents(int fd, unsigned long *all, unsigned long *shared)
{
	enum { N = 64 };
	struct fiemap *fm = calloc(1, sizeof(*fm) + N * sizeof(fm->fm_extents[0]));
	__u64 start = 0;
	unsigned int i;
	bool last = false;
	int ret;

	if (!fm)
		return -ENOMEM;
	*all = *shared = 0;
	while (!last) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = N;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			ret = -errno;
			free(fm);
			return ret;
		}
		if (!fm->fm_mapped_extents)
			break;
		for (i = 0; i < fm->fm_mapped_extents; i++) {
			const struct fiemap_extent *e = &fm->fm_extents[i];

			(*all)++;
			*shared += !!(e->fe_flags & FIEMAP_EXTENT_SHARED);
			last = e->fe_flags & FIEMAP_EXTENT_LAST;
			start = e->fe_logical + e->fe_length;
		}
	}
	free(fm);
	return 0;
}

int dedupe_all_shared(int fd)
{
	unsigned long all, shared;
	int ret = count_extents(fd, &all, &shared);

	return ret ? ret : all && all == shared;
}

int dedupe_any_shared(int fd)
{
	unsigned long all, shared;
	int ret = count_extents(fd, &all, &shared);

	return ret ? ret : shared > 0;
}

bool dedupe_supported(int dirfd)
{
	char a[64], b[64];
	bool ok = false;
	int fa, fb;

	fa = tmpname_create(dirfd, a, sizeof(a));
	if (fa < 0)
		return false;
	fb = tmpname_create(dirfd, b, sizeof(b));
	if (fb >= 0) {
		ok = write(fa, "probe", 5) == 5 && !ioctl(fb, FICLONE, fa);
		close(fb);
		unlinkat(dirfd, b, 0);
	}
	close(fa);
	unlinkat(dirfd, a, 0);
	return ok;
}

bool dedupe_inline_small(int dirfd)
{
	struct statfs sf;

	return !fstatfs(dirfd, &sf) && sf.f_type == BTRFS_SUPER_MAGIC;
}

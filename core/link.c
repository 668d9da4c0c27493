// SPDX-License-Identifier: GPL-2.0-or-later
/* Replacing a guest file by a link to a store object; see link.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "link.h"
#include "tmpname.h"

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool link_same_content(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size && a->st_mode == b->st_mode &&
	       a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       same_time(&a->st_mtim, &b->st_mtim);
}

bool link_same_state(const struct stat *a, const struct stat *b)
{
	return link_same_content(a, b) && same_time(&a->st_ctim, &b->st_ctim);
}

int link_replace(int objfd, const char *objname, int dirfd, const char *name,
		 const struct stat *hashed)
{
	char tmp[64];
	struct stat now;
	int tries, ret;

	for (tries = 0;; tries++) {
		tmpname_next(tmp, sizeof(tmp));
		if (!linkat(objfd, objname, dirfd, tmp, 0))
			break;
		if (errno != EEXIST || tries == 100)
			return -errno;
	}

	if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW)) {
		ret = -errno;
		goto out_unlink;
	}
	if (!link_same_state(&now, hashed)) {
		ret = -ESTALE;
		goto out_unlink;
	}
	if (renameat(dirfd, tmp, dirfd, name)) {
		ret = -errno;
		goto out_unlink;
	}
	return 0;

out_unlink:
	unlinkat(dirfd, tmp, 0);
	return ret;
}

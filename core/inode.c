// SPDX-License-Identifier: GPL-2.0-or-later
/* Comparing stat results of one file; see inode.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "inode.h"

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool inode_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

bool inode_same_content(const struct stat *a, const struct stat *b)
{
	return inode_same(a, b) &&
	       a->st_size == b->st_size && a->st_mode == b->st_mode &&
	       a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       same_time(&a->st_mtim, &b->st_mtim);
}

bool inode_same_state(const struct stat *a, const struct stat *b)
{
	return inode_same_content(a, b) &&
	       same_time(&a->st_ctim, &b->st_ctim);
}

int inode_lease_take(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK))
		return -errno;
	/* no SIGIO for a break: its default action ends the process */
	fcntl(fd, F_SETOWN, 0);
	return 0;
}

bool inode_lease_held(int fd)
{
	return fcntl(fd, F_GETLEASE) == F_RDLCK;
}

void inode_lease_drop(int fd)
{
	fcntl(fd, F_SETLEASE, F_UNLCK);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Opening regular files only, for plugins; see safeopen.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "safeopen.h"

int open_regular(int dirfd, const char *name, int flags)
{
	struct stat before, after;
	char proc[40];
	int pathfd, fd, fl, ret = -ENXIO;

	pathfd = openat(dirfd, name,
			O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW));
	if (pathfd < 0)
		return -errno;
	if (fstat(pathfd, &before)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(before.st_mode)) {
		ret = S_ISLNK(before.st_mode) ? -ELOOP : -ENXIO;
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	fd = open(proc, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	fl = fcntl(fd, F_GETFL);
	if (fstat(fd, &after) || after.st_dev != before.st_dev ||
	    after.st_ino != before.st_ino || fl < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK)) {
		close(fd);
		goto out;
	}
	ret = fd;
out:
	close(pathfd);
	return ret;
}

const char *open_strerror(int err)
{
	return err == -ENXIO ? "not a regular file" : strerror(-err);
}

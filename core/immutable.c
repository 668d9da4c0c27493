// SPDX-License-Identifier: GPL-2.0-or-later
/* The immutable flag of store objects; see immutable.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "immutable.h"
#include "tmpname.h"

int immutable_get(int fd)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return -errno;
	return !!(flags & FS_IMMUTABLE_FL);
}

int immutable_set(int fd, bool on)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return -errno;
	if (!!(flags & FS_IMMUTABLE_FL) == on)
		return 0;
	flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
	return ioctl(fd, FS_IOC_SETFLAGS, &flags) ? -errno : 0;
}

bool immutable_clear(int fd)
{
	return immutable_get(fd) == 1 && !immutable_set(fd, false);
}

int immutable_clear_at(int dirfd, const char *name)
{
	/* O_RDONLY: the flag ioctls need an fd, not write access */
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (!immutable_clear(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

void immutable_restore(int fd)
{
	if (fd < 0)
		return;
	immutable_set(fd, true);
	close(fd);
}

int immutable_probe(int dirfd)
{
	char name[64];
	int fd, ret;

	fd = tmpname_create(dirfd, name, sizeof(name));
	if (fd < 0)
		return fd;
	ret = immutable_set(fd, true);
	if (!ret)
		immutable_set(fd, false);
	close(fd);
	unlinkat(dirfd, name, 0);
	return ret;
}

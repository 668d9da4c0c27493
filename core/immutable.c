// SPDX-License-Identifier: GPL-2.0-or-later
/* The immutable flag of store objects; see immutable.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "content.h"
#include "immutable.h"
#include "store.h"
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

/* Holds of inodes that hash alike wait for each other: enough. */
#define STRIPES 64
static pthread_mutex_t stripes[STRIPES] = {
	[0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER
};

int immutable_hold(struct store *s, int fd, struct immutable_hold *h)
{
	struct stat st;
	int ret;

	if (fstat(fd, &st))
		return -errno;
	h->store = s;
	h->fd = fd;
	h->was_set = false;
	h->stripe = &stripes[(st.st_ino ^ st.st_dev * 31) % STRIPES];
	pthread_mutex_lock(h->stripe);
	if (immutable_get(fd) != 1)
		return 0;	/* clear, or no such flag here */
	ret = store_flags_clearing(s);
	if (!ret)
		ret = immutable_set(fd, false);
	if (ret) {
		pthread_mutex_unlock(h->stripe);
		return ret;
	}
	h->was_set = true;
	return 0;
}

int immutable_release(struct immutable_hold *h, bool set)
{
	int ret = 0;

	if (h->was_set || set) {
		ret = immutable_set(h->fd, true);
		if (ret)
			store_flags_lost(h->store);
	}
	pthread_mutex_unlock(h->stripe);
	return ret;
}

int immutable_unlink(struct store *s, int dirfd, const char *name,
		     const struct stat *expect)
{
	struct immutable_hold h;
	struct stat now;
	int fd, ret;

	/* without an inode to check, try the cheap way first */
	if (!expect && !unlinkat(dirfd, name, 0))
		return 0;
	if (!expect && errno != EPERM)
		return -errno;
	/* an immutable inode keeps its names: clear the flag meanwhile,
	 * on the very inode @expect names */
	fd = content_open(dirfd, name, &now);
	if (fd < 0)
		return fd == -ENXIO || fd == -ENOENT ? -ESTALE : fd;
	if (expect && (now.st_dev != expect->st_dev ||
		       now.st_ino != expect->st_ino)) {
		close(fd);
		return -ESTALE;
	}
	ret = immutable_hold(s, fd, &h);
	if (!ret) {
		ret = unlinkat(dirfd, name, 0) ? -errno : 0;
		immutable_release(&h, false);
	}
	close(fd);
	return ret;
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

// SPDX-License-Identifier: GPL-2.0-or-later
/* A guest root tree; see guest.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "guest.h"
#include "log.h"
#include "match.h"

int guest_open(struct guest *g, const char *path)
{
	size_t len;

	memset(g, 0, sizeof(*g));
	g->path = path;
	g->prefix = strdup(path);
	if (!g->prefix)
		return -ENOMEM;
	for (len = strlen(g->prefix); len && g->prefix[len - 1] == '/'; len--)
		g->prefix[len - 1] = '\0';
	g->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->rootfd < 0) {
		int ret = -errno;

		error("cannot open guest '%s': %s", qs(path),
		      errno == ENOTDIR ? "not a directory" : strerror(errno));
		guest_close(g);
		return ret;
	}
	if (fstat(g->rootfd, &g->st)) {
		int ret = -errno;

		error("cannot stat guest '%s': %s", qs(path), strerror(errno));
		guest_close(g);
		return ret;
	}
	return 0;
}

void guest_close(struct guest *g)
{
	if (g->rootfd >= 0)
		close(g->rootfd);
	g->rootfd = -1;
	free(g->prefix);
	g->prefix = NULL;
	matcher_free(g->excludes);
	g->excludes = NULL;
}

int guest_openat(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))
		return -EPERM;	/* the guest is only ever read */
	if (!(flags & O_PATH))
		how.flags |= O_NOCTTY;	/* openat2 refuses it with O_PATH */
	fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

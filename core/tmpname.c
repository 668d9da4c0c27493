// SPDX-License-Identifier: GPL-2.0-or-later
/* Names of temporaries; see tmpname.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tmpname.h"

static atomic_uint counter;

void tmpname_next(char *buf, size_t size)
{
	snprintf(buf, size, TMPNAME_PREFIX "%ld.%u", (long)getpid(),
		 atomic_fetch_add(&counter, 1));
}

bool tmpname_is(const char *name)
{
	const char *p = name + strlen(TMPNAME_PREFIX);
	size_t pid, seq;

	if (strncmp(name, TMPNAME_PREFIX, strlen(TMPNAME_PREFIX)))
		return false;
	/* the whole name is ours: PREFIX<pid>.<counter> */
	pid = strspn(p, "0123456789");
	if (!pid || p[pid] != '.')
		return false;
	seq = strspn(p + pid + 1, "0123456789");
	return seq && !p[pid + 1 + seq];
}

int tmpname_create(int dirfd, char *buf, size_t size)
{
	int tries, fd;

	for (tries = 0; tries < 100; tries++) {
		tmpname_next(buf, size);
		fd = openat(dirfd, buf, O_RDWR | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

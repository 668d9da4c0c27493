// SPDX-License-Identifier: GPL-2.0-or-later
/* Names of temporaries; see tmpname.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpname.h"

static atomic_uint counter;

void tmpname_next(char *buf, size_t size)
{
	snprintf(buf, size, TMPNAME_PREFIX "%ld.%u", (long)getpid(),
		 atomic_fetch_add(&counter, 1));
}

void tmpname_guest_next(char *buf, size_t size, ino_t store, ino_t inode,
			const char *object)
{
	snprintf(buf, size, TMPNAME_PREFIX "%llu.%ld.%u.%llu.%.2s%s",
		 (unsigned long long)store, (long)getpid(),
		 atomic_fetch_add(&counter, 1), (unsigned long long)inode,
		 object, strlen(object) > 3 ? object + 3 : "");
}

/*
 * Skips a run of digits at *p followed by @end; returns whether there
 * was at least one digit and then @end.
 */
static bool number(const char **p, char end)
{
	size_t n = strspn(*p, "0123456789");

	if (!n || (*p)[n] != end)
		return false;
	*p += n + (end ? 1 : 0);
	return true;
}

bool tmpname_like(const char *name)
{
	return !strncmp(name, TMPNAME_PREFIX, strlen(TMPNAME_PREFIX));
}

bool tmpname_is(const char *name)
{
	const char *p = name + strlen(TMPNAME_PREFIX);

	/* the whole name is ours: PREFIX<pid>.<counter> */
	return tmpname_like(name) && number(&p, '.') && number(&p, '\0');
}

bool tmpname_guest_parse(const char *name, ino_t store, ino_t *inode,
			 char *object, size_t size)
{
	const char *p = name + strlen(TMPNAME_PREFIX), *num;
	char id[24];
	size_t n;

	if (!tmpname_like(name))
		return false;
	n = snprintf(id, sizeof(id), "%llu.", (unsigned long long)store);
	if (strncmp(p, id, n))
		return false;
	p += n;
	if (!number(&p, '.') || !number(&p, '.'))	/* pid, counter */
		return false;
	num = p;
	if (!number(&p, '.') || strlen(p) < 3)	/* inode, object */
		return false;
	if (inode) {
		*inode = strtoull(num, NULL, 10);
		snprintf(object, size, "%.2s/%s", p, p + 2);
	}
	return true;
}

bool tmpname_guest_is(const char *name, ino_t store)
{
	return tmpname_guest_parse(name, store, NULL, NULL, 0);
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

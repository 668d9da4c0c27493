/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_OSRELEASE_H
#define VHASHIFY_OSRELEASE_H

/*
 * The guest's os-release(5): ID and ID_LIKE, read from etc/os-release
 * or else usr/lib/os-release, resolved inside the guest.
 */

#include <stddef.h>

struct os_release {
	char *id;		/* NULL when not set */
	char **id_like;		/* NULL-terminated words, or NULL */
};

/*
 * Reads the os-release of the guest at @rootfd. Only a regular file is
 * opened: anything else is -ENXIO (content_strerror() says why), not
 * passed over. Returns 0, -ENOENT when the guest has none, or another
 * -errno.
 */
int os_release_read(int rootfd, struct os_release *os);
/* The same, setting *where to the guest path read or refused. */
int os_release_read_from(int rootfd, struct os_release *os,
			 const char **where);

/*
 * Parses os-release text of @len bytes (any bytes; lines of
 * KEY=VALUE, VALUE optionally in single or double quotes with
 * backslash escapes inside double quotes). Unknown keys and malformed
 * lines are ignored, as os-release(5) asks. Returns 0 or -ENOMEM.
 */
int os_release_parse(const char *text, size_t len, struct os_release *os);
void os_release_release(struct os_release *os);

#endif

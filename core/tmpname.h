/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_TMPNAME_H
#define VHASHIFY_TMPNAME_H

/*
 * Names of temporaries. Every temporary vhashify leaves in a directory
 * carries TMPNAME_PREFIX, so that the next run can recognise and remove
 * what an interrupted run left behind.
 */

#include <stdbool.h>
#include <stddef.h>

#define TMPNAME_PREFIX ".vhashify.tmp."

/* Writes a name not used before by this process into @buf. */
void tmpname_next(char *buf, size_t size);
/* Whether @name is one of our temporaries: PREFIX<pid>.<counter>. */
bool tmpname_is(const char *name);
/*
 * Creates a new empty file (mode 0600) under a fresh name in @dirfd,
 * writing the name to @buf. Returns the fd (read-write) or -errno.
 */
int tmpname_create(int dirfd, char *buf, size_t size);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_TMPNAME_H
#define VHASHIFY_TMPNAME_H

/*
 * Names of temporaries. Every temporary vhashify makes carries
 * TMPNAME_PREFIX. Two kinds:
 *
 *   PREFIX<pid>.<counter>             in the store (STORE/tmp) and in
 *                                     probes: the store is ours, so
 *                                     anything so named there is too
 *   PREFIX<store>.<pid>.<counter>.<inode>.<object>
 *                                     in a guest directory: <store> is
 *                                     the inode number of the store
 *                                     directory, <object> the name of
 *                                     the object such a name links to
 *                                     ("ab/cd..." without its '/'),
 *                                     <inode> the guest file it is to
 *                                     replace, which a swap may leave
 *                                     under this name
 *
 * A guest may plant files with such names, so a name alone proves
 * nothing in a guest: see link_remove_leftover().
 *
 * pid and counter (atomic, per process) keep threads and processes of
 * one pid namespace apart; across namespaces, callers create with
 * O_EXCL or link(), which fail on a name in use, and try the next.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TMPNAME_PREFIX ".vhashify.tmp."
/* room for the longest name of either kind */
#define TMPNAME_MAX 224

/* Writes a store temporary's name not used before by this process. */
void tmpname_next(char *buf, size_t size);
/* Whether @name is a store temporary's name: PREFIX<pid>.<counter>. */
bool tmpname_is(const char *name);
/*
 * Creates a new empty file (mode 0600) under a fresh store temporary's
 * name in @dirfd, writing the name to @buf. Returns the fd (read-write)
 * or -errno.
 */
int tmpname_create(int dirfd, char *buf, size_t size);

/*
 * Writes a guest temporary's name for the store whose inode is @store,
 * to link to its object @object in place of the guest inode @inode.
 */
void tmpname_guest_next(char *buf, size_t size, ino_t store, ino_t inode,
			const char *object);
/*
 * Whether @name is a guest temporary's name of the store @store; if so
 * and @inode is not NULL, sets *inode and writes the object's name
 * ("ab/cd...", its '/' back) to @object of @size bytes.
 */
bool tmpname_guest_parse(const char *name, ino_t store, ino_t *inode,
			 char *object, size_t size);
/* Whether @name is a guest temporary's name of the store @store. */
bool tmpname_guest_is(const char *name, ino_t store);
/* Whether @name starts like a temporary of any kind, any store. */
bool tmpname_like(const char *name);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_GUEST_H
#define VHASHIFY_GUEST_H

/* A guest: an OS root tree given on the command line. */

#include <sys/stat.h>

struct store;
struct plugin;
struct detect_rule;
struct matcher;

struct guest {
	const char *path;	/* as given */
	char *prefix;		/* path without trailing '/': prefix + guest
				 * path = host path, in messages */
	int rootfd;		/* the root directory */
	struct stat st;		/* of the root: st_dev is its filesystem */
	struct store *store;	/* the store on that filesystem */
	const struct plugin *backend;	/* package backend, NULL for none */
	const struct detect_rule *rule;	/* the rule that chose it, or
					 * NULL when --pkgmgr did */
	struct matcher *excludes;	/* what is never shared */
};

/*
 * Opens the guest root @path (the path itself may be a symlink: the
 * administrator gave it; nothing inside the guest is ever followed).
 * Prints the reason and returns -errno on failure.
 */
int guest_open(struct guest *g, const char *path);
void guest_close(struct guest *g);

/*
 * Opens @path inside the guest whose root is @rootfd, resolving every
 * component inside the guest (openat2 RESOLVE_IN_ROOT): ".." stops at
 * the root, absolute symlinks start again at it, so no guest symlink
 * reaches a host file. @flags are open(2) flags for reading.
 * Returns an fd or -errno.
 */
int guest_openat(int rootfd, const char *path, int flags);

#endif

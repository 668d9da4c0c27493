/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_GUEST_H
#define VHASHIFY_GUEST_H

/* A guest: an OS root tree given on the command line. */

#include <stdbool.h>
#include <sys/stat.h>

struct store;
struct plugin;
struct detect_match;
struct matcher;
struct vserver_guest;

struct guest {
	char *name;		/* as named, or NULL when given by path */
	char *path;		/* its root, as given or resolved */
	char *prefix;		/* path without trailing '/': prefix + guest
				 * path = host path, in messages */
	int rootfd;		/* the root directory */
	struct stat st;		/* of the root: st_dev is its filesystem */
	struct store *store;	/* the store on that filesystem */
	bool reflink;		/* share extents rather than inodes */
	bool inline_small;	/* reflink: files under a block live in the
				 * filesystem's metadata (btrfs) */
	/*
	 * The package backends: the detection table's rules that matched
	 * and what became of each (only DETECT_APPLIED ones apply), or
	 * the one backend forced (rule NULL); NULL and 0 for none.
	 */
	struct detect_match *backends;
	size_t n_backends;
	char *backend_names;	/* those applied, "dpkg+rpm", or NULL */
	struct matcher *excludes;	/* what is never shared */
	struct vserver_guest *vserver;	/* a util-vserver guest's settings,
					 * or NULL */
	const char *group;	/* its trust group (group: in vhashify.yaml),
				 * NULL: the default group */
};

/*
 * Opens the guest root @path, named @name (NULL for a guest given by
 * path). The path itself may be a symlink: the administrator gave it;
 * nothing inside the guest is ever followed. Prints the reason and
 * returns -errno on failure.
 */
int guest_open(struct guest *g, const char *name, const char *path);

/*
 * Resolves a GUEST argument: one holding a '/' is a path, taken as it
 * is; else it is a name, looked up in @templates ("{name}" replaced) in
 * order, the first existing directory winning. An unknown name is an
 * error that lists where it looked. Returns 0 and a new string in
 * *root, or -ENOENT / -EINVAL (said).
 */
int guest_resolve(const char *arg, const char *const *templates,
		  char **root);

/*
 * Whether the guest name @name, resolved through @templates as
 * guest_resolve() does, is the root directory of @g: so that the
 * settings of a name apply to the guest given by its path too.
 */
bool guest_is_named(const struct guest *g, const char *name,
		    const char *const *templates);

/*
 * Calls @fn for every guest found through @templates: each directory
 * entry where "{name}" stands that makes the template an existing
 * directory. A guest found through two templates counts once. Stops at
 * a non-zero return of @fn and returns it.
 */
int guest_find_all(const char *const *templates,
		   int (*fn)(const char *name, const char *root, void *arg),
		   void *arg);
void guest_close(struct guest *g);

/*
 * Walks up from the directory @fd through ".." to the root of the
 * directory tree and returns the index in @guests (@n of them) of the
 * first guest whose root is met on the way, @fd itself included; -1
 * when none is; or -errno when a directory on the way cannot be opened.
 * This tells a guest inside another guest and a store inside a guest.
 */
int guest_find_above(int fd, const struct guest *guests, int n);

/*
 * Opens @path inside the guest whose root is @rootfd, resolving every
 * component inside the guest (openat2 RESOLVE_IN_ROOT): ".." stops at
 * the root, absolute symlinks start again at it, so no guest symlink
 * reaches a host file. @flags are open(2) flags for reading. Without
 * O_PATH or O_DIRECTORY only a regular file is opened: anything else
 * (a device node, a FIFO) is refused unopened with -ENXIO, see
 * content_reopen(). Returns an fd or -errno.
 */
int guest_openat(int rootfd, const char *path, int flags);

struct open_how;
/*
 * openat2(@rootfd, @path, @how) for a path inside a guest, tried again
 * while the kernel gives up with EAGAIN (a rename anywhere on the
 * system raced with a ".." it resolved under RESOLVE_IN_ROOT). Opens
 * whatever @how asks: guest_openat() is the safe way to read a file.
 * Returns an fd or -errno.
 */
int guest_openat2(int rootfd, const char *path, struct open_how *how);

#endif

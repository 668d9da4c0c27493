/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_VSERVER_H
#define VHASHIFY_VSERVER_H

/*
 * util-vserver's configuration tree (/etc/vservers, or the "vservers"
 * key of vhashify.yaml): which guests take part, their exclude lists
 * and package manager switches, as util-vserver's lib_internal/
 * matchvserverinfo-init.c, matchlist-initbyvserver.c and
 * src/vhashify-init.hc read them:
 *
 *   ROOT/NAME/vdir                        the guest root
 *   ROOT/NAME/apps/vunify/                its presence opts NAME in
 *   ROOT/NAME/apps/vunify/exclude         the first readable of these
 *   ROOT/.defaults/apps/vunify/exclude    three is the guest's list
 *   <util-vserver>/defaults/vunify-exclude
 *   ROOT/NAME/apps/vunify/pkgmgmt-ignore  no package manager (then
 *   ROOT/NAME/apps/vunify/pkgmgmt-force   pkgmgmt-force; then the same
 *                                         two under .defaults)
 *   ROOT/NAME/apps/pkgmgmt/style          the distribution: a backend
 *   ROOT/NAME/apps/vunify/hash,           the hash directory
 *   ROOT/.defaults/apps/vunify/hash
 */

#include <stdbool.h>

#include "vexclude.h"

#define VSERVER_ROOT "/etc/vservers"

/*
 * util-vserver's shipped default lists, newer place first; the
 * environment variable VHASHIFY_VUNIFY_EXCLUDE, when set and not
 * empty, names the one shipped list instead (for tests, packagers).
 */
extern const char *const vserver_default_lists[];

struct vserver_guest {
	char *name;
	char *exclude_list;	/* the old list in force, or NULL */
	struct vexclude *excludes;	/* read from it, by vserver_guest */
	char *backend;		/* "none", a backend from the style, or
				 * NULL for the detection table */
	char *why_backend;	/* what set it, for messages */
};

/*
 * Whether the guest root @root (its stat @st) is util-vserver guest
 * @name of the configuration tree @cfgroot: ROOT/NAME/vdir is that
 * very directory.
 */
bool vserver_is_guest(const char *cfgroot, const char *name,
		      dev_t dev, ino_t ino);

/* Whether guest @name has opted in (ROOT/NAME/apps/vunify exists). */
bool vserver_opted_in(const char *cfgroot, const char *name);

/*
 * Reads the settings of util-vserver guest @name, opted in, into a new
 * *out: its exclude list (read and parsed, errors said) and backend.
 * Returns 0 or -errno.
 */
int vserver_guest_load(const char *cfgroot, const char *name,
		       struct vserver_guest **out);
void vserver_guest_free(struct vserver_guest *vg);

/*
 * The hash directory of guest @name: ROOT/NAME/apps/vunify/hash, else
 * ROOT/.defaults/apps/vunify/hash. Returns a new string, or NULL when
 * neither is a directory.
 */
char *vserver_hash_dir(const char *cfgroot, const char *name);

struct guest;

/*
 * Gives guest @g, opened by name, its util-vserver settings when it is
 * a guest of the tree @cfgroot (g->vserver). A guest that has not
 * opted in is an error when @named (said), else skipped: returns 1.
 * Returns 0 (a util-vserver guest or not), 1, or -errno.
 */
int vserver_guest_setup(const char *cfgroot, struct guest *g, bool named);

/*
 * util-vserver's --manually: guest @g, given by path, gets the
 * exclude list @list in the old format. Returns 0 or -errno (said).
 */
int vserver_manual_setup(struct guest *g, const char *list);

/*
 * The guest search templates @templates with util-vserver's,
 * VSERVER_ROOT "/{name}/vdir", moved to @cfgroot. Returns a new
 * NULL-terminated array (free the strings and the array), or NULL.
 */
char **vserver_guest_paths(const char *cfgroot,
			   const char *const *templates);

/* The backend for util-vserver distribution style @style, or NULL. */
const char *vserver_style_backend(const char *style);

#endif

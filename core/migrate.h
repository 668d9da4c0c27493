/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_MIGRATE_H
#define VHASHIFY_MIGRATE_H

/*
 * Taking over a util-vserver host: its immutable flags (guest-flags.c) and
 * its hash directory (store-adopt.c).
 */

#include <stdbool.h>

#include "guest.h"
#include "store.h"

struct flags_tally {
	unsigned long found;	/* immutable shared files reported */
	unsigned long cleared;	/* of which the flag was cleared */
	unsigned long kept;	/* objects of an --immutable store */
	unsigned long failed;
};

/*
 * Walks guest @g and reports every shared regular file (more than one
 * link) that carries the immutable flag, which util-vserver set on its
 * unified files: on a stock kernel it makes package upgrades in the
 * guest fail. With @clear the flag is cleared (not in a @dry_run).
 * With @immutable, objects of the guest's store (g->store) are meant
 * to be immutable: counted as kept, neither reported nor cleared.
 * Adds to @t; returns 0 or -errno when the guest cannot be walked.
 */
int flags_migrate_guest(struct guest *g, bool clear, bool immutable,
			bool dry_run, struct flags_tally *t);

/* The inodes of one filesystem's adopted objects (u64set.h). */
struct adopt_inodes;

struct adopt_options {
	const char *const *store_paths;	/* one store per filesystem */
	int n_stores;
	struct store **stores;	/* by store_paths, opened as needed */
	enum hash_method hash;	/* for a store made now */
	bool hash_set;
	bool ignore_mtime;	/* metadata keys without mtime */
	bool remove;		/* remove old names once adopted */
	bool dry_run;
	/* filled by adopt_hash_dir(), freed by adopt_release() */
	struct adopt_inodes *inodes;	/* by filesystem */
	int n_inodes;
};

/*
 * Adopts the objects of util-vserver hash directory @dir: each of its
 * entries is the hash directory of one filesystem (often a symlink,
 * "00 -> /vservers/.hash"), whose objects are ab/cd/<rest>-<8 hex>.
 * Every object is hashed and its metadata read here (the old names
 * cover a native struct stat and cannot be recomputed), then its inode
 * is linked into the store on its filesystem under the name of its
 * content and metadata: no byte is copied, and every guest path linked
 * to it stays linked and counts as unified. Placeholders (empty files
 * with one link, left by an interrupted util-vserver run) are reported,
 * and removed with @o->remove, as are the old names of adopted objects.
 * Returns 0, 1 when some objects failed (said), or -errno.
 */
int adopt_hash_dir(const char *dir, struct adopt_options *o);

/*
 * --adopt-store=auto: adopts the hash directories of the @n guests
 * @guests (each once, however many guests share it) as util-vserver
 * finds them in its configuration tree @cfgroot (vserver_hash_dir()).
 * A guest that is not a util-vserver guest is an error, one without a
 * hash directory is said. Returns 0, 1 when something failed (said),
 * or -errno.
 */
int adopt_guests_hash_dirs(const char *cfgroot, struct guest *guests,
			   int n, struct adopt_options *o);

/*
 * After adopt_hash_dir(): walks util-vserver guest @g (g->vserver) for
 * the temporaries util-vserver's Unify_unify() leaves when killed
 * between its rename(2) and its unlink(2): NAME;XXXXXX (mkstemp(3)'s
 * six letters or digits) next to NAME. One is provably util-vserver's,
 * and removed (not in a @o->dry_run), when it is a link to an object
 * just adopted from the hash directory (its data lives on in the
 * store) and NAME exists; anything else so named is left alone. Both
 * are said with -v. Paths the guest's exclude lists leave out are not
 * touched. Returns 0, 1 when a removal failed (said), or -errno when
 * the guest cannot be walked.
 */
int adopt_leftovers(struct guest *g, struct adopt_options *o);

/* Frees what adopt_hash_dir() recorded in @o. */
void adopt_release(struct adopt_options *o);

#endif

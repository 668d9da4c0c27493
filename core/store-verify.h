/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_STORE_VERIFY_H
#define VHASHIFY_STORE_VERIFY_H

/*
 * --verify: every object of a store against its name, then the guest
 * paths linked to what is wrong. Works on stores opened (and locked)
 * by the caller and prints its own report.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest.h"
#include "store.h"

/* An object --verify reported that guests may link: a regular file. */
struct bad_object {
	struct store *store;
	char name[STORE_NAME_MAX];	/* "ab/cdef..." */
	const char *why;	/* what is wrong with it */
	dev_t dev;
	ino_t ino;
	bool modified;		/* its content or metadata no longer match
				 * its name: a guest wrote it */
	bool removed;		/* its store name is gone */
	uint64_t paths;		/* guest paths found linked to it */
};

/* What --verify does, and what it found, over all stores. */
struct verification {
	bool remove;		/* --remove-corrupt */
	bool detach;		/* --detach-modified: modified objects stay
				 * in the store for verify_guests() */
	bool json;		/* print nothing on stdout until
				 * verify_json() */
	bool dry_run;
	unsigned long corrupt;	/* entries found corrupt */
	struct bad_object *bad;
	size_t n_bad;
	struct verify_figures {
		const char *path;
		uint64_t objects, bytes;
		unsigned long corrupt;
	} *stores;
	size_t n_stores;
};

/*
 * Re-hashes every object of @s and checks its content digest and
 * metadata key against its name; adds what is wrong to @v (and the
 * regular files among it to v->bad). With v->remove, unlinks corrupt
 * entries from the store (the guests keep their files, and keep
 * sharing a corrupt object's inode, outside the store), but not the
 * modified objects when v->detach. Returns 0 or -errno.
 */
int verify_store(struct store *s, struct verification *v);

/*
 * Walks those of @guests (@n) on the filesystem of an object of v->bad
 * (after verify_store() of every store) for the paths linked to one,
 * and names each, with how many there are; walks none when v->bad is
 * empty. With v->detach, each such path of a modified object
 * gets a private copy of what it holds now (as --restore makes, all
 * names of it in one guest one copy), and the object's store name is
 * removed when no other name of it is left; with v->dry_run, says
 * what it would do. With v->json, writes the JSON document. Returns
 * the number of failures.
 */
unsigned long verify_guests(struct verification *v, struct guest *guests,
			    int n);

void verify_release(struct verification *v);

#endif

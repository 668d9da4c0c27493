/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_MAINT_H
#define VHASHIFY_MAINT_H

/*
 * The store's life besides hashifying, one file each: gc.c, verify.c,
 * stats.c, restore.c. Each works on stores opened (and locked) by the
 * caller and prints its own report.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest.h"
#include "report.h"
#include "store.h"

/*
 * Removes objects that no guest links to any more (link count 1) and
 * the temporaries of interrupted runs. With s->dry_run, only counts.
 * Returns 0 or -errno.
 */
int gc_store(struct store *s);

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
struct verify_run {
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
int verify_store(struct store *s, struct verify_run *v);

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
unsigned long verify_guests(struct verify_run *v, struct guest *guests,
			    int n);

void verify_release(struct verify_run *v);

/*
 * Prints the figures of @stores: objects, bytes stored, bytes saved
 * (an object with N guest links saves N - 1 copies), unreferenced
 * objects, the largest objects, and which of @guests link to them.
 * With @json, one JSON document on stdout. Returns 0 or -errno.
 */
int stats_stores(struct store **stores, int n_stores, struct guest *guests,
		 int n_guests, bool json);

/*
 * Gives every file of guest @g that is an object of its store a private
 * copy again (same bytes, holes, metadata and xattrs), atomically per
 * file. A file that is an object no other guest links (its links are
 * the store's name and the guest's names of it, counted by a first
 * walk) is not copied: it keeps its inode, and the store's name of it
 * is removed after the walk (with it the immutable flag of an
 * immutable store). With dry_run, only counts. Adds to @t:
 * linked counts the files copied (or to copy).
 */
void restore_guest(struct guest *g, bool dry_run, struct tally *t);

/*
 * The same file by file, for a walk of the caller's: restore_begin()
 * starts a restore of guest @g (g->store set) counting into @t,
 * restore_entry() gives the walk entry @e a private copy when it is an
 * object of the store (returns true when it replaced it, for walk's
 * file()), restore_end() ends it. Returns 0 or -errno.
 */
struct restore;
struct walk_entry;
int restore_begin(struct guest *g, bool dry_run, struct tally *t,
		  struct restore **out);
bool restore_entry(struct restore *r, const struct walk_entry *e);
void restore_end(struct restore *r);

#endif

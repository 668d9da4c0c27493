/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_MAINT_H
#define VHASHIFY_MAINT_H

/*
 * The store's life besides hashifying, one file each: gc.c, verify.c,
 * stats.c, restore.c. Each works on stores opened (and locked) by the
 * caller and prints its own report.
 */

#include <stdbool.h>

#include "guest.h"
#include "report.h"
#include "store.h"

/*
 * Removes objects that no guest links to any more (link count 1) and
 * the temporaries of interrupted runs. With s->dry_run, only counts.
 * Returns 0 or -errno.
 */
int gc_store(struct store *s);

/*
 * Re-hashes every object and checks its content digest and metadata
 * key against its name. Adds the number of corrupt objects to
 * *corrupt; with @remove, unlinks them from the store (the guests keep
 * their files, and the next run makes a good object of them).
 * Returns 0 or -errno.
 */
int verify_store(struct store *s, bool remove, unsigned long *corrupt);

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
 * file. With dry_run, only counts. Adds to @t: linked counts the files
 * restored (or to restore).
 */
void restore_guest(struct guest *g, bool dry_run, struct tally *t);

#endif

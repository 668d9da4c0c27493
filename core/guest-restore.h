/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_GUEST_RESTORE_H
#define VHASHIFY_GUEST_RESTORE_H

/*
 * --restore: a guest's files that are store objects given private
 * copies again. Works on the guest's store, opened (and locked) by the
 * caller, and says what fails.
 */

#include <stdbool.h>

#include "guest.h"
#include "report.h"

/*
 * Gives every file of guest @g that is an object of its store a private
 * copy again (same bytes, holes, metadata and xattrs), atomically per
 * file. A file that is an object no other guest links (its links are
 * the store's name and the guest's names of it, counted by a first
 * walk) is not copied: it keeps its inode, and the store's name of it
 * is removed after the walk (with it the immutable flag of an
 * immutable store). With dry_run, only counts. Adds to @t:
 * restored counts the files copied (or to copy).
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

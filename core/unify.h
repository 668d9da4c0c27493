/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_UNIFY_H
#define VHASHIFY_UNIFY_H

/*
 * One candidate file to its store object: read its metadata key, hash
 * its content, find the object with the same digest and key (proving
 * the bytes equal) and replace the file by a link to it. With no such
 * object, the file itself becomes the object (with --immutable, or when
 * the file is an object of another trust group, a private copy of it
 * does). An object that no longer matches its name (objmap.h) is
 * reported and never linked to.
 *
 * With reflink, the object holds content only, and the file keeps its
 * inode: the kernel compares the bytes and shares the object's extents
 * with the file (FIDEDUPERANGE). A file whose extents are all shared
 * already counts as unified without being read.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "log.h"
#include "objmap.h"
#include "store.h"
#include "walk.h"

enum unify_result {
	UNIFY_LINKED,		/* linked to an existing object */
	UNIFY_LINKED_NEW,	/* linked to an object made from it */
	UNIFY_UNIFIED,		/* it is the right object already */
	UNIFY_UNREADABLE,	/* no permission to read it */
	UNIFY_CHANGED,		/* it changed while we worked: left alone */
	UNIFY_SPARSE,		/* holes beyond CONTENT_HOLES_MAX: left alone */
	UNIFY_IN_USE,		/* a process has it open to write: left alone */
	UNIFY_FAILED,		/* an error, reported: left alone */
};

struct unify_params {
	struct store *store;	/* opened for a dry run: nothing changes */
	bool reflink;		/* share extents, not inodes */
	bool refresh;		/* reflink: look even at shared files */
	bool ignore_mtime;
	bool immutable;		/* objects linked get the immutable flag */
	const char *guest;	/* guest root, for messages */
	const char *group;	/* trust group of the objects, NULL: default */
	struct objmap *map;	/* the store's objects, NULL: not checked */
};

/* Why unify_file() failed, for the run's report. */
struct unify_error {
	int err;		/* -errno */
	char msg[LOG_MSG_MAX];	/* the message printed */
};

/*
 * Unifies the regular file @e. Prints its errors (once, naming the
 * file); on UNIFY_FAILED, @why holds the error and what was printed.
 * Sets *freed to the bytes of guest inode let go and *stored to the
 * bytes of a new object.
 */
enum unify_result unify_file(const struct unify_params *p,
			     const struct walk_entry *e,
			     off_t *freed, off_t *stored,
			     struct unify_error *why);

#endif

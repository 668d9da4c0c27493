/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_HASHIFY_H
#define VHASHIFY_HASHIFY_H

/*
 * The main job for one guest: walk it, decide for every entry whether
 * it may be shared (or why not), and unify the candidates.
 */

#include <signal.h>

#include "cli.h"
#include "guest.h"
#include "match.h"
#include "report.h"

struct objmap;

struct hashify {
	const struct options *opt;
	struct store **stores;	/* to recognise a store inside a guest */
	struct objmap **maps;	/* by store: its objects (objmap.h), NULL
				 * for none */
	int n_stores;
};

/*
 * The trust group whose objects guest @g links to: its own in hardlink
 * mode without --immutable, where linked guests share writable inodes;
 * NULL (the default group, shared by all) with --immutable or reflink,
 * where no guest can change what another sees.
 */
const char *hashify_group(const struct hashify *h, const struct guest *g);

/* Hashifies guest @g into its store, adding what was done to @t. */
/*
 * Set (to the signal's number) by a SIGTERM, SIGINT or SIGHUP handler:
 * the file being replaced is finished, no other file is taken.
 */
extern volatile sig_atomic_t hashify_stop;

void hashify_guest(const struct hashify *h, struct guest *g,
		   struct tally *t);

#endif

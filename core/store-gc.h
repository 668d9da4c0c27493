/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_STORE_GC_H
#define VHASHIFY_STORE_GC_H

/*
 * --gc: the store's objects no guest links any more. Works on a store
 * opened (and locked) by the caller and prints its own report.
 */

#include "store.h"

/*
 * Removes objects that no guest links to any more (link count 1) and
 * the temporaries of interrupted runs. With s->dry_run, only counts.
 * Returns 0 or -errno.
 */
int gc_store(struct store *s);

#endif

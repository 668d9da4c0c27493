/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_STORE_STATS_H
#define VHASHIFY_STORE_STATS_H

/* --stats: the figures of the stores, opened by the caller. */

#include <stdbool.h>

#include "guest.h"
#include "store.h"

/*
 * Prints the figures of @stores: objects, bytes stored, bytes saved
 * (an object with N guest links saves N - 1 copies), unreferenced
 * objects, the largest objects, and which of @guests link to them.
 * With @json, one JSON document on stdout. Returns 0 or -errno.
 */
int stats_stores(struct store **stores, int n_stores, struct guest *guests,
		 int n_guests, bool json);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_REPORT_H
#define VHASHIFY_REPORT_H

/*
 * What a run did, counted per guest and in total, and the summary that
 * follows every run.
 */

#include <stdbool.h>
#include <stdint.h>

/* Why a file was left alone. */
enum skip_reason {
	SKIP_EXCLUDED,		/* an exclusion rule matched */
	SKIP_SYMLINK,
	SKIP_SPECIAL,		/* device, FIFO or socket */
	SKIP_TOO_SMALL,		/* below --min-size */
	SKIP_OTHER_FS,		/* a mount point: not crossed */
	SKIP_UNREADABLE,	/* no permission to read it */
	SKIP_CHANGED,		/* changed while we looked at it */
	SKIP_STORE,		/* the store itself, inside a guest */
	SKIP_REASONS
};

struct tally {
	uint64_t seen;		/* entries other than directories */
	uint64_t linked;	/* now links to an object */
	uint64_t new_objects;	/* of those, objects made from them */
	uint64_t unified;	/* were links to an object already */
	uint64_t skipped[SKIP_REASONS];
	uint64_t failed;
	uint64_t temporaries;	/* leftovers of interrupted runs removed */
	uint64_t bytes_freed;	/* sizes of guest inodes let go */
	uint64_t bytes_stored;	/* sizes of objects created */
};

/* The word for @r in the summary and in -vv lines. */
const char *skip_reason_name(enum skip_reason r);

uint64_t tally_skipped(const struct tally *t);
void tally_add(struct tally *into, const struct tally *t);

/* One line for a guest: "guest 'PATH': ..." */
void report_guest(const char *guest, const char *method,
		  const struct tally *t, bool dry_run);
/* The summary of the whole run. */
void report_total(const struct tally *t, double elapsed, bool dry_run);

#endif

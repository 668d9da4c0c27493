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
	SKIP_NAMED_OUTSIDE,	/* a hard link with a name the walk did not
				 * see (host, other guest, pruned directory) */
	SKIP_LINKED_KEPT,	/* a hard link to a file not to be shared */
	SKIP_TOO_MANY_LINKS,	/* past the limit on hard links to follow */
	SKIP_IMMUTABLE,		/* chattr +i or +a: cannot be replaced */
	SKIP_SPARSE,		/* holes beyond CONTENT_HOLES_MAX */
	SKIP_WRITTEN,		/* a link to an object written since it was
				 * stored (objmap.h) */
	SKIP_IN_USE,		/* open to write by a process (a lease) */
	SKIP_REASONS
};

/* A file that failed, for the JSON report. */
struct failure {
	char *path;		/* host path */
	int err;		/* -errno, 0 when the message says why */
	char *error;		/* the message that was printed */
};

struct tally {
	uint64_t seen;		/* entries other than directories */
	uint64_t linked;	/* now links to an object */
	uint64_t restored;	/* --restore: given a private copy */
	uint64_t new_objects;	/* of those, objects made from them */
	uint64_t unified;	/* were links to an object already */
	uint64_t skipped[SKIP_REASONS];	/* files (not directories) */
	uint64_t dirs_skipped[SKIP_REASONS];	/* directories not entered */
	uint64_t failed;
	uint64_t temporaries;	/* leftovers of interrupted runs removed */
	uint64_t bytes_freed;	/* sizes of guest inodes let go */
	uint64_t bytes_stored;	/* sizes of objects created */
	struct failure *failures;	/* kept for --json; not added up */
	size_t n_failures;
};

/* The word for @r in the summary and in -vv lines. */
const char *skip_reason_name(enum skip_reason r);

uint64_t tally_skipped(const struct tally *t);
uint64_t tally_dirs_skipped(const struct tally *t);
/* Adds the counts of @t (not its failures) to @into. */
void tally_add(struct tally *into, const struct tally *t);
/*
 * Counts a failure of @prefix + @path: the error @err (-errno, or 0)
 * and @why, the message the caller printed (error_msg()) or the
 * reason it gave before.
 */
void tally_fail(struct tally *t, const char *prefix, const char *path,
		int err, const char *why);
void tally_release(struct tally *t);

/*
 * One line for a guest: "guest 'PATH' (METHOD[, group 'GROUP']): ...";
 * @group NULL for the default trust group.
 */
void report_guest(const char *guest, const char *method, const char *group,
		  const struct tally *t, bool dry_run);
/* The summary of the whole run. */
void report_total(const struct tally *t, double elapsed, bool dry_run);

/* One guest of the JSON report. */
struct guest_report {
	const char *guest;
	const char *method;	/* "hardlink", "reflink" */
	const char *backend;	/* NULL for none */
	const char *group;	/* trust group linked in, NULL: default */
	const struct tally *t;	/* NULL: left alone, see its failure */
};

/*
 * The run report as one JSON document on stdout (--json). Keys, stable:
 * "version" (1), "dry_run", "elapsed_seconds", "guests" (list of
 * {"guest", "method", "backend", "group", "left_alone", "counts",
 * "failures": [{"path", "error"}]}), "groups" (an object by trust
 * group name, "default" for the default one: {"guests", "counts"}) and
 * "totals" ("counts" as for a guest).
 * "counts": "files_seen", "linked", "new_objects", "already_unified",
 * "skipped" (files, an object per reason), "directories_skipped" (the
 * same for directories not entered), "failed", "leftovers_removed",
 * "bytes_saved".
 */
/*
 * The sharing per trust group, after the summary, when a guest is in a
 * group other than the default one: per group its guests, the files
 * linked and already unified and the bytes saved.
 */
void report_groups(const struct guest_report *g, int n, bool dry_run);

void report_json(const struct guest_report *g, int n, const struct tally *total,
		 double elapsed, bool dry_run);

#endif

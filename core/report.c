// SPDX-License-Identifier: GPL-2.0-or-later
/* Counting what a run did and printing the summary; see report.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "log.h"
#include "report.h"

static const char *const reason_names[SKIP_REASONS] = {
	[SKIP_EXCLUDED] = "excluded",
	[SKIP_SYMLINK] = "symlink",
	[SKIP_SPECIAL] = "special file",
	[SKIP_TOO_SMALL] = "too small",
	[SKIP_OTHER_FS] = "other filesystem",
	[SKIP_UNREADABLE] = "unreadable",
	[SKIP_CHANGED] = "changed while read",
	[SKIP_STORE] = "store",
};

const char *skip_reason_name(enum skip_reason r)
{
	return reason_names[r];
}

uint64_t tally_skipped(const struct tally *t)
{
	uint64_t n = 0;
	int r;

	for (r = 0; r < SKIP_REASONS; r++)
		n += t->skipped[r];
	return n;
}

void tally_add(struct tally *into, const struct tally *t)
{
	int r;

	into->seen += t->seen;
	into->linked += t->linked;
	into->new_objects += t->new_objects;
	into->unified += t->unified;
	for (r = 0; r < SKIP_REASONS; r++)
		into->skipped[r] += t->skipped[r];
	into->failed += t->failed;
	into->temporaries += t->temporaries;
	into->bytes_freed += t->bytes_freed;
	into->bytes_stored += t->bytes_stored;
}

/* Formats a byte count the way people read it: "12.3 MiB". */
static const char *human(int64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB",
					     "TiB", "PiB" };
	double v = bytes < 0 ? -(double)bytes : (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%s%.1f %s" : "%s%.0f %s",
		 bytes < 0 ? "-" : "", v, units[u]);
	return buf;
}

void report_guest(const char *guest, const char *method,
		  const struct tally *t, bool dry_run)
{
	printf("guest '%s' (%s): %" PRIu64 " files, %" PRIu64 " %s, %" PRIu64
	       " already unified, %" PRIu64 " skipped, %" PRIu64 " failed\n",
	       qs(guest), method, t->seen, t->linked,
	       dry_run ? "would be linked" : "linked", t->unified,
	       tally_skipped(t), t->failed);
}

void report_total(const struct tally *t, double elapsed, bool dry_run)
{
	int64_t saved = (int64_t)(t->bytes_freed - t->bytes_stored);
	char buf[32];
	int r;

	printf("%s\n", dry_run ? "dry run, nothing changed:" : "summary:");
	printf("  files seen:       %" PRIu64 "\n", t->seen);
	printf("  %-17s %" PRIu64 " (new objects: %" PRIu64 ")\n",
	       dry_run ? "would be linked:" : "linked:",
	       t->linked, t->new_objects);
	printf("  already unified:  %" PRIu64 "\n", t->unified);
	printf("  skipped:          %" PRIu64 "\n", tally_skipped(t));
	for (r = 0; r < SKIP_REASONS; r++) {
		if (!t->skipped[r])
			continue;
		snprintf(buf, sizeof(buf), "%s:", skip_reason_name(r));
		printf("    %-15s %" PRIu64 "\n", buf, t->skipped[r]);
	}
	printf("  failed:           %" PRIu64 "\n", t->failed);
	if (t->temporaries)
		printf("  leftovers removed: %" PRIu64 "\n", t->temporaries);
	printf("  %-17s %s (%" PRId64 " bytes)\n",
	       dry_run ? "would save:" : "bytes saved:",
	       human(saved, buf, sizeof(buf)), saved);
	printf("  elapsed:          %.2f s\n", elapsed);
}

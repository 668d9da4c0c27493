// SPDX-License-Identifier: GPL-2.0-or-later
/* Counting what a run did and printing the summary; see report.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
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
	[SKIP_NAMED_OUTSIDE] = "named outside",
	[SKIP_LINKED_KEPT] = "link to kept file",
	[SKIP_TOO_MANY_LINKS] = "too many links",
	[SKIP_IMMUTABLE] = "immutable flag",
	[SKIP_SPARSE] = "sparse",
	[SKIP_WRITTEN] = "written object",
	[SKIP_IN_USE] = "open for writing",
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

uint64_t tally_dirs_skipped(const struct tally *t)
{
	uint64_t n = 0;
	int r;

	for (r = 0; r < SKIP_REASONS; r++)
		n += t->dirs_skipped[r];
	return n;
}

void tally_add(struct tally *into, const struct tally *t)
{
	int r;

	into->seen += t->seen;
	into->linked += t->linked;
	into->restored += t->restored;
	into->new_objects += t->new_objects;
	into->unified += t->unified;
	for (r = 0; r < SKIP_REASONS; r++) {
		into->skipped[r] += t->skipped[r];
		into->dirs_skipped[r] += t->dirs_skipped[r];
	}
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

void report_guest(const char *guest, const char *method, const char *group,
		  const struct tally *t, bool dry_run)
{
	printf("guest '%s' (%s%s%s%s): %" PRIu64 " files, %" PRIu64 " %s, %"
	       PRIu64 " already unified, %" PRIu64 " skipped, %" PRIu64
	       " failed\n", qs(guest), method, group ? ", group '" : "",
	       group ? qs(group) : "", group ? "'" : "", t->seen, t->linked,
	       dry_run ? "would be linked" : "linked", t->unified,
	       tally_skipped(t), t->failed);
}

/* The lines "    reason: N" of the reasons counted in @v. */
static void print_reasons(const uint64_t *v)
{
	char buf[32];
	int r;

	for (r = 0; r < SKIP_REASONS; r++) {
		if (!v[r])
			continue;
		snprintf(buf, sizeof(buf), "%s:", skip_reason_name(r));
		printf("    %-15s %" PRIu64 "\n", buf, v[r]);
	}
}

void report_total(const struct tally *t, double elapsed, bool dry_run)
{
	int64_t saved = (int64_t)(t->bytes_freed - t->bytes_stored);
	char buf[32];

	printf("%s\n", dry_run ? "dry run, nothing changed:" : "summary:");
	printf("  files seen:       %" PRIu64 "\n", t->seen);
	printf("  %-17s %" PRIu64 " (new objects: %" PRIu64 ")\n",
	       dry_run ? "would be linked:" : "linked:",
	       t->linked, t->new_objects);
	printf("  already unified:  %" PRIu64 "\n", t->unified);
	printf("  skipped:          %" PRIu64 "\n", tally_skipped(t));
	print_reasons(t->skipped);
	if (tally_dirs_skipped(t)) {
		printf("  directories skipped: %" PRIu64 "\n",
		       tally_dirs_skipped(t));
		print_reasons(t->dirs_skipped);
	}
	printf("  failed:           %" PRIu64 "\n", t->failed);
	if (t->temporaries)
		printf("  leftovers removed: %" PRIu64 "\n", t->temporaries);
	printf("  %-17s %s (%" PRId64 " bytes)\n",
	       dry_run ? "would save:" : "bytes saved:",
	       human(saved, buf, sizeof(buf)), saved);
	printf("  elapsed:          %.2f s\n", elapsed);
}

void tally_fail(struct tally *t, const char *prefix, const char *path,
		int err, const char *why)
{
	struct failure *v;

	t->failed++;
	v = realloc(t->failures, (t->n_failures + 1) * sizeof(*v));
	if (!v)
		return;
	t->failures = v;
	if (asprintf(&v[t->n_failures].path, "%s%s", prefix, path) < 0)
		return;
	v[t->n_failures].err = err;
	v[t->n_failures].error = strdup(why);
	if (!v[t->n_failures].error) {
		free(v[t->n_failures].path);
		return;
	}
	t->n_failures++;
}

void tally_release(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n_failures; i++) {
		free(t->failures[i].path);
		free(t->failures[i].error);
	}
	free(t->failures);
	t->failures = NULL;
	t->n_failures = 0;
}

/* An object with a key per reason, in snake case ("special_file"). */
static void json_reasons(const uint64_t *v)
{
	const char *c;
	int r;

	putchar('{');
	for (r = 0; r < SKIP_REASONS; r++) {
		printf("%s\"", r ? ", " : "");
		for (c = skip_reason_name(r); *c; c++)
			putchar(*c == ' ' ? '_' : *c);
		printf("\": %" PRIu64, v[r]);
	}
	putchar('}');
}

static void json_counts(const struct tally *t)
{
	printf("{\"files_seen\": %" PRIu64 ", \"linked\": %" PRIu64
	       ", \"new_objects\": %" PRIu64 ", \"already_unified\": %" PRIu64
	       ", \"skipped\": ", t->seen, t->linked, t->new_objects,
	       t->unified);
	json_reasons(t->skipped);
	printf(", \"directories_skipped\": ");
	json_reasons(t->dirs_skipped);
	printf(", \"failed\": %" PRIu64 ", \"leftovers_removed\": %" PRIu64
	       ", \"bytes_saved\": %" PRId64 "}", t->failed, t->temporaries,
	       (int64_t)(t->bytes_freed - t->bytes_stored));
}

/* The name of guest report @g's trust group. */
static const char *group_name(const struct guest_report *g)
{
	return g->group ? g->group : "default";
}

/*
 * Adds up the tallies of the guests [@i, @n) in the group of guest @i
 * into @sum; returns how many there are, or 0 when a guest before @i
 * is in that group (it was added up then).
 */
static int add_group(const struct guest_report *g, int i, int n,
		     struct tally *sum)
{
	const char *name = group_name(&g[i]);
	int k, count = 0;

	for (k = 0; k < i; k++)
		if (!strcmp(group_name(&g[k]), name))
			return 0;
	memset(sum, 0, sizeof(*sum));
	for (k = i; k < n; k++) {
		if (strcmp(group_name(&g[k]), name))
			continue;
		count++;
		if (g[k].t)
			tally_add(sum, g[k].t);
	}
	return count;
}

void report_groups(const struct guest_report *g, int n, bool dry_run)
{
	struct tally sum;
	char buf[32];
	int i, count;

	for (i = 0; i < n && !g[i].group; i++)
		;
	if (i == n)
		return;	/* the default group alone: the summary says it */
	printf("trust groups:\n");
	for (i = 0; i < n; i++) {
		count = add_group(g, i, n, &sum);
		if (!count)
			continue;
		printf("  '%s': %d guest%s, %" PRIu64 " %s, %" PRIu64
		       " already unified, %s saved\n", qs(group_name(&g[i])),
		       count, count == 1 ? "" : "s", sum.linked,
		       dry_run ? "would be linked" : "linked", sum.unified,
		       human((int64_t)(sum.bytes_freed - sum.bytes_stored),
			     buf, sizeof(buf)));
	}
}

void report_json(const struct guest_report *g, int n, const struct tally *total,
		 double elapsed, bool dry_run)
{
	struct tally sum;
	int count, shown = 0;
	struct tally none = { 0 };
	size_t f;
	int i;

	printf("{\n  \"version\": 1,\n  \"dry_run\": %s,\n"
	       "  \"elapsed_seconds\": %.3f,\n  \"guests\": [",
	       dry_run ? "true" : "false", elapsed);
	for (i = 0; i < n; i++) {
		const struct tally *t = g[i].t ? g[i].t : &none;

		printf("%s\n    {", i ? "," : "");
		json_name(stdout, "guest", g[i].guest);
		printf(", \"method\": \"%s\", \"backend\": ", g[i].method);
		if (g[i].backend)
			json_string(stdout, g[i].backend);
		else
			printf("null");
		printf(", \"group\": ");
		json_string(stdout, group_name(&g[i]));
		printf(", \"left_alone\": %s, \"counts\": ",
		       g[i].t ? "false" : "true");
		json_counts(t);
		printf(", \"failures\": [");
		for (f = 0; f < t->n_failures; f++) {
			printf("%s{", f ? ", " : "");
			json_name(stdout, "path", t->failures[f].path);
			printf(", \"error\": ");
			json_string(stdout, t->failures[f].error);
			printf("}");
		}
		printf("]}");
	}
	printf("\n  ],\n  \"groups\": {");
	for (i = 0; i < n; i++) {
		count = add_group(g, i, n, &sum);
		if (!count)
			continue;
		printf("%s\n    ", shown++ ? "," : "");
		json_string(stdout, group_name(&g[i]));
		printf(": {\"guests\": %d, \"counts\": ", count);
		json_counts(&sum);
		printf("}");
	}
	printf("\n  },\n  \"totals\": ");
	json_counts(total);
	printf("\n}\n");
}

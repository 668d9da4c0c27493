// SPDX-License-Identifier: GPL-2.0-or-later
/* The figures of the stores; see store-stats.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "store-stats.h"
#include "walk.h"

#define TOP 10

struct object_info {
	char name[STORE_NAME_MAX];
	off_t size;
	nlink_t links;		/* guest links: the store's own not counted */
};

/* The objects of one trust group (store.h). */
struct group_stats {
	char name[STORE_GROUP_MAX + 1];	/* "" for the default group */
	uint64_t objects, links, bytes_saved;
};

struct stats {
	struct group_stats *groups;	/* in the order first met */
	size_t n_groups;
	uint64_t objects, unreferenced, links;
	uint64_t content_objects, content_bytes;	/* --method=reflink */
	uint64_t bytes_stored, bytes_saved;
	struct object_info top[TOP];	/* largest first */
	int n_top;
};

/* The figures of the trust group of object @name, added if new. */
static struct group_stats *group_of(struct stats *x, const char *name)
{
	struct group_stats *v;
	const char *g = "";
	size_t len = store_name_group(name, &g), i;

	if (len > STORE_GROUP_MAX)
		len = STORE_GROUP_MAX;
	for (i = 0; i < x->n_groups; i++)
		if (strlen(x->groups[i].name) == len &&
		    !strncmp(x->groups[i].name, g, len))
			return &x->groups[i];
	v = realloc(x->groups, (x->n_groups + 1) * sizeof(*v));
	if (!v)
		return NULL;
	x->groups = v;
	v += x->n_groups++;
	memset(v, 0, sizeof(*v));
	memcpy(v->name, g, len);
	return v;
}

static int count(struct store *s, int dirfd, const char *name,
		 const struct stat *st, void *arg)
{
	struct group_stats *gs;
	struct stats *x = arg;
	nlink_t links = st->st_nlink - 1;
	int i;

	if (!strchr(name, '/') || !S_ISREG(st->st_mode)) {
		warning("unexpected '%s/objects/%s' in the store, not "
			"counted: see --verify", qs(store_path(s)), qs(name));
		return 0;
	}
	if (strstr(name, "-content")) {
		/* a dedupe source: its sharers are extents, not links */
		x->content_objects++;
		x->content_bytes += st->st_size;
		return 0;
	}
	x->objects++;
	x->links += links;
	x->bytes_stored += st->st_size;
	if (!links)
		x->unreferenced++;
	else
		x->bytes_saved += (uint64_t)st->st_size * (links - 1);
	gs = group_of(x, name);
	if (!gs)
		return -ENOMEM;
	gs->objects++;
	gs->links += links;
	if (links)
		gs->bytes_saved += (uint64_t)st->st_size * (links - 1);
	/* keep the largest, in order */
	for (i = x->n_top; i > 0 && x->top[i - 1].size < st->st_size; i--)
		if (i < TOP)
			x->top[i] = x->top[i - 1];
	if (i < TOP) {
		snprintf(x->top[i].name, sizeof(x->top[i].name), "%s", name);
		x->top[i].size = st->st_size;
		x->top[i].links = links;
		if (x->n_top < TOP)
			x->n_top++;
	}
	(void)dirfd;
	return 0;
}

/* How many files of a guest are objects of its store. */
struct guest_refs {
	const struct guest *g;
	uint64_t files;
};

static bool refs_enter(const struct walk_entry *e, void *arg)
{
	struct guest_refs *r = arg;

	return e->st.st_dev == r->g->st.st_dev;
}

static bool refs_file(const struct walk_entry *e, void *arg)
{
	struct guest_refs *r = arg;

	if (S_ISREG(e->st.st_mode) && store_is_object(r->g->store, &e->st))
		r->files++;
	return false;
}

static void refs_fail(const char *path, int err, void *arg)
{
	struct guest_refs *r = arg;

	warning("cannot read '%s%s': %s", qs(r->g->prefix), qs(path),
		strerror(-err));
}

/* The trust group of guest @g: valid names need no quoting. */
static const char *group_name(const struct guest *g)
{
	return store_default_group(g->group) ? "default" : g->group;
}

static void print_text(const struct store *s, const struct stats *x)
{
	int i;

	printf("store '%s' (hash %s):\n", qs(store_path(s)),
	       hash_method_name(store_hash(s)));
	printf("  objects:          %" PRIu64 "\n", x->objects);
	printf("  unreferenced:     %" PRIu64 "\n", x->unreferenced);
	printf("  guest links:      %" PRIu64 "\n", x->links);
	printf("  bytes stored:     %" PRIu64 "\n", x->bytes_stored);
	printf("  bytes saved:      %" PRIu64 "\n", x->bytes_saved);
	if (x->content_objects)
		printf("  reflink sources:  %" PRIu64 " (%" PRIu64 " bytes)\n",
		       x->content_objects, x->content_bytes);
	for (i = 0; x->n_groups > 1 && i < (int)x->n_groups; i++)
		printf("  group '%s': %" PRIu64 " objects, %" PRIu64 " guest "
		       "links, %" PRIu64 " bytes saved\n",
		       *x->groups[i].name ? x->groups[i].name : "default",
		       x->groups[i].objects, x->groups[i].links,
		       x->groups[i].bytes_saved);
	for (i = 0; i < x->n_top; i++)
		printf("  %s %s  %lld bytes, %lu links\n",
		       i ? "                 " : "largest objects:",
		       x->top[i].name, (long long)x->top[i].size,
		       (unsigned long)x->top[i].links);
}

static void print_json(const struct store *s, const struct stats *x,
		       bool first)
{
	int i;

	printf("%s\n    {", first ? "" : ",");
	json_name(stdout, "path", store_path(s));
	printf(", \"hash\": \"%s\", \"objects\": %" PRIu64
	       ", \"unreferenced\": %" PRIu64 ", \"guest_links\": %" PRIu64
	       ", \"bytes_stored\": %" PRIu64 ", \"bytes_saved\": %" PRIu64
	       ", \"reflink_sources\": %" PRIu64 ", \"reflink_source_bytes\": %"
	       PRIu64 ", \"groups\": [", hash_method_name(store_hash(s)),
	       x->objects, x->unreferenced, x->links, x->bytes_stored,
	       x->bytes_saved, x->content_objects, x->content_bytes);
	for (i = 0; i < (int)x->n_groups; i++)
		printf("%s{\"group\": \"%s\", \"objects\": %" PRIu64
		       ", \"guest_links\": %" PRIu64 ", \"bytes_saved\": %"
		       PRIu64 "}", i ? ", " : "",
		       *x->groups[i].name ? x->groups[i].name : "default",
		       x->groups[i].objects, x->groups[i].links,
		       x->groups[i].bytes_saved);
	printf("], \"largest\": [");
	for (i = 0; i < x->n_top; i++)
		printf("%s{\"object\": \"%s\", \"size\": %lld, "
		       "\"links\": %lu}", i ? ", " : "", x->top[i].name,
		       (long long)x->top[i].size,
		       (unsigned long)x->top[i].links);
	printf("]}");
}

int stats_stores(struct store **stores, int n_stores, struct guest *guests,
		 int n_guests, bool json)
{
	static const struct walk_ops ops = { refs_enter, refs_file,
					      refs_fail };
	struct guest_refs refs;
	struct stats x;
	int i, ret, referencing = 0, shown = 0;

	if (json)
		printf("{\n  \"stores\": [");
	for (i = 0; i < n_stores; i++) {
		if (!stores[i])
			continue;
		memset(&x, 0, sizeof(x));
		ret = store_each_object(stores[i], count, &x);
		if (ret)
			free(x.groups);
		if (ret) {
			error("cannot read objects of store '%s': %s",
			      qs(store_path(stores[i])), strerror(-ret));
			return ret;
		}
		if (json)
			print_json(stores[i], &x, !shown);
		else
			print_text(stores[i], &x);
		free(x.groups);
		shown++;
	}
	if (json)
		printf("\n  ],\n  \"guests\": [");
	else if (n_guests)
		printf("guests:\n");
	for (i = 0; i < n_guests; i++) {
		refs.g = &guests[i];
		refs.files = 0;
		walk_tree(guests[i].rootfd, &ops, &refs);
		referencing += refs.files > 0;
		if (json) {
			printf("%s\n    {", i ? "," : "");
			json_name(stdout, "guest", guests[i].path);
			printf(", \"group\": \"%s\", \"files_in_store\": %"
			       PRIu64 "}", group_name(&guests[i]),
			       refs.files);
		} else {
			printf("  '%s': %" PRIu64 " files in the store%s%s%s\n",
			       qs(guests[i].path), refs.files,
			       guests[i].group ? ", group '" : "",
			       guests[i].group ? group_name(&guests[i]) : "",
			       guests[i].group ? "'" : "");
		}
	}
	if (json)
		printf("\n  ],\n  \"guests_referencing\": %d\n}\n",
		       referencing);
	else if (n_guests)
		printf("guests referencing: %d of %d\n", referencing,
		       n_guests);
	return 0;
}

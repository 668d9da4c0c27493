// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhashify: makes identical files of guest root trees one inode in a
 * content-addressed store. The flow of a run, top to bottom:
 *   command line -> plugins and detection table -> guests -> a backend
 *   for each guest -> stores (one per filesystem) -> for each guest:
 *   exclusions from its plugins, walk, decide, unify -> summary
 * Everything that can be wrong with the configuration is found before
 * the first change.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cli.h"
#include "detect.h"
#include "exclusions.h"
#include "guest.h"
#include "hashify.h"
#include "host.h"
#include "log.h"
#include "match.h"
#include "plugin.h"
#include "report.h"
#include "store.h"

/* What a run works with, set up before anything changes. */
struct run {
	struct options opt;
	struct plugins plugins;
	const struct plugin *exclude_file;	/* always applies */
	const struct plugin *forced;	/* --pkgmgr=NAME */
	struct detect_table table;	/* --pkgmgr=auto */
	const char **exclude_lists;	/* default list + --exclude-from */
	struct guest *guests;
	int n_guests;
	struct store **stores;
	int n_stores;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_backend(const struct plugin *p, void *arg)
{
	printf("%-14s ABI %u.%u  %s\n", p->name, p->backend->abi_major,
	       p->backend->abi_minor,
	       p->backend->description ? p->backend->description : "");
	(void)arg;
}

static void list_name(const struct plugin *p, void *arg)
{
	if (strcmp(p->name, "exclude-file"))
		fprintf(stderr, " %s", p->name);
	(void)arg;
}

/* Loads the plugins and the detection table the options ask for. */
static int setup_backends(struct run *r)
{
	char *table = NULL, *dropins = NULL;
	int ret, i;

	ret = plugins_init(&r->plugins,
			   plugins_default_dir(r->opt.plugin_dir));
	if (ret)
		return ret;
	r->exclude_file = plugins_get(&r->plugins, "exclude-file", &ret);
	if (!r->exclude_file) {
		if (ret == -ENOENT)
			error("backend 'exclude-file' is not installed in "
			      "'%s'", qs(r->plugins.dir));
		return ret;
	}

	r->exclude_lists = calloc(r->opt.n_exclude_from + 2,
				  sizeof(*r->exclude_lists));
	if (!r->exclude_lists ||
	    asprintf((char **)&r->exclude_lists[0], "%s/exclude",
		     r->opt.sysconfdir) < 0)
		return -ENOMEM;
	for (i = 0; i < r->opt.n_exclude_from; i++)
		r->exclude_lists[i + 1] = r->opt.exclude_from[i];

	if (r->opt.pkgmgr && !strcmp(r->opt.pkgmgr, "none"))
		return 0;
	if (r->opt.pkgmgr) {
		r->forced = plugins_get(&r->plugins, r->opt.pkgmgr, &ret);
		if (r->forced)
			return 0;
		if (ret == -ENOENT) {
			error("unknown backend '%s'", qs(r->opt.pkgmgr));
			fprintf(stderr, "installed backends:");
			plugins_each(&r->plugins, list_name, NULL);
			fprintf(stderr, "\n");
		}
		return ret;
	}
	if (asprintf(&table, "%s/detect.yaml", r->opt.sysconfdir) < 0 ||
	    asprintf(&dropins, "%s/detect.d", r->opt.sysconfdir) < 0)
		ret = -ENOMEM;
	else
		ret = detect_load(&r->table, table, dropins);
	free(table);
	free(dropins);
	return ret;
}

/* Opens the guests and chooses each one's backend. */
static int setup_guests(struct run *r)
{
	struct host host;
	int ret;

	r->guests = calloc(r->opt.n_guests, sizeof(*r->guests));
	if (!r->guests)
		return -ENOMEM;
	for (; r->n_guests < r->opt.n_guests; r->n_guests++) {
		struct guest *g = &r->guests[r->n_guests];

		ret = guest_open(g, r->opt.guests[r->n_guests]);
		if (ret)
			return ret;
		if (!r->opt.pkgmgr) {
			host_init(&host, g, r->exclude_lists);
			ret = detect_choose(&r->table, &r->plugins, &host,
					    &g->backend, &g->rule);
			if (ret == -ENOENT && !r->opt.detect_only) {
				error("no backend found for guest '%s': force "
				      "one with --pkgmgr=NAME, or use "
				      "--pkgmgr=none to rely on exclude lists "
				      "alone", qs(g->path));
				return ret;
			}
			if (ret && ret != -ENOENT)
				return ret;
		} else {
			g->backend = r->forced;
		}
	}
	return 0;
}

static int print_detected(const struct run *r)
{
	int i, status = EXIT_OK;

	for (i = 0; i < r->n_guests; i++) {
		const struct guest *g = &r->guests[i];

		if (g->rule)
			printf("%s: %s (%s line %u)\n", qs(g->path),
			       g->backend->name, qs(g->rule->file),
			       g->rule->line);
		else if (g->backend)
			printf("%s: %s (--pkgmgr)\n", qs(g->path),
			       g->backend->name);
		else if (r->opt.pkgmgr)
			printf("%s: none (--pkgmgr=none)\n", qs(g->path));
		else {
			printf("%s: none (none of %zu rules chose an installed "
			       "backend)\n",
			       qs(g->path), r->table.n);
			status = EXIT_FAILED;
		}
	}
	return status;
}

/* The filesystem a store serves, also before the store exists. */
static int store_device(const char *path, dev_t *dev)
{
	struct stat st;
	char *parent;
	int ret = 0;

	if (!stat(path, &st)) {
		*dev = st.st_dev;
		return 0;
	}
	if (errno != ENOENT)
		goto out_error;
	parent = strdup(path);
	if (!parent)
		return -ENOMEM;
	if (stat(dirname(parent), &st))
		ret = -errno;
	else
		*dev = st.st_dev;
	free(parent);
	if (!ret)
		return 0;
	errno = -ret;
out_error:
	error("cannot use store '%s': %s", qs(path), strerror(errno));
	return -errno;
}

/*
 * Gives every guest the store on its filesystem, opening (or creating)
 * only the stores that some guest needs.
 */
static int setup_stores(struct run *r)
{
	static const char *default_store[] = { DEFAULT_STORE };
	const char **paths = r->opt.n_stores ? r->opt.stores : default_store;
	int n = r->opt.n_stores ? r->opt.n_stores : 1;
	dev_t devs[n];
	int i, j, ret;

	r->stores = calloc(n, sizeof(*r->stores));
	if (!r->stores)
		return -ENOMEM;
	r->n_stores = n;
	for (i = 0; i < n; i++) {
		ret = store_device(paths[i], &devs[i]);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			if (devs[j] == devs[i]) {
				error("stores '%s' and '%s' are on one "
				      "filesystem: give one store per "
				      "filesystem", qs(paths[j]),
				      qs(paths[i]));
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < r->n_guests; i++) {
		struct guest *g = &r->guests[i];

		for (j = 0; j < n; j++)
			if (devs[j] == g->st.st_dev)
				break;
		if (j == n) {
			error("no store on the filesystem of guest '%s' "
			      "(device %u:%u): give --store DIR on that "
			      "filesystem", qs(g->path),
			      major(g->st.st_dev), minor(g->st.st_dev));
			return -ENODEV;
		}
		if (!r->stores[j]) {
			ret = store_open(paths[j], r->opt.hash,
					 r->opt.hash_set, r->opt.dry_run,
					 &r->stores[j]);
			if (ret)
				return ret;
		}
		g->store = r->stores[j];
	}
	return 0;
}

/*
 * Gathers what each guest must never share: its exclude lists, then its
 * package backend's configuration files. A bad exclude list is a
 * configuration error; a package database that cannot be read leaves
 * that guest alone (sharing its configuration files would be worse)
 * and counts as a failure.
 */
static int setup_exclusions(struct run *r, int *guests_failed)
{
	struct host host;
	size_t count;
	int i, ret;

	for (i = 0; i < r->n_guests; i++) {
		struct guest *g = &r->guests[i];

		g->excludes = matcher_new();
		if (!g->excludes)
			return -ENOMEM;
		host_init(&host, g, r->exclude_lists);
		ret = exclusions_collect(&host, r->exclude_file, g->excludes,
					 &count);
		if (ret)
			return ret;
		if (!g->backend)
			continue;
		ret = exclusions_collect(&host, g->backend, g->excludes,
					 &count);
		if (ret) {
			error("leaving guest '%s' alone: backend '%s' cannot "
			      "tell its configuration files", qs(g->path),
			      g->backend->name);
			matcher_free(g->excludes);
			g->excludes = NULL;
			(*guests_failed)++;
			continue;
		}
		note(1, "guest '%s': backend %s, %zu exclusion rules",
		     qs(g->path), g->backend->name,
		     matcher_count(g->excludes));
	}
	return 0;
}

static void release(struct run *r)
{
	int i;

	for (i = 0; r->stores && i < r->n_stores; i++)
		store_close(r->stores[i]);
	free(r->stores);
	for (i = 0; i < r->n_guests; i++)
		guest_close(&r->guests[i]);
	free(r->guests);
	if (r->exclude_lists)
		free((char *)r->exclude_lists[0]);
	free(r->exclude_lists);
	detect_release(&r->table);
	plugins_release(&r->plugins);
	cli_release(&r->opt);
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	struct hashify h = { 0 };
	struct tally total = { 0 };
	int i, ret, guests_failed = 0, status = EXIT_USAGE;
	double start = now();

	ret = cli_parse(argc, argv, &r.opt);
	if (ret >= 0)
		return ret;
	if (r.opt.list_backends) {
		if (!plugins_init(&r.plugins,
				  plugins_default_dir(r.opt.plugin_dir)) &&
		    !plugins_each(&r.plugins, print_backend, NULL))
			status = EXIT_OK;
		goto out;
	}
	if (setup_backends(&r) || setup_guests(&r))
		goto out;
	if (r.opt.detect_only) {
		status = print_detected(&r);
		goto out;
	}
	if (setup_exclusions(&r, &guests_failed) || setup_stores(&r))
		goto out;

	h.opt = &r.opt;
	h.stores = r.stores;
	h.n_stores = r.n_stores;
	for (i = 0; i < r.n_guests; i++) {
		struct guest *g = &r.guests[i];
		struct tally t = { 0 };

		if (!g->excludes)
			continue;	/* left alone, said why */
		hashify_guest(&h, g, &t);
		report_guest(g->path, &t, r.opt.dry_run);
		tally_add(&total, &t);
	}
	report_total(&total, now() - start, r.opt.dry_run);
	status = total.failed || guests_failed ? EXIT_FAILED : EXIT_OK;
out:
	release(&r);
	return status;
}

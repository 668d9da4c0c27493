/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_SETUP_H
#define VHASHIFY_SETUP_H

/*
 * What a run works with (struct job), set up before anything changes:
 * every check that can refuse the run is done by these functions, in
 * the order main() calls them. Each says what is wrong itself and
 * returns 0 or -errno, unless told otherwise.
 */

#include <stdbool.h>

#include "cli.h"
#include "conf.h"
#include "detect.h"
#include "guest.h"
#include "plugin.h"
#include "store.h"

struct job {
	struct options opt;
	struct conf conf;
	struct plugins plugins;
	const struct plugin *exclude_file;	/* always applies */
	struct detect_table table;
	/* default, configured, --exclude-from */
	const char **exclude_lists;
	int n_exclude_lists;
	struct guest *guests;
	int n_guests;
	const char **store_paths;
	int n_store_paths;
	struct store **stores;	/* by store_paths; NULL where not opened */
	const char *vservers;	/* util-vserver's configuration tree */
	char **vs_paths;	/* guest paths with it, or NULL */
	/*
	 * By guest: why its exclusions could not be gathered (said once),
	 * so that it is left alone, or NULL.
	 */
	const char **left_alone;
};

/* Reads the configuration file; the command line (job->opt) overrides it. */
int setup_conf(struct job *job);

/* Loads the plugins, the detection table and the exclude lists. */
int setup_backends(struct job *job);

/* Finds and opens the guests: by path, by name, or --all. */
int setup_guests(struct job *job);

/*
 * A guest is its root directory: one given twice is treated once. To
 * hashify or restore, guests must not overlap, and the host's root and
 * a guest holding a store need --force-guest. Returns 0 or -EINVAL.
 */
int check_guests(struct job *job);

/*
 * Chooses every guest's backends: --pkgmgr, its settings, or the rules
 * of the detection table (see detect.h). A guest with none found is an
 * error only to hashify.
 */
int choose_backends(struct job *job);

/* Describes why guest @g has its backends, for --detect and lists. */
void print_backend_of(const struct job *job, const struct guest *g);

/*
 * Checks every guest's exclude lists before anything changes: a bad
 * list is a configuration error. Also makes job->left_alone.
 */
int check_exclude_lists(struct job *job);

/*
 * Gives every guest the store on its filesystem (one store per
 * filesystem), with its link method, opening (or, to hashify,
 * creating) only the stores that some guest needs.
 */
int setup_stores(struct job *job);

/*
 * Opens every store, for --gc, --verify and --stats: a store that does
 * not exist is an error; these never make one.
 */
int open_all_stores(struct job *job);

/*
 * Gives guest @i its whole exclusions (g->excludes), backends one
 * guest at a time; safe from the workers' threads. Returns false when
 * the guest is to be left alone (said, once per run, the reason in
 * job->left_alone[@i]); drop_exclusions() frees them.
 */
bool take_exclusions(struct job *job, int i);
void drop_exclusions(struct guest *g);

/* Closes and frees all of @job, its options too. */
void job_release(struct job *job);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The actions over a job that is set up: hashifying the guests side by
 * side in threads, and the maintenance actions; see run.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "closer.h"
#include "content.h"
#include "guest-restore.h"
#include "hashify.h"
#include "log.h"
#include "migrate.h"
#include "objmap.h"
#include "progress.h"
#include "report.h"
#include "run.h"
#include "store-gc.h"
#include "store-stats.h"
#include "store-verify.h"
#include "workers.h"

double run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void print_backend(const struct plugin *p, void *arg)
{
	const struct vhashify_backend *b = p->backend;
	const char *version = VHASHIFY_BACKEND_HAS(b, version) &&
			      b->version ? b->version : "-";

	printf("%-14s ABI %u.%u  %-8s %s\n", p->name, b->abi_major,
	       b->abi_minor, qs(version),
	       qs(b->description ? b->description : ""));
	(void)arg;
}

/* --gc: every store. */
int run_store_action(struct job *job)
{
	int i, failed = 0;

	if (open_all_stores(job))
		return EXIT_USAGE;
	for (i = 0; i < job->n_store_paths; i++)
		if (job->stores[i])
			failed |= !!gc_store(job->stores[i]);
	return failed ? EXIT_FAILED : EXIT_OK;
}

/*
 * --verify: every store; then, when it found objects guests may link,
 * the guests given (else those of the configuration) are walked for
 * them, and with --detach-modified detached from them.
 */
int run_verify(struct job *job)
{
	struct verification v = {
		.remove = job->opt.remove_corrupt,
		.detach = job->opt.detach_modified,
		.json = job->opt.json, .dry_run = job->opt.dry_run };
	int i, failed = 0;

	/* guests given are found before anything changes */
	if ((job->opt.n_guests || job->opt.all) &&
	    (setup_guests(job) || check_guests(job)))
		return EXIT_USAGE;
	if (open_all_stores(job))
		return EXIT_USAGE;
	for (i = 0; i < job->n_store_paths; i++)
		if (job->stores[i])
			failed |= !!verify_store(job->stores[i], &v);
	if (v.n_bad && !job->opt.n_guests && !job->opt.all) {
		job->opt.all = true;
		failed |= setup_guests(job) || check_guests(job);
	}
	failed |= verify_guests(&v, job->guests, job->n_guests) > 0;
	verify_release(&v);
	return failed || v.corrupt ? EXIT_FAILED : EXIT_OK;
}

/*
 * Removes what interrupted runs left in the stores' tmp/ (a restore's
 * private copies, objects in the making). A run that changes a store
 * holds its lock alone, so nothing there is in use; this is done
 * before any guest is worked on, for no thread may use tmp/ yet.
 */
static void clean_stores_tmp(struct job *job)
{
	int i, n;

	for (i = 0; i < job->n_store_paths && !job->opt.dry_run; i++) {
		if (!job->stores[i])
			continue;
		n = store_clean_tmp(job->stores[i]);
		if (n > 0)
			note(1, "removed %d leftovers in store '%s'", n,
			     qs(store_path(job->stores[i])));
	}
}

/* --restore: every guest given. */
int run_restore(struct job *job)
{
	struct tally total = { 0 };
	int i;

	clean_stores_tmp(job);
	for (i = 0; i < job->n_guests; i++) {
		struct tally t = { 0 };

		restore_guest(&job->guests[i], job->opt.dry_run, &t);
		tally_add(&total, &t);
	}
	return total.failed ? EXIT_FAILED : EXIT_OK;
}

/* --migrate-flags: every guest given. */
int run_migrate_flags(struct job *job)
{
	struct flags_tally t = { 0 };
	int i, failed = 0;

	for (i = 0; i < job->n_guests; i++)
		failed |= !!flags_migrate_guest(&job->guests[i],
						job->opt.clear_flags,
						job->opt.immutable,
						job->opt.dry_run, &t);
	printf("immutable shared files: %lu\n%s: %lu\n"
	       "store objects kept immutable: %lu\nfailed: %lu\n", t.found,
	       job->opt.dry_run ? "would clear" : "cleared", t.cleared, t.kept,
	       t.failed);
	return failed || t.failed ? EXIT_FAILED : EXIT_OK;
}

/*
 * --adopt-store DIR or =auto (the guests' hash directories), and
 * --destination DIR; then util-vserver's leftovers in the guests.
 */
int run_adopt(struct job *job)
{
	struct adopt_options ao = {
		.store_paths = job->store_paths,
		.n_stores = job->n_store_paths,
		.stores = job->stores,
		.hash = job->opt.hash,
		.hash_set = job->opt.hash_set,
		.ignore_mtime = job->opt.ignore_mtime,
		.remove = job->opt.remove_adopted,
		.dry_run = job->opt.dry_run,
	};
	int i, ret, left = 0;

	ret = strcmp(job->opt.adopt_dir, "auto") ?
	      adopt_hash_dir(job->opt.adopt_dir, &ao) :
	      adopt_guests_hash_dirs(job->vservers, job->guests, job->n_guests,
				     &ao);
	for (i = 0; ret >= 0 && i < job->n_guests; i++) {
		/* to hashify (--destination), with the whole exclusions */
		if (job->opt.mode == MODE_HASHIFY && !take_exclusions(job, i))
			continue;
		left |= adopt_leftovers(&job->guests[i], &ao);
		drop_exclusions(&job->guests[i]);
	}
	adopt_release(&ao);
	return ret < 0 ? EXIT_USAGE : ret || left ? EXIT_FAILED : EXIT_OK;
}

/*
 * Threads that close replaced guest files (see closer.h): they wait for
 * the device, not for a CPU, so more than the cores.
 */
#define CLOSER_THREADS 4

/*
 * What the workers hashifying the guests side by side share: the
 * job, and by guest its report and tally, and which are done.
 */
struct hashify_workers {
	struct job *job;
	struct hashify h;
	struct guest_report *rep;
	struct tally *t;
	bool *done;		/* by guest: hashified */
	int reported;		/* guests whose summary is out */
	pthread_mutex_t lock;	/* guards done and reported */
};

/* Hashifies guest @i; then prints the summaries now due, in the order
 * of the command line. */
static void hashify_one(int i, void *arg)
{
	struct hashify_workers *hw = arg;
	struct job *job = hw->job;
	struct guest *g = &job->guests[i];
	struct guest_report *rep = &hw->rep[i];
	struct tally *t = &hw->t[i];

	rep->guest = g->path;
	rep->method = g->reflink ? "reflink" : "hardlink";
	rep->group = hashify_group(&hw->h, g);
	rep->backend = g->backend_names;
	rep->t = t;
	progress_guest(g->name ? g->name : g->path);
	if (hashify_stop)
		;	/* stopping: no other guest is read */
	else if (!take_exclusions(job, i))	/* left alone, said why */
		tally_fail(t, "", g->path, 0, job->left_alone[i]);
	else
		hashify_guest(&hw->h, g, t);
	drop_exclusions(g);
	progress_guest_done();

	pthread_mutex_lock(&hw->lock);
	hw->done[i] = true;
	for (; hw->reported < job->n_guests && hw->done[hw->reported];
	     hw->reported++) {
		rep = &hw->rep[hw->reported];
		if (job->opt.json || job->left_alone[hw->reported])
			continue;
		progress_end();
		report_guest(rep->guest, rep->method, rep->group, rep->t,
			     job->opt.dry_run);
	}
	pthread_mutex_unlock(&hw->lock);
}

static void on_stop_signal(int sig)
{
	hashify_stop = sig;
}

/* SIGTERM, SIGINT, SIGHUP: finish the file at hand, then stop. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal,
				.sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * The objects of every store, by inode (objmap.h), so that the run
 * notices an object written since it was stored: each store's own,
 * read when it was opened. Returns 0 or -ENOMEM.
 */
static int load_maps(struct hashify *h)
{
	int i;

	h->maps = calloc(h->n_stores, sizeof(*h->maps));
	if (!h->maps)
		return -ENOMEM;
	for (i = 0; i < h->n_stores; i++)
		if (h->stores[i])
			h->maps[i] = store_objmap(h->stores[i]);
	return 0;
}

int run_hashify(struct job *job, double start)
{
	struct hashify_workers hw = {
		.job = job,
		.h = { .opt = &job->opt, .stores = job->stores,
		       .n_stores = job->n_store_paths },
		.rep = calloc(job->n_guests, sizeof(*hw.rep)),
		.t = calloc(job->n_guests, sizeof(*hw.t)),
		.done = calloc(job->n_guests, sizeof(*hw.done)),
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	struct tally total = { 0 };
	unsigned long written = 0;
	int i;

	if (!hw.rep || !hw.t || !hw.done || load_maps(&hw.h)) {
		error("out of memory");
		total.failed = 1;
		goto out;
	}
	catch_stop_signals();
	progress_start(job->n_guests, !job->opt.quiet && !job->opt.json &&
		       !log_verbosity() && isatty(STDERR_FILENO));
	content_set_tick(progress_hash_tick);
	clean_stores_tmp(job);
	if (closer_start(CLOSER_THREADS))
		note(1, "closing replaced files in the foreground");
	workers_run(job->opt.jobs ? job->opt.jobs : workers_cpus(),
		    job->n_guests, hashify_one, &hw);
	closer_stop();
	for (i = 0; i < job->n_guests; i++)
		tally_add(&total, &hw.t[i]);
	if (job->opt.json) {
		report_json(hw.rep, job->n_guests, &total, run_now() - start,
			    job->opt.dry_run);
	} else {
		report_total(&total, run_now() - start, job->opt.dry_run);
		report_groups(hw.rep, job->n_guests, job->opt.dry_run);
	}
	for (i = 0; i < job->n_guests; i++)
		tally_release(&hw.t[i]);
out:
	for (i = 0; hw.h.maps && i < hw.h.n_stores; i++)
		if (hw.h.maps[i])
			written += objmap_modified(hw.h.maps[i]);
	free(hw.h.maps);
	free(hw.done);
	free(hw.t);
	free(hw.rep);
	if (hashify_stop) {
		error("stopped by signal %d before the end: the files not "
		      "reached are left as they were", (int)hashify_stop);
		return 128 + hashify_stop;
	}
	return total.failed || written ? EXIT_FAILED : EXIT_OK;
}

/* --list-backends */
int run_list_backends(struct job *job)
{
	if (!plugins_init(&job->plugins,
			  plugins_default_dir(job->opt.plugin_dir)) &&
	    !plugins_each(&job->plugins, print_backend, NULL))
		return EXIT_OK;
	return EXIT_USAGE;
}

/* --detect and --list-guests: every guest with its backends. */
int run_detect(struct job *job)
{
	int i;

	for (i = 0; i < job->n_guests; i++) {
		if (job->opt.mode == MODE_LIST_GUESTS)
			printf("%s\t%s\t", qs(job->guests[i].name),
			       qs(job->guests[i].path));
		else
			printf("%s: ", qs(job->guests[i].path));
		print_backend_of(job, &job->guests[i]);
	}
	return EXIT_OK;
}

/* --stats: every store, with the guests given. */
int run_stats(struct job *job)
{
	if (open_all_stores(job))
		return EXIT_USAGE;
	return stats_stores(job->stores, job->n_store_paths, job->guests,
			    job->n_guests, job->opt.json) ?
	       EXIT_FAILED : EXIT_OK;
}

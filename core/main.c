// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhashify: makes identical files of guest root trees one inode in a
 * content-addressed store. The flow of a run, top to bottom:
 *   command line and configuration file -> plugins and detection table
 *   -> guests (by path or name) and a backend for each -> exclude lists
 *   checked -> stores (one per filesystem) -> for each guest: its
 *   exclusions, walk, decide, unify, its exclusions freed -> summary
 * main() parses the command line, sets the job up (setup.h: everything
 * that can be wrong with the configuration is found before the first
 * change), hands it to the action of its mode (run.h) and releases it.
 * A guest's package database is read when that guest is worked on, so
 * that a run holds the exclusions of --jobs guests. The maintenance
 * actions (--gc, --verify, --stats, --restore) share the set-up.
 */
#include "config.h"

#include <malloc.h>
#include <sys/resource.h>

#include "cli.h"
#include "run.h"
#include "setup.h"

/*
 * The walk holds a descriptor per directory level and the closer a few
 * hundred more: take all the descriptors we are allowed, not the soft
 * limit's 1024, so that deep trees do not run out.
 */
static void raise_fd_limit(void)
{
	struct rlimit l;

	if (!getrlimit(RLIMIT_NOFILE, &l) && l.rlim_cur < l.rlim_max) {
		l.rlim_cur = l.rlim_max;
		setrlimit(RLIMIT_NOFILE, &l);
	}
}

/*
 * A fixed mmap threshold: glibc raises its threshold each time a large
 * block is freed, after which a guest's exclusions (megabytes of chunks
 * and tables, freed when the guest is done) come from a thread's malloc
 * arena and stay there, and the next guest's, built in another thread,
 * are added on top. Fixing it (which turns the raising off) gives them
 * back to the system when freed.
 */
static void fix_mmap_threshold(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

int main(int argc, char **argv)
{
	struct job job = { 0 };
	int ret, status = EXIT_USAGE;
	enum mode mode;
	double start = run_now();

	ret = cli_parse(argc, argv, &job.opt);
	if (ret >= 0) {
		cli_release(&job.opt);
		return ret;
	}
	mode = job.opt.mode;
	fix_mmap_threshold();
	raise_fd_limit();
	if (setup_conf(&job))
		goto out;
	store_set_lock_timeout(job.opt.lock_timeout);

	switch (mode) {
	case MODE_LIST_BACKENDS:
		status = run_list_backends(&job);
		goto out;
	case MODE_GC:
		status = run_store_action(&job);
		goto out;
	case MODE_VERIFY:
		status = run_verify(&job);
		goto out;
	case MODE_ADOPT:
		/* guests given: their hash directories, their leftovers */
		if (!setup_guests(&job) && !check_guests(&job))
			status = run_adopt(&job);
		goto out;
	default:
		break;
	}

	if (setup_backends(&job) || setup_guests(&job) || check_guests(&job) ||
	    choose_backends(&job))
		goto out;
	if (mode == MODE_DETECT || mode == MODE_LIST_GUESTS) {
		status = run_detect(&job);
		goto out;
	}
	if (mode == MODE_HASHIFY && check_exclude_lists(&job))
		goto out;
	if (mode == MODE_MIGRATE_FLAGS && !job.opt.immutable) {
		status = run_migrate_flags(&job);	/* no store needed */
		goto out;
	}
	if (setup_stores(&job))
		goto out;

	switch (mode) {
	case MODE_RESTORE:
		status = run_restore(&job);
		break;
	case MODE_MIGRATE_FLAGS:
		status = run_migrate_flags(&job);
		break;
	case MODE_STATS:
		status = run_stats(&job);
		break;
	default:
		/* --destination DIR: the old hash directory first */
		if (job.opt.adopt_dir && run_adopt(&job) == EXIT_USAGE)
			goto out;
		status = run_hashify(&job, start);
		break;
	}
out:
	job_release(&job);
	return status;
}

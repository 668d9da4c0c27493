/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_RUN_H
#define VHASHIFY_RUN_H

/*
 * The actions of vhashify over a job set up by setup.h, one per mode.
 * Each prints its own report and returns the exit status (cli.h).
 */

#include "setup.h"

/* Seconds of a monotonic clock, for the time a run took. */
double run_now(void);

/*
 * The main job: every guest hashified (hashify.h), guests side by side
 * in threads, each with its exclusions while it is worked on; the
 * summaries in the order of the command line. @start is run_now() when
 * the program started. A stop signal ends the run early.
 */
int run_hashify(struct job *job, double start);

/* --restore: every guest given (its store set up). */
int run_restore(struct job *job);

/* --gc: every store. */
int run_store_action(struct job *job);

/* --verify: every store, then the guests linking what it found. */
int run_verify(struct job *job);

/* --stats: every store, with the guests given. */
int run_stats(struct job *job);

/* --migrate-flags: every guest given. */
int run_migrate_flags(struct job *job);

/*
 * --adopt-store DIR or =auto, and --destination DIR (before
 * run_hashify()); then util-vserver's leftovers in the guests.
 */
int run_adopt(struct job *job);

/* --detect and --list-guests: every guest with its backends. */
int run_detect(struct job *job);

/* --list-backends: the installed backends. */
int run_list_backends(struct job *job);

#endif

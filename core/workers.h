/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_WORKERS_H
#define VHASHIFY_WORKERS_H

/*
 * Work items on several threads: hashing and linking is mostly waiting
 * for the kernel (reads, links, renames), so guests worked on side by
 * side use all cores.
 */

/* The CPUs this process may run on, at least 1. */
unsigned int workers_cpus(void);

/*
 * Calls @fn(@i, @arg) once for every @i from 0 to @n - 1 on up to
 * @threads threads, the calling one among them, and returns when all
 * are done. Items begin in order of @i. When no thread can be started
 * the calling thread does them all.
 */
void workers_run(unsigned int threads, int n, void (*fn)(int i, void *arg),
		 void *arg);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* Work items on several threads; see workers.h. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "workers.h"

struct pool {
	atomic_int next;	/* the next item not yet begun */
	int n;
	void (*fn)(int i, void *arg);
	void *arg;
};

unsigned int workers_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

static void *work(void *arg)
{
	struct pool *p = arg;
	int i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(i, p->arg);
	return NULL;
}

void workers_run(unsigned int threads, int n, void (*fn)(int i, void *arg),
		 void *arg)
{
	struct pool p = { .n = n, .fn = fn, .arg = arg };
	pthread_t *tid = NULL;
	unsigned int started = 0;

	atomic_init(&p.next, 0);
	if (threads > (unsigned int)n)
		threads = n;
	if (threads > 1)
		tid = calloc(threads - 1, sizeof(*tid));
	while (tid && started < threads - 1 &&
	       !pthread_create(&tid[started], NULL, work, &p))
		started++;
	work(&p);
	while (started)
		pthread_join(tid[--started], NULL);
	free(tid);
}

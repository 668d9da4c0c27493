// SPDX-License-Identifier: GPL-2.0-or-later
/* Work items on several threads. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "workers.h"

#define N 500

struct seen {
	atomic_int count[N];
	atomic_int busy, most;	/* items running now, and at most */
	pthread_t caller;
	atomic_bool caller_worked;
};

static void item(int i, void *arg)
{
	struct seen *s = arg;
	int busy = atomic_fetch_add(&s->busy, 1) + 1, most;

	atomic_fetch_add(&s->count[i], 1);
	most = atomic_load(&s->most);
	while (busy > most && !atomic_compare_exchange_weak(&s->most, &most,
							     busy))
		;
	if (pthread_equal(pthread_self(), s->caller))
		atomic_store(&s->caller_worked, true);
	usleep(100);	/* long enough for the others to overlap */
	atomic_fetch_sub(&s->busy, 1);
}

/* Every item runs exactly once, on no more threads than asked. */
static void run(unsigned int threads, int n, int most_allowed)
{
	static struct seen s;
	int i;

	for (i = 0; i < N; i++)
		atomic_init(&s.count[i], 0);
	atomic_init(&s.busy, 0);
	atomic_init(&s.most, 0);
	atomic_init(&s.caller_worked, false);
	s.caller = pthread_self();
	workers_run(threads, n, item, &s);
	for (i = 0; i < N; i++)
		assert_int_equal(atomic_load(&s.count[i]), i < n ? 1 : 0);
	assert_true(atomic_load(&s.most) <= most_allowed);
	assert_int_equal(atomic_load(&s.busy), 0);
	if (n)
		assert_true(atomic_load(&s.caller_worked));
}

static void test_each_once(void **state)
{
	(void)state;
	run(4, N, 4);
}

static void test_one_thread(void **state)
{
	(void)state;
	run(1, N, 1);
}

/* More threads than items: no more run at once than there are items. */
static void test_few_items(void **state)
{
	(void)state;
	run(16, 3, 3);
	run(4, 0, 0);
}

/* The CPUs counted are the ones this thread may run on. */
static void test_cpus(void **state)
{
	cpu_set_t all, one;
	int cpu;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(workers_cpus(), CPU_COUNT(&all));
	for (cpu = 0; !CPU_ISSET(cpu, &all); cpu++)
		;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(workers_cpus(), 1);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_once),
		cmocka_unit_test(test_one_thread),
		cmocka_unit_test(test_few_items),
		cmocka_unit_test(test_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Closing descriptors in the background. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "closer.h"

#define N 1000		/* more than the queue holds */

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* Every descriptor queued is closed by closer_stop(), none twice. */
static void test_all_closed(void **state)
{
	static int fds[N];
	int i, keep;

	(void)state;
	assert_int_equal(closer_start(3), 0);
	for (i = 0; i < N; i++) {
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		assert_true(fds[i] >= 0);
		closer_close(fds[i]);
	}
	closer_stop();
	/* a descriptor opened now could reuse a number: all are free */
	keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < N; i++)
		if (fds[i] != keep)
			assert_false(is_open(fds[i]));
	close(keep);
}

#define PRODUCERS 4
#define EACH 20000	/* the queue fills up many times over */
#define HANG_SECONDS 120

static void *produce(void *unused)
{
	int i, fd;

	(void)unused;
	for (i = 0; i < EACH; i++) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return (void *)1;
		closer_close(fd);
	}
	return NULL;
}

/*
 * Several threads queue at once, faster than one closing thread keeps
 * up: none of them is left waiting for room that has come free.
 */
static void test_producers(void **state)
{
	pthread_t tid[PRODUCERS];
	struct timespec deadline;
	void *failed;
	int i, ret;

	(void)state;
	assert_int_equal(closer_start(1), 0);
	for (i = 0; i < PRODUCERS; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, produce, NULL),
				 0);
	/* a lost wake-up hangs a producer: fail after a generous wait
	 * (a hang detector, not a speed test: the work takes well under
	 * a second) rather than hang the suite */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += HANG_SECONDS;
	for (i = 0; i < PRODUCERS; i++) {
		ret = pthread_timedjoin_np(tid[i], &failed, &deadline);
		if (ret == ETIMEDOUT)
			fail_msg("producer %d still waits for room after %d s",
				 i, HANG_SECONDS);
		assert_int_equal(ret, 0);
		assert_null(failed);
	}
	closer_stop();
}

/* Without threads, closer_close() is close(). */
static void test_foreground(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	closer_close(fd);
	assert_false(is_open(fd));
	closer_stop();		/* stopping twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_closed),
		cmocka_unit_test(test_producers),
		cmocka_unit_test(test_foreground),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

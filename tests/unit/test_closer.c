// SPDX-License-Identifier: GPL-2.0-or-later
/* Closing descriptors in the background. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
		cmocka_unit_test(test_foreground),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

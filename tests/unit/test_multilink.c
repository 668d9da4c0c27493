// SPDX-License-Identifier: GPL-2.0-or-later
/* The names of inodes with several names, and their memory limit. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "multilink.h"

static void test_groups(void **state)
{
	struct multilink m = MULTILINK_INIT;
	size_t end;

	(void)state;
	assert_int_equal(multilink_add(&m, 7, 2, 2, "/usr/b", false), 0);
	assert_int_equal(multilink_add(&m, 3, 2, 2, "/usr/x", false), 0);
	assert_int_equal(multilink_add(&m, 7, 2, 1, "/etc/b", true), 0);
	assert_int_equal(multilink_add(&m, 7, 2, 2, "/usr/a", false), 0);
	multilink_sort(&m);
	assert_int_equal(multilink_group_end(&m, 0), 1);
	assert_string_equal(m.v[0].path, "/usr/x");
	end = multilink_group_end(&m, 1);
	assert_int_equal(end, 4);
	/* walk order within an inode; a kept name has no path */
	assert_string_equal(m.v[1].path, "/usr/b");
	assert_null(m.v[2].path);
	assert_int_equal(m.v[2].dir_ino, 1);
	assert_string_equal(m.v[3].path, "/usr/a");
	multilink_release(&m);
	assert_int_equal(m.n, 0);
}

/* A guest with endless long names cannot make the table grow past its
 * limit: the names beyond are refused, and it says so. */
static void test_limit(void **state)
{
	struct multilink m = MULTILINK_INIT;
	char path[4001];
	size_t added = 0;
	int ret;

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	while (!(ret = multilink_add(&m, added, 2, 1, path, false)))
		added++;
	assert_int_equal(ret, -ENOBUFS);
	assert_true(m.full);
	assert_true(m.bytes <= MULTILINK_MAX_BYTES);
	assert_true(added > MULTILINK_MAX_BYTES / (sizeof(path) +
						   sizeof(*m.v)) - 1);
	/* a short name that still fits is taken */
	assert_int_equal(multilink_add(&m, 1, 2, 1, "/x", false), 0);
	multilink_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* The set of 64-bit keys. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "u64set.h"

static void test_members(void **state)
{
	struct u64set s = U64SET_INIT;
	uint64_t k;

	(void)state;
	assert_false(u64set_has(&s, 0));
	assert_false(u64set_has(&s, 42));
	assert_int_equal(u64set_add(&s, 0), 0);
	assert_int_equal(u64set_add(&s, 42), 0);
	assert_int_equal(u64set_add(&s, 42), 0);
	assert_true(u64set_has(&s, 0));
	assert_true(u64set_has(&s, 42));
	assert_int_equal(s.count, 1);	/* 0 is kept apart */
	/* growth keeps every member */
	for (k = 1; k <= 200000; k++)
		assert_int_equal(u64set_add(&s, k * 4096 + 7), 0);
	for (k = 1; k <= 200000; k++)
		assert_true(u64set_has(&s, k * 4096 + 7));
	assert_false(u64set_has(&s, 4096 * 3));
	assert_false(u64set_has(&s, UINT64_MAX));
	assert_int_equal(s.count, 200001);
	u64set_release(&s);
	assert_false(u64set_has(&s, 42));
	assert_false(u64set_has(&s, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

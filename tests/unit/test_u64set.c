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

/* Removing keys from runs of collisions keeps every other key found. */
static void test_remove(void **state)
{
	struct u64set s = U64SET_INIT;
	uint64_t keys[500], x = 1;
	int i, round;

	(void)state;
	for (i = 0; i < 500; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		keys[i] = x | 1;
		assert_int_equal(u64set_add(&s, keys[i]), 0);
	}
	assert_int_equal(s.cap, 1024);	/* half full: long runs */
	/* the even ones, then the odd ones */
	for (round = 0; round < 2; round++) {
		for (i = round; i < 500; i += 2)
			u64set_remove(&s, keys[i]);
		for (i = 0; i < 500; i++)
			assert_int_equal(u64set_has(&s, keys[i]),
					 round == 0 && i % 2 == 1);
	}
	assert_int_equal(s.count, 0);
	u64set_remove(&s, 42);		/* not a member: nothing */
	assert_int_equal(u64set_add(&s, 0), 0);
	u64set_remove(&s, 0);
	assert_false(u64set_has(&s, 0));
	u64set_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

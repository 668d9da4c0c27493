// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON strings: valid UTF-8 passes as it is, controls are escaped, and
 * a name that is not valid UTF-8 (overlong, surrogate, above U+10FFFF,
 * a stray byte) gets its bytes in hex beside a valid display string.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

#define FFFD "\xef\xbf\xbd"

/* What json_name(f, "path", @s) writes. */
static char *name(const char *s)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json_name(f, "path", s);
	fclose(f);
	return buf;
}

static void expect(const char *s, const char *want)
{
	char *got = name(s);

	assert_string_equal(got, want);
	free(got);
}

static void test_valid(void **state)
{
	(void)state;
	expect("/usr/a b", "\"path\": \"/usr/a b\"");
	expect("caf\xc3\xa9 \xc3\xbf", "\"path\": \"caf\xc3\xa9 \xc3\xbf\"");
	/* the smallest and largest of each length */
	expect("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf",
	       "\"path\": \"\xc2\xa0\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"");
	expect("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	       "\"path\": \"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
	expect("\xed\x9f\xbf\xee\x80\x80",	/* around the surrogates */
	       "\"path\": \"\xed\x9f\xbf\xee\x80\x80\"");
}

static void test_escapes(void **state)
{
	(void)state;
	expect("a\"b\\c", "\"path\": \"a\\\"b\\\\c\"");
	expect("\x01\x1b[2J\x7f\xc2\x9b\xc2\x80",
	       "\"path\": \"\\u0001\\u001b[2J\\u007f\\u009b\\u0080\"");
}

static void test_invalid(void **state)
{
	(void)state;
	expect("a\xc0\xaf", "\"path\": \"a" FFFD FFFD "\", "
	       "\"path_hex\": \"61c0af\"");
	expect("\xed\xa0\x80", "\"path\": \"" FFFD FFFD FFFD "\", "
	       "\"path_hex\": \"eda080\"");
	expect("\xff", "\"path\": \"" FFFD "\", \"path_hex\": \"ff\"");
	expect("\xf4\x90\x80\x80", "\"path\": \"" FFFD FFFD FFFD FFFD "\", "
	       "\"path_hex\": \"f4908080\"");
	expect("\xe0\x9f\xbf", "\"path\": \"" FFFD FFFD FFFD "\", "
	       "\"path_hex\": \"e09fbf\"");
	expect("\xf0\x8f\xbf\xbf", "\"path\": \"" FFFD FFFD FFFD FFFD "\", "
	       "\"path_hex\": \"f08fbfbf\"");
	expect("\xc3", "\"path\": \"" FFFD "\", \"path_hex\": \"c3\"");
	/* a cut sequence does not swallow the quote's place */
	expect("\xe2\x82\"", "\"path\": \"" FFFD FFFD "\\\"\", "
	       "\"path_hex\": \"e28222\"");
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("\xc3\xbf"));
	assert_false(utf8_valid("\xc1\xbf"));
	assert_false(utf8_valid("\xf5\x80\x80\x80"));
	assert_false(utf8_valid("\xed\xbf\xbf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_utf8_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Messages: qs() quotes every byte outside printable ASCII and stays in
 * its buffer when it cuts a long text; error() escapes what was not
 * quoted.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "log.h"

static void test_qs_escapes(void **state)
{
	(void)state;
	assert_string_equal(qs("a\033]0;x\007\\b\xff"),
			    "a\\033]0;x\\007\\134b\\377");
}

/* a cut right after an escape: the "..." must fit in the buffer */
static void test_qs_cut_stays_in_buffer(void **state)
{
	static char s[4096 + 16];
	const char *keep, *cut;

	(void)state;
	memset(s, 'a', 4090);
	memset(s + 4090, '\001', 10);
	/* qs() has four slots: the one after the cut one holds "keep" */
	keep = qs("keep");
	qs("x");
	qs("x");
	cut = qs(s);
	assert_string_equal(keep, "keep");
	assert_true(strlen(cut) < 4096);
	assert_string_equal(cut + strlen(cut) - 3, "...");
}

static void test_error_escapes_unquoted_text(void **state)
{
	const char *c;

	(void)state;
	error("cannot %s", "x\033[2J\r\n\x9b\xff y");
	for (c = log_last_error(); *c; c++)
		assert_true(*c >= 0x20 && *c < 0x7f);
	assert_string_equal(log_last_error(),
			    "cannot x\\033[2J\\015\\012\\233\\377 y");
}

/* error_errno() prints the error it is given and returns it. */
static void test_error_errno(void **state)
{
	char want[256];
	int ret;

	(void)state;
	capture_stderr();
	errno = EIO;
	ret = error_errno(-ENOENT, "cannot open '%s'", qs("a\tb"));
	assert_int_equal(ret, -ENOENT);
	snprintf(want, sizeof(want), "vhashify: error: cannot open "
		 "'a\\011b': %s\n", strerror(ENOENT));
	assert_string_equal(captured(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qs_escapes),
		cmocka_unit_test(test_qs_cut_stays_in_buffer),
		cmocka_unit_test(test_error_escapes_unquoted_text),
		cmocka_unit_test(test_error_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

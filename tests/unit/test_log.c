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
	const char *out, *c;

	(void)state;
	capture_stderr();
	error("cannot %s", "x\033[2J\r\n\x9b\xff y");
	out = captured();
	for (c = out; c[1]; c++)	/* but the final newline */
		assert_true(*c >= 0x20 && *c < 0x7f);
	assert_string_equal(out, "vhashify: error: "
			    "cannot x\\033[2J\\015\\012\\233\\377 y\n");
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

/* error_msg() keeps the message as printed, escapes and all. */
static void test_error_msg(void **state)
{
	char msg[64], small[8], want[256];
	const char *out;

	(void)state;
	capture_stderr();
	assert_int_equal(error_msg(msg, sizeof(msg), -EACCES,
				   "cannot read '%s'", "x\001"), -EACCES);
	out = captured();
	snprintf(want, sizeof(want), "cannot read 'x\\001': %s",
		 strerror(EACCES));
	assert_string_equal(msg, want);
	snprintf(want, sizeof(want), "vhashify: error: %s\n", msg);
	assert_string_equal(out, want);
	capture_stderr();
	assert_int_equal(error_msg(small, sizeof(small), 0, "a long one"), 0);
	captured();
	assert_string_equal(small, "a long ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qs_escapes),
		cmocka_unit_test(test_qs_cut_stays_in_buffer),
		cmocka_unit_test(test_error_escapes_unquoted_text),
		cmocka_unit_test(test_error_errno),
		cmocka_unit_test(test_error_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

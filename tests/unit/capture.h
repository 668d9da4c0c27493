/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_TEST_CAPTURE_H
#define VHASHIFY_TEST_CAPTURE_H

/*
 * For unit tests: what the code under test printed on stderr.
 * capture_stderr() sends stderr to a temporary file; captured() puts
 * stderr back and returns what was written meanwhile.
 */

#include <stdio.h>
#include <unistd.h>

static FILE *capture;
static int saved_stderr;

static inline void capture_stderr(void)
{
	fflush(stderr);
	capture = tmpfile();
	assert_non_null(capture);
	saved_stderr = dup(2);
	assert_int_equal(dup2(fileno(capture), 2), 2);
}

static inline const char *captured(void)
{
	static char buf[8192];
	size_t n;

	fflush(stderr);
	assert_int_equal(dup2(saved_stderr, 2), 2);
	close(saved_stderr);
	rewind(capture);
	n = fread(buf, 1, sizeof(buf) - 1, capture);
	buf[n] = '\0';
	fclose(capture);
	return buf;
}

#endif

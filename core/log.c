// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages to the user; see log.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int verbosity;
static bool notes_to_stderr;
static __thread char last_error[1024];

static void (*before_message)(void);

void log_before_message(void (*fn)(void))
{
	before_message = fn;
}

void log_notes_to_stderr(bool on)
{
	notes_to_stderr = on;
}

const char *log_last_error(void)
{
	return last_error;
}

void log_set_verbosity(int level)
{
	verbosity = level;
}

int log_verbosity(void)
{
	return verbosity;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (before_message)
		before_message();
	/* one write per message, so lines of parallel writers do not mix */
	fprintf(stderr, "vhashify: %s%s\n", prefix, msg);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (before_message)
		before_message();
	fprintf(stderr, "vhashify: error: %s\n", last_error);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void note(int level, const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	if (verbosity < level)
		return;
	/* the line whole, though guests run in threads */
	f = notes_to_stderr ? stderr : stdout;
	flockfile(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	putc_unlocked('\n', f);
	funlockfile(f);
}

#define QS_SLOTS 4
#define QS_SIZE 4096

const char *qs(const char *s)
{
	static __thread char bufs[QS_SLOTS][QS_SIZE];
	static __thread unsigned int next;
	char *buf = bufs[next++ % QS_SLOTS];
	size_t n = 0;

	for (; *s && n + 5 < QS_SIZE; s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[n++] = c;
		else
			n += snprintf(buf + n, QS_SIZE - n, "\\%03o", c);
	}
	if (*s) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

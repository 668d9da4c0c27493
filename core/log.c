// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages to the user; see log.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* the longest message, escapes included */
#define MSG_SIZE LOG_MSG_MAX

static int verbosity;
static bool notes_to_stderr;

static void (*before_message)(void);

void log_before_message(void (*fn)(void))
{
	before_message = fn;
}

void log_notes_to_stderr(bool on)
{
	notes_to_stderr = on;
}

void log_set_verbosity(int level)
{
	verbosity = level;
}

int log_verbosity(void)
{
	return verbosity;
}

/*
 * Copies @s into @buf of @size bytes (at least 8), each byte outside
 * printable ASCII, and the backslash when @backslash, as a \ooo escape;
 * "..." ends a cut. Returns @buf.
 */
static char *escape(char *buf, size_t size, const char *s, bool backslash)
{
	size_t n = 0;

	/* room for one escape, "..." and the NUL */
	for (; *s && n + 8 <= size; s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f && (c != '\\' || !backslash))
			buf[n++] = c;
		else
			n += snprintf(buf + n, size - n, "\\%03o", c);
	}
	if (*s) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}


/*
 * Formats a message and makes it safe for a terminal or a log: guest
 * text should reach it through qs() already, and whatever did not (a
 * library's message, a plugin's name) loses its control bytes here.
 */
static char *format(char *buf, const char *fmt, va_list ap)
{
	char raw[MSG_SIZE];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	return escape(buf, MSG_SIZE, raw, false);
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[MSG_SIZE];

	format(msg, fmt, ap);
	if (before_message)
		before_message();
	/* one write per message, so lines of parallel writers do not mix */
	fprintf(stderr, "vhashify: %s%s\n", prefix, msg);
}

/*
 * Prints an error: @fmt, then strerror(-@err) unless @err is 0. The
 * message as printed is left in @msg, MSG_SIZE bytes.
 */
static void verror(char *msg, int err, const char *fmt, va_list ap)
{
	char raw[MSG_SIZE];
	size_t n;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	n = strlen(raw);
	if (err)
		snprintf(raw + n, sizeof(raw) - n, ": %s", strerror(-err));
	escape(msg, MSG_SIZE, raw, false);
	if (before_message)
		before_message();
	fprintf(stderr, "vhashify: error: %s\n", msg);
}

void error(const char *fmt, ...)
{
	char msg[MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	verror(msg, 0, fmt, ap);
	va_end(ap);
}

int error_errno(int err, const char *fmt, ...)
{
	char msg[MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	verror(msg, err, fmt, ap);
	va_end(ap);
	return err;
}

int error_msg(char *msg, size_t size, int err, const char *fmt, ...)
{
	char buf[MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	verror(buf, err, fmt, ap);
	va_end(ap);
	snprintf(msg, size, "%s", buf);
	return err;
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
	char msg[MSG_SIZE];
	va_list ap;

	if (verbosity < level)
		return;
	va_start(ap, fmt);
	format(msg, fmt, ap);
	va_end(ap);
	/* the line whole, though guests run in threads */
	fprintf(notes_to_stderr ? stderr : stdout, "%s\n", msg);
}

#define QS_SLOTS 4
#define QS_SIZE 4096

const char *qs(const char *s)
{
	static __thread char bufs[QS_SLOTS][QS_SIZE];
	static __thread unsigned int next;

	return escape(bufs[next++ % QS_SLOTS], QS_SIZE, s, true);
}

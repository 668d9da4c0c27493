/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_LOG_H
#define VHASHIFY_LOG_H

/*
 * Messages to the user. Errors and warnings go to stderr as
 * "vhashify: error: ..." and "vhashify: warning: ...", following git's
 * rules: lower case, no full stop, the subject quoted, then why.
 *
 * Who prints: a leaf function returns 0 or -errno and prints nothing;
 * the layer that knows the path prints once, and its header says so
 * ("prints the reason", "said"), on every failing path. errno is saved
 * where the call failed, before any other call, and that value is
 * printed and returned (error_errno()); a failed file's error and
 * message travel with it to the report (error_msg()), never through a
 * "last message printed".
 * Notes go to stdout when the verbosity (-v count) is high enough.
 * Whatever the format and arguments, no control byte and no byte above
 * 0x7e reaches the output: such bytes of the formatted message become
 * \ooo escapes. Quote guest and plugin text with qs() all the same, so
 * that its backslashes are escaped too and the text reads back exactly.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void log_set_verbosity(int level);
int log_verbosity(void);
/* Sends notes to stderr, keeping stdout for a JSON document. */
void log_notes_to_stderr(bool on);
/* Calls @fn before each error or warning (the progress line clears). */
void log_before_message(void (*fn)(void));

void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Prints the error "@fmt: <strerror(-@err)>" and returns @err, a
 * negative errno, so that the error printed is the one returned:
 *	ret = -errno;
 *	return error_errno(ret, "cannot open '%s'", qs(path));
 * errno saved first, as the arguments (qs(), ...) are evaluated in no
 * set order and may change it.
 */
int error_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The longest message; longer ones are cut. */
#define LOG_MSG_MAX 4096
/*
 * As error_errno() (no strerror when @err is 0), and keeps the message
 * as printed in @msg, of @size bytes, for a report. Returns @err.
 */
int error_msg(char *msg, size_t size, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints to stdout when the verbosity is at least @level. */
void note(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Returns @s made printable for a message: bytes outside printable
 * ASCII, and the backslash, become \ooo escapes. The result lives in one
 * of a few rotating thread-local buffers, so up to four quoted strings
 * may appear in one message.
 */
const char *qs(const char *s);

#endif

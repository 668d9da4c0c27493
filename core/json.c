// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing JSON strings; see json.h. */
#include "config.h"

#include <stddef.h>

#include "json.h"

/*
 * Length of the valid UTF-8 sequence at @s, or 0. The second byte's
 * range rules out overlong forms (E0, F0), surrogates (ED) and code
 * points above U+10FFFF (F4); C0, C1 and F5..FF never start one.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	for (; *s; s += n)
		if (!(n = utf8_len(s)))
			return false;
	return true;
}

void json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		n = utf8_len(s);
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", *s);
		else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
			fprintf(f, "\\u%04x", s[1]);	/* C1 control */
		else if (n)
			fwrite(s, 1, n, f);
		else
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
		s += n ? n : 1;
	}
	fputc('"', f);
}

void json_name(FILE *f, const char *key, const char *s)
{
	const unsigned char *c;

	fprintf(f, "\"%s\": ", key);
	json_string(f, s);
	if (utf8_valid(s))
		return;
	fprintf(f, ", \"%s_hex\": \"", key);
	for (c = (const unsigned char *)s; *c; c++)
		fprintf(f, "%02x", *c);
	fputc('"', f);
}

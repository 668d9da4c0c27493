// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsers of dpkg's status and diversions files; see status.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "status.h"
#include "textline.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Strips the last blank-separated word of [s, s + *n) if it is @w. */
static bool strip_word(const char *s, size_t *n, const char *w)
{
	size_t wl = strlen(w);

	if (*n <= wl || memcmp(s + *n - wl, w, wl) || !is_blank(s[*n - wl - 1]))
		return false;
	*n -= wl;
	while (*n && is_blank(s[*n - 1]))
		(*n)--;
	return true;
}

/*
 * Parses one Conffiles entry " PATH MD5 [obsolete] [remove-on-upgrade]"
 * and calls @fn with PATH. Returns 1 when malformed, 0, or -errno.
 */
static int conffile(const char *s, size_t n, const char *package,
		    dpkg_path_fn fn, void *ctx)
{
	char *path;
	int ret;

	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	strip_word(s, &n, "remove-on-upgrade");
	strip_word(s, &n, "obsolete");
	/* the md5sum (or "newconffile"): the last word */
	while (n && !is_blank(s[n - 1]))
		n--;
	while (n && is_blank(s[n - 1]))
		n--;
	if (!n || s[0] != '/' || memchr(s, '\0', n))
		return 1;
	path = strndup(s, n);
	if (!path)
		return -ENOMEM;
	ret = fn(ctx, package, path);
	free(path);
	return ret;
}

/* Whether the line starts field @name (case-insensitive, as in deb822). */
static bool field_is(const char *line, size_t n, const char *name)
{
	size_t nl = strlen(name);

	return n > nl && line[nl] == ':' && !strncasecmp(line, name, nl);
}

/* The value of the field that starts @line, blanks stripped. */
static char *field_value(const char *line, size_t n, size_t name_len)
{
	const char *v = line + name_len + 1;
	size_t k = n - name_len - 1;

	while (k && is_blank(*v)) {
		v++;
		k--;
	}
	while (k && is_blank(v[k - 1]))
		k--;
	return memchr(v, '\0', k) ? strdup("?") : strndup(v, k);
}

int dpkg_status_line(struct dpkg_status *s, const char *line, size_t n)
{
	int ret;

	if (n && (line[0] == ' ' || line[0] == '\t')) {
		if (!s->in_conffiles)
			return 0;	/* another field goes on */
		ret = conffile(line, n, s->package ? s->package : "", s->fn,
			       s->ctx);
		if (ret < 0)
			return ret;
		s->bad += ret;
		return 0;
	}
	s->in_conffiles = 0;
	if (!n) {	/* a new stanza */
		free(s->package);
		s->package = NULL;
	} else if (field_is(line, n, "Package")) {
		s->packages++;
		free(s->package);
		s->package = field_value(line, n, strlen("Package"));
		if (!s->package)
			return -ENOMEM;
	} else if (field_is(line, n, "Conffiles")) {
		s->in_conffiles = 1;
	}
	return 0;
}

void dpkg_status_end(struct dpkg_status *s)
{
	free(s->package);
	s->package = NULL;
}

int dpkg_parse_status(const char *buf, size_t len, dpkg_path_fn fn,
		      void *ctx, size_t *packages, size_t *bad)
{
	struct dpkg_status s = { .fn = fn, .ctx = ctx };
	const char *p = buf, *end = buf + len, *line;
	size_t n;
	int ret = 0;

	while (!ret && next_line(&p, end, &line, &n))
		ret = dpkg_status_line(&s, line, n);
	dpkg_status_end(&s);
	*packages = s.packages;
	*bad = s.bad;
	return ret;
}

int dpkg_parse_diversions(const char *buf, size_t len,
			  int (*fn)(void *ctx, const char *from,
				    const char *to),
			  void *ctx, size_t *bad)
{
	const char *p = buf, *end = buf + len, *l[3];
	size_t n[3];
	char *from, *to;
	int ret;

	*bad = 0;
	for (;;) {
		if (!next_line(&p, end, &l[0], &n[0]))
			return 0;
		if (!next_line(&p, end, &l[1], &n[1]) ||
		    !next_line(&p, end, &l[2], &n[2])) {
			(*bad)++;
			return 0;
		}
		if (!n[0] || !n[1] || l[0][0] != '/' || l[1][0] != '/' ||
		    memchr(l[0], '\0', n[0]) || memchr(l[1], '\0', n[1])) {
			(*bad)++;
			continue;
		}
		from = strndup(l[0], n[0]);
		to = strndup(l[1], n[1]);
		ret = from && to ? fn(ctx, from, to) : -ENOMEM;
		free(from);
		free(to);
		if (ret)
			return ret;
	}
}

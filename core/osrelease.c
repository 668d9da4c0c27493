// SPDX-License-Identifier: GPL-2.0-or-later
/* The guest's os-release; see osrelease.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"
#include "osrelease.h"

/* os-release files are small; a larger one is not read further. */
#define OS_RELEASE_MAX (64 * 1024)

void os_release_release(struct os_release *os)
{
	char **w;

	free(os->id);
	for (w = os->id_like; w && *w; w++)
		free(*w);
	free(os->id_like);
	os->id = NULL;
	os->id_like = NULL;
}

/*
 * Unquotes the value @v of @n bytes into a new string: 'single' as is,
 * "double" with \" \\ \$ \` escapes, bare values as they are.
 */
static char *unquote(const char *v, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		char q = v[0];

		for (i = 1; i < n - 1; i++) {
			if (q == '"' && v[i] == '\\' && i + 1 < n - 1)
				i++;
			*o++ = v[i];
		}
	} else {
		memcpy(o, v, n);
		o += n;
	}
	*o = '\0';
	return out;
}

/* Splits @s at blanks into a NULL-terminated array of words. */
static char **split_words(const char *s)
{
	size_t n = 0, cap = 4;
	char **v = calloc(cap + 1, sizeof(*v));

	while (v && *s) {
		size_t len;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (!len)
			break;
		if (n == cap) {
			char **nv = realloc(v, (2 * cap + 1) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[n] = strndup(s, len);
		if (!v[n])
			break;
		v[++n] = NULL;
		s += len;
	}
	return v;
}

int os_release_parse(const char *text, size_t len, struct os_release *os)
{
	const char *p = text, *end = text + len;

	memset(os, 0, sizeof(*os));
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end, *eq, *v;
		size_t vlen;
		char *value;

		eq = memchr(p, '=', eol - p);
		if (!eq || *p == '#')
			goto next;
		v = eq + 1;
		vlen = eol - v;
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' ||
				v[vlen - 1] == '\r'))
			vlen--;
		if (memchr(v, '\0', vlen))
			goto next;	/* NUL bytes: not a value */
		if (eq - p == 2 && !memcmp(p, "ID", 2)) {
			value = unquote(v, vlen);
			if (!value)
				return -ENOMEM;
			free(os->id);
			os->id = value;
		} else if (eq - p == 7 && !memcmp(p, "ID_LIKE", 7)) {
			char **w;

			value = unquote(v, vlen);
			if (!value)
				return -ENOMEM;
			for (w = os->id_like; w && *w; w++)
				free(*w);
			free(os->id_like);
			os->id_like = split_words(value);
			free(value);
			if (!os->id_like)
				return -ENOMEM;
		}
next:
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int os_release_read(int rootfd, struct os_release *os)
{
	const char *where;

	return os_release_read_from(rootfd, os, &where);
}

int os_release_read_from(int rootfd, struct os_release *os,
			 const char **where)
{
	static const char *const places[] = { "/etc/os-release",
					      "/usr/lib/os-release" };
	char *buf;
	ssize_t n;
	size_t i;
	int fd = -ENOENT, ret;

	memset(os, 0, sizeof(*os));
	/* a FIFO or device there is refused unopened, not passed over */
	for (i = 0; i < 2 && fd == -ENOENT; i++) {
		*where = places[i];
		fd = guest_openat(rootfd, places[i], O_RDONLY | O_NONBLOCK);
	}
	if (fd < 0)
		return fd;
	buf = malloc(OS_RELEASE_MAX);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, OS_RELEASE_MAX);
	ret = n < 0 ? -errno : os_release_parse(buf, n, os);
	free(buf);
	close(fd);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* util-vserver's exclude lists; see vexclude.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "vexclude.h"

struct vrule {
	char *pattern;
	bool include;		/* "+"; "-", "~" and none leave out */
};

struct vexclude {
	char *file;
	struct vrule *rules;
	size_t n;
};

void vexclude_free(struct vexclude *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++)
		free(x->rules[i].pattern);
	free(x->rules);
	free(x->file);
	free(x);
}

const char *vexclude_file(const struct vexclude *x)
{
	return x->file;
}

size_t vexclude_count(const struct vexclude *x)
{
	return x->n;
}

/* Adds the rule of one line (@len bytes, no newline). */
static int add_line(struct vexclude *x, const char *line, size_t len,
		    unsigned int lineno)
{
	struct vrule *v;
	bool include = false;
	char *pattern;

	if (len && line[0] == '#')
		return 0;	/* a comment in column 0 only */
	while (len && line[len - 1] == ' ')
		len--;
	if (len < 2)
		return 0;	/* util-vserver ignores such a line */
	if (line[0] == '+' || line[0] == '~' || line[0] == '-') {
		include = line[0] == '+';
		line++;
		len--;
	}
	pattern = strndup(line, len);	/* @line is not NUL-terminated */
	v = pattern ? realloc(x->rules, (x->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(pattern);
		return -ENOMEM;
	}
	if (pattern[0] != '/')
		warning("'%s' line %u: pattern '%s' is not an absolute path: "
			"it never matches", qs(x->file), lineno, qs(pattern));
	x->rules = v;
	v[x->n].pattern = pattern;
	v[x->n++].include = include;
	return 0;
}

int vexclude_parse(const char *text, size_t len, const char *file,
		   struct vexclude **out)
{
	struct vexclude *x = calloc(1, sizeof(*x));
	unsigned int lineno = 0;
	const char *p = text, *end = text + len, *nl;
	int ret = 0;

	if (!x || !(x->file = strdup(file))) {
		free(x);
		return -ENOMEM;
	}
	if (memchr(text, '\0', len)) {
		for (nl = text; *nl; nl++)
			lineno += *nl == '\n';
		error("'%s' line %u: NUL byte in line", qs(file), lineno + 1);
		vexclude_free(x);
		return -EINVAL;
	}
	while (!ret && p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;	/* a last line without newline counts */
		ret = add_line(x, p, nl - p, ++lineno);
		p = nl + 1;
	}
	if (ret) {
		vexclude_free(x);
		return ret;
	}
	*out = x;
	return 0;
}

int vexclude_load(const char *file, struct vexclude **out)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n = 0, got;
	int fd, ret;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (n < st.st_size &&
	       (got = read(fd, buf + n, st.st_size - n)) > 0)
		n += got;
	if (n < st.st_size) {
		ret = got < 0 ? -errno : -EIO;
		goto out;
	}
	ret = vexclude_parse(buf, n, file, out);
	free(buf);
	close(fd);
	return ret;
out:
	error("cannot read exclude list '%s': %s", qs(file),
	      ret == -EINVAL ? "not a regular file" : strerror(-ret));
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

bool vexclude_skips(const struct vexclude *x, const char *path)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (!fnmatch(x->rules[i].pattern, path, 0))
			return !x->rules[i].include;
	return false;
}

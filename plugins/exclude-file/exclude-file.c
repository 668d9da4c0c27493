// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exclude-file backend: reads the exclude lists the host names (the
 * default list, per-guest lists, --exclude-from files) and emits their
 * rules. It applies to every guest, whatever its package manager.
 *
 * Format, one rule per line:
 *   # comment            ignored, as are blank lines
 *   [+|-] PATTERN        include or exclude (default "-"); blanks after
 *                        the sign are skipped, trailing blanks removed
 * PATTERN is guest-absolute; "*", "**", "?", "[...]" and "\" escapes as
 * in vhashify(8). "//" and "/./" are taken as "/" (by the matcher); a
 * ".." component is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vhashify/backend.h>

#include "safeopen.h"
/* Whether the component at @p (up to '/' or the end) is "..". */
static bool dot_dot(const char *p)
{
	int dots = 0;

	for (; *p && *p != '/'; p++, dots++) {
		if (*p == '\\' && p[1])
			p++;
		if (*p != '.')
			return false;
	}
	return dots == 2;
}

/* Why @pat is not a valid pattern, or NULL when it is. */
static const char *check_pattern(const char *pat)
{
	const char *p;

	if (pat[0] != '/')
		return "pattern is not an absolute path";
	for (p = pat; *p; p++) {
		if (*p == '/' && dot_dot(p + 1))
			return "'..' in pattern: a guest path cannot go up";
		if (*p == '\\') {
			if (!*++p)
				return "trailing '\\' in pattern";
		} else if (*p == '[') {
			const char *q = p + 1;

			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;	/* a leading ']' is literal */
			while (*q && *q != ']')
				q++;
			if (!*q)
				return "unbalanced '[' in pattern";
			p = q;
		}
	}
	return NULL;
}

/*
 * Parses one line in place: sets *pattern (NULL for a blank or comment
 * line) and *include. Returns NULL or why the line is bad.
 */
static const char *parse_line(char *line, char **pattern, bool *include)
{
	size_t n = strlen(line);

	while (n && strchr(" \t\r\n", line[n - 1]))
		line[--n] = '\0';
	line += strspn(line, " \t");
	*pattern = NULL;
	*include = false;
	if (!*line || *line == '#')
		return NULL;
	if (*line == '+' || *line == '-') {
		*include = *line == '+';
		line++;
		line += strspn(line, " \t");
		if (!*line)
			return "missing pattern";
	}
	*pattern = line;
	return check_pattern(line);
}

static int read_list(const struct vhashify_host *host, const char *file,
		     vhashify_emit_fn emit, void *ctx)
{
	unsigned int lineno = 0;
	char *line = NULL, *pattern;
	size_t cap = 0;
	bool include;
	ssize_t n;
	int fd, ret = 0;
	FILE *f;

	/* a list may lie in a guest: never open a FIFO or device there */
	fd = open_regular(AT_FDCWD, file, 0);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		ret = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  file, open_strerror(ret));
		return ret;
	}
	ret = host->reason(host, "list %s", file);
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		const char *why;

		lineno++;
		if ((size_t)n != strlen(line))
			why = "NUL byte in line";
		else
			why = parse_line(line, &pattern, &include);
		if (why) {
			host->log(host, VHASHIFY_LOG_ERROR, "'%s' line %u: %s",
				  file, lineno, why);
			ret = -EINVAL;
			break;
		}
		if (!pattern)
			continue;
		ret = emit(ctx, pattern, VHASHIFY_EMIT_GLOB |
			   (include ? VHASHIFY_EMIT_INCLUDE : 0));
		if (ret == -EINVAL)
			host->log(host, VHASHIFY_LOG_ERROR,
				  "'%s' line %u: bad pattern", file, lineno);
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  file, strerror(EIO));
	}
	free(line);
	fclose(f);
	return ret;
}

static int exclude_file_list(const struct vhashify_host *host,
			     vhashify_emit_fn emit, void *ctx)
{
	const char *const *file;
	int ret;

	for (file = host->exclude_lists; file && *file; file++) {
		ret = read_list(host, *file, emit, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct vhashify_backend backend = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "exclude-file",
	.description = "exclude lists: the default, per guest, --exclude-from",
	.probe = NULL,
	.list_exclusions = exclude_file_list,
	.version = PLUGIN_VERSION,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

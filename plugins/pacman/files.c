// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsers of pacman's text formats; see files.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "textline.h"

int pacman_parse_backup(const char *buf, size_t len,
			int (*fn)(void *ctx, const char *path), void *ctx,
			size_t *bad)
{
	const char *p = buf, *end = buf + len, *line, *tab;
	bool in_backup = false;
	size_t n, i;
	char *path;
	int ret;

	*bad = 0;
	while (next_line(&p, end, &line, &n)) {
		if (n > 2 && line[0] == '%' && line[n - 1] == '%') {
			in_backup = n == 8 && !memcmp(line, "%BACKUP%", 8);
			continue;
		}
		if (!in_backup || !n)
			continue;
		/* the md5 follows the last tab: paths may hold tabs too */
		tab = NULL;
		for (i = 0; i < n; i++)
			if (line[i] == '\t')
				tab = line + i;
		if (!tab || tab == line || line[0] == '/' ||
		    memchr(line, '\0', n)) {
			(*bad)++;
			continue;
		}
		path = malloc(tab - line + 2);
		if (!path)
			return -ENOMEM;
		path[0] = '/';
		memcpy(path + 1, line, tab - line);
		path[tab - line + 1] = '\0';
		ret = fn(ctx, path);
		free(path);
		if (ret)
			return ret;
	}
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

char *pacman_parse_dbpath(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *line, *v;
	bool options = false;
	char *dbpath = NULL;
	size_t n;

	while (next_line(&p, end, &line, &n)) {
		while (n && blank(*line)) {
			line++;
			n--;
		}
		while (n && blank(line[n - 1]))
			n--;
		if (!n || line[0] == '#')
			continue;
		if (line[0] == '[') {
			options = n == 9 && !memcmp(line, "[options]", 9);
			continue;
		}
		if (!options || n < 6 || memcmp(line, "DBPath", 6))
			continue;
		v = line + 6;
		while (v < line + n && blank(*v))
			v++;
		if (v == line + n || *v != '=')
			continue;
		v++;
		while (v < line + n && blank(*v))
			v++;
		if (v == line + n || memchr(v, '\0', line + n - v))
			continue;
		free(dbpath);	/* the last one wins, as in pacman */
		dbpath = strndup(v, line + n - v);
	}
	return dbpath;
}

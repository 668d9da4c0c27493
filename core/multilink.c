// SPDX-License-Identifier: GPL-2.0-or-later
/* Names of guest inodes with several names; see multilink.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "multilink.h"

int multilink_add(struct multilink *m, ino_t ino, nlink_t nlink,
		  ino_t dir_ino, const char *path, bool kept)
{
	size_t len = kept ? 0 : strlen(path) + 1;
	size_t need = sizeof(*m->v) + len;
	struct multilink_name *n;

	if (m->bytes + need > MULTILINK_MAX_BYTES) {
		m->full = true;
		return -ENOBUFS;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;

		n = realloc(m->v, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		m->v = n;
		m->cap = cap;
	}
	n = &m->v[m->n];
	n->path = NULL;
	if (!kept) {
		n->path = malloc(len);
		if (!n->path)
			return -ENOMEM;
		memcpy(n->path, path, len);
	}
	n->ino = ino;
	n->nlink = nlink;
	n->dir_ino = dir_ino;
	n->seq = m->n++;
	m->bytes += need;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct multilink_name *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void multilink_sort(struct multilink *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), cmp_name);
}

size_t multilink_group_end(const struct multilink *m, size_t i)
{
	size_t j = i + 1;

	while (j < m->n && m->v[j].ino == m->v[i].ino)
		j++;
	return j;
}

void multilink_release(struct multilink *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = m->bytes = 0;
	m->full = false;
}

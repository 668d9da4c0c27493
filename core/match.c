// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exclusion matcher; see match.h. Exact paths live in a hash table
 * (a backend may add tens of thousands), glob patterns in an ordered
 * list, each compiled to tokens and matched by simulating its automaton
 * over the path: time linear in path length times pattern length,
 * whatever the pattern, so no pattern can make a run crawl.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "match.h"

enum tok_kind {
	T_CHAR,		/* one given byte */
	T_ANY,		/* "?": one byte but '/' */
	T_CLASS,	/* "[...]": one byte of a set, never '/' */
	T_STAR,		/* "*": a run without '/' */
	T_DSTAR,	/* "**": any run */
	T_DSTAR_SLASH,	/* "**" + "/" after a '/': "" or a run ending in '/' */
};

struct tok {
	enum tok_kind kind;
	unsigned char c;
	uint8_t set[32];	/* T_CLASS: bit per byte */
};

struct glob {
	struct tok *toks;
	size_t n;
	char *literal;		/* the fixed start, unescaped */
	size_t literal_len;
	char *tail;		/* the fixed end after the last wildcard */
	size_t tail_len;
	size_t seq;		/* rule number: lower wins */
	bool include;
};

struct exact {
	char *path;		/* NULL: free slot */
	size_t len;
	size_t seq;
	bool include;
};

struct matcher {
	struct exact *slots;	/* open addressing, power-of-two size */
	size_t cap, used;
	struct glob *globs;	/* in rule order */
	size_t n_globs;
	size_t n_rules;
	char **includes;	/* exact include paths, few */
	size_t n_includes;
};

struct matcher *matcher_new(void)
{
	return calloc(1, sizeof(struct matcher));
}

void matcher_free(struct matcher *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].path);
	free(m->slots);
	for (i = 0; i < m->n_globs; i++) {
		free(m->globs[i].toks);
		free(m->globs[i].literal);
		free(m->globs[i].tail);
	}
	free(m->globs);
	for (i = 0; i < m->n_includes; i++)
		free(m->includes[i]);
	free(m->includes);
	free(m);
}

size_t matcher_count(const struct matcher *m)
{
	return m->n_rules;
}

/* Length of @s without trailing slashes, but "/" stays "/". */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		n--;
	return n;
}

static struct exact *find_slot(const struct matcher *m, const char *path,
			       size_t len)
{
	size_t i = XXH3_64bits(path, len) & (m->cap - 1);

	while (m->slots[i].path && (m->slots[i].len != len ||
				    memcmp(m->slots[i].path, path, len)))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static int grow_table(struct matcher *m)
{
	size_t cap = m->cap ? 2 * m->cap : 256, i;
	struct exact *old = m->slots, *slot;
	size_t old_cap = m->cap;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (i = 0; i < old_cap; i++) {
		if (!old[i].path)
			continue;
		slot = find_slot(m, old[i].path, old[i].len);
		*slot = old[i];
	}
	free(old);
	return 0;
}

/* Adds an exact rule for @len bytes of @path (already trimmed). */
static int add_exact(struct matcher *m, const char *path, size_t len,
		     bool include)
{
	struct exact *slot;
	int ret;

	if ((m->used + 1) * 2 > m->cap) {
		ret = grow_table(m);
		if (ret)
			return ret;
	}
	slot = find_slot(m, path, len);
	if (slot->path) {	/* a path given twice keeps its first rule */
		m->n_rules++;
		return 0;
	}
	if (include) {
		char **v = realloc(m->includes,
				   (m->n_includes + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->includes = v;
		v[m->n_includes] = strndup(path, len);
		if (!v[m->n_includes])
			return -ENOMEM;
		m->n_includes++;
	}
	slot->path = strndup(path, len);
	if (!slot->path)
		return -ENOMEM;
	slot->len = len;
	slot->seq = m->n_rules++;
	slot->include = include;
	m->used++;
	return 0;
}

int matcher_add_path(struct matcher *m, const char *path, bool include)
{
	if (path[0] != '/')
		return -EINVAL;
	return add_exact(m, path, trimmed_len(path), include);
}

/* Compiles a class at p[0] == '['; returns the byte after ']' or NULL. */
static const char *compile_class(const char *p, const char *end,
				 struct tok *t)
{
	bool negate = false, first = true;
	unsigned int c, hi, i;

	t->kind = T_CLASS;
	memset(t->set, 0, sizeof(t->set));
	p++;
	if (p < end && (*p == '!' || *p == '^')) {
		negate = true;
		p++;
	}
	while (p < end && (*p != ']' || first)) {
		first = false;
		if (*p == '\\' && p + 1 < end)
			p++;
		c = (unsigned char)*p++;
		hi = c;
		if (p + 1 < end && *p == '-' && p[1] != ']') {
			p++;
			if (*p == '\\' && p + 1 < end)
				p++;
			hi = (unsigned char)*p++;
		}
		for (i = c; i <= hi; i++)
			t->set[i / 8] |= 1u << (i % 8);
	}
	if (p >= end)
		return NULL;	/* no closing ']' */
	if (negate)
		for (i = 0; i < sizeof(t->set); i++)
			t->set[i] = ~t->set[i];
	t->set['/' / 8] &= ~(1u << ('/' % 8));
	return p + 1;
}

/* Compiles @len bytes of @pat into g->toks. Returns 0 or -errno. */
static int compile(const char *pat, size_t len, struct glob *g)
{
	const char *p = pat, *end = pat + len;
	struct tok *t;
	bool literal = true;
	size_t i, j;

	g->toks = calloc(len + 1, sizeof(*g->toks));
	g->literal = malloc(len + 1);
	if (!g->toks || !g->literal)
		return -ENOMEM;
	while (p < end) {
		t = &g->toks[g->n];
		if (*p == '*') {
			const char *star = p;

			literal = false;
			if (p + 1 < end && p[1] == '*') {
				p += 2;
				while (p < end && *p == '*')
					p++;	/* "***" is "**" */
				if (p < end && *p == '/' && star > pat &&
				    star[-1] == '/') {
					t->kind = T_DSTAR_SLASH;
					p++;
				} else {
					t->kind = T_DSTAR;
				}
			} else {
				t->kind = T_STAR;
				p++;
			}
		} else if (*p == '?') {
			literal = false;
			t->kind = T_ANY;
			p++;
		} else if (*p == '[') {
			literal = false;
			p = compile_class(p, end, t);
			if (!p)
				return -EINVAL;
		} else {
			if (*p == '\\') {
				if (++p == end)
					return -EINVAL;	/* trailing '\' */
			}
			t->kind = T_CHAR;
			t->c = *p++;
			if (literal)
				g->literal[g->literal_len++] = t->c;
		}
		g->n++;
	}
	g->literal[g->literal_len] = '\0';

	/* the plain characters after the last wildcard, e.g. ".dpkg-old":
	 * a path without them cannot match, whatever the rest */
	for (i = g->n; i > 0 && g->toks[i - 1].kind == T_CHAR; i--)
		;
	g->tail_len = g->n - i;
	g->tail = malloc(g->tail_len + 1);
	if (!g->tail)
		return -ENOMEM;
	for (j = 0; j < g->tail_len; j++)
		g->tail[j] = g->toks[i + j].c;
	g->tail[j] = '\0';
	return 0;
}

/* Whether @g has no wildcard at all: then it is an exact path. */
static bool all_literal(const struct glob *g)
{
	return g->literal_len == g->n;
}

int matcher_add_glob(struct matcher *m, const char *pattern, bool include)
{
	struct glob g = { .include = include, .seq = m->n_rules };
	struct glob *v;
	int ret;

	if (pattern[0] != '/')
		return -EINVAL;
	ret = compile(pattern, trimmed_len(pattern), &g);
	if (!ret && all_literal(&g)) {
		ret = add_exact(m, g.literal, g.literal_len, include);
		goto out_free;
	}
	if (ret)
		goto out_free;
	v = realloc(m->globs, (m->n_globs + 1) * sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out_free;
	}
	m->globs = v;
	m->globs[m->n_globs++] = g;
	m->n_rules++;
	return 0;

out_free:
	free(g.toks);
	free(g.literal);
	free(g.tail);
	return ret;
}

/* Follows the empty-matching edges of star states, forwards. */
static void closure(const struct glob *g, uint8_t *states)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (states[i] && g->toks[i].kind >= T_STAR)
			states[i + 1] = 1;
}

/*
 * Whether @g matches @path (@len bytes) or one of its ancestors: the
 * automaton accepts at the end of the path or before any '/'.
 */
static bool glob_matches(const struct glob *g, const char *path, size_t len)
{
	uint8_t small[128], *buf = small, *cur, *next, *tmp;
	bool match = false, alive;
	size_t i, k;

	if (g->literal_len > len || memcmp(g->literal, path, g->literal_len))
		return false;
	if (g->tail_len && !memmem(path, len, g->tail, g->tail_len))
		return false;	/* the fixed end is nowhere in the path */
	if (2 * (g->n + 1) > sizeof(small)) {
		buf = malloc(2 * (g->n + 1));
		if (!buf)
			return false;
	}
	cur = buf;
	next = buf + g->n + 1;
	memset(cur, 0, g->n + 1);
	cur[0] = 1;
	closure(g, cur);
	for (k = 0;; k++) {
		if ((k == len || (k > 0 && path[k] == '/')) && cur[g->n]) {
			match = true;
			break;
		}
		if (k == len)
			break;
		memset(next, 0, g->n + 1);
		alive = false;
		for (i = 0; i < g->n; i++) {
			const struct tok *t = &g->toks[i];
			unsigned char c = path[k];

			if (!cur[i])
				continue;
			switch (t->kind) {
			case T_CHAR:
				next[i + 1] |= c == t->c;
				break;
			case T_ANY:
				next[i + 1] |= c != '/';
				break;
			case T_CLASS:
				next[i + 1] |= (t->set[c / 8] >> (c % 8)) & 1;
				break;
			case T_STAR:
				next[i] |= c != '/';
				break;
			case T_DSTAR:
				next[i] = 1;
				break;
			case T_DSTAR_SLASH:
				next[i] = 1;
				next[i + 1] |= c == '/';
				break;
			}
		}
		closure(g, next);
		for (i = 0; i <= g->n; i++)
			alive |= next[i];
		tmp = cur;
		cur = next;
		next = tmp;
		if (!alive)
			break;
	}
	if (buf != small)
		free(buf);
	return match;
}

enum match_verdict matcher_check(const struct matcher *m,
				 const char *path, size_t len)
{
	size_t best = SIZE_MAX, i, k = len;
	bool include = false;

	/* exact rules on the path and each ancestor, "/" last */
	while (m->used && k > 0) {
		const struct exact *e = find_slot(m, path, k);

		if (e->path && e->seq < best) {
			best = e->seq;
			include = e->include;
		}
		if (k == 1)
			break;
		while (k > 1 && path[k - 1] != '/')
			k--;
		if (k > 1)
			k--;	/* drop the '/', except the root's */
	}
	/* the first matching glob, if it comes before */
	for (i = 0; i < m->n_globs && m->globs[i].seq < best; i++) {
		if (glob_matches(&m->globs[i], path, len)) {
			best = m->globs[i].seq;
			include = m->globs[i].include;
			break;
		}
	}
	if (best == SIZE_MAX)
		return MATCH_NONE;
	return include ? MATCH_INCLUDE : MATCH_EXCLUDE;
}

bool matcher_may_include_below(const struct matcher *m,
			       const char *dir, size_t len)
{
	size_t i, dlen = len == 1 ? 0 : len;	/* "/" + "/" is "/" */

	for (i = 0; i < m->n_includes; i++) {
		const char *p = m->includes[i];

		if (strlen(p) > dlen + 1 && !memcmp(p, dir, dlen) &&
		    p[dlen] == '/')
			return true;
	}
	for (i = 0; i < m->n_globs; i++) {
		const struct glob *g = &m->globs[i];

		if (!g->include)
			continue;
		/* dir + "/" against the pattern's fixed start */
		if (g->literal_len <= dlen) {
			if (!memcmp(g->literal, dir, g->literal_len))
				return true;
		} else if (!memcmp(g->literal, dir, dlen) &&
			   g->literal[dlen] == '/') {
			return true;
		}
	}
	return false;
}

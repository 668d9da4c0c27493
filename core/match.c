// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exclusion matcher; see match.h. Exact paths live in a hash table
 * (a backend may add hundreds of thousands), kept compact: the paths'
 * bytes one after another in large chunks, an array of 32-byte entries
 * and a table of 4-byte indexes into it. Glob patterns live in an ordered
 * list, each compiled to tokens and matched by simulating its automaton
 * over the path: time linear in path length times pattern length,
 * whatever the pattern, so no pattern can make a run crawl.
 *
 * The table's hash is a polynomial one modulo 2^61 - 1 with a random
 * base, so that the hash of a path extends that of its directory; a
 * cursor keeps, for each directory on a walk's current path, that hash,
 * the deciding rule of its ancestors and the states of the automata
 * still alive, and a check costs the entry's name alone.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>

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

/*
 * A glob of at most 63 tokens runs on bit masks, a bit per state (bit i:
 * before token i, bit n: matched): every state steps at once.
 */
#define MASK_TOKS 63

struct glob_masks {
	uint64_t adv[256];	/* states that step on the byte to the next */
	uint64_t stay;		/* states a byte other than '/' keeps */
	uint64_t stay_slash;	/* states '/' keeps: "**" */
	uint64_t star;		/* states that match empty: "*", "**" */
	uint64_t star_slash;	/* those of "**" + "/": when entered */
};

struct glob {
	struct tok *toks;
	size_t n;
	struct glob_masks *masks;	/* NULL: more tokens than a mask */
	size_t suffix_len;	/* the bytes of its last tokens, all T_CHAR */
	char *literal;		/* the fixed start, unescaped */
	size_t literal_len;
	size_t seq;		/* rule number: lower wins */
	uint32_t why;		/* its reason: m->reasons[why], 0 none */
	bool include;
};

struct exact {
	const char *path;	/* in the arena, not NUL-terminated */
	uint64_t hash;		/* path_hash() of the path */
	uint32_t len;		/* EXACT_INCLUDE: an include rule */
	uint32_t seq;		/* packed, see pack_seq() */
	uint32_t why;		/* its reason: m->reasons[why], 0 none */
};

#define EXACT_INCLUDE (UINT32_C(1) << 31)
/* The most rules of either class: a rule number fits in 31 bits. */
#define MAX_RULES ((size_t)INT32_MAX)

/* Arena chunks that hold the exact paths' bytes. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};
#define CHUNK_SIZE ((size_t)1 << 20)

struct matcher {
	uint32_t *slots;	/* open addressing, power-of-two size:
				 * 0 free, else 1 + an index of exact */
	size_t cap;
	struct exact *exact;	/* the exact rules, in no order */
	size_t used, exact_cap;
	struct chunk *arena;	/* the newest first */
	struct glob *globs;	/* in rule order */
	size_t n_globs;
	size_t n_rules;
	bool protect;		/* rules added now are protected */
	size_t n_protected;	/* protected rules so far */
	size_t n_prot_globs;	/* globs[0..n_prot_globs): protected */
	char **includes;	/* exact include paths, few */
	size_t n_includes;
	uint64_t base;		/* of the path hash, random */
	size_t max_toks;	/* the most tokens of a glob */
	char **reasons;		/* interned: [0] is NULL, no reason */
	uint32_t n_reasons;
	uint32_t *rtab;		/* hash table of reasons, 0 free */
	size_t rcap;
	uint32_t why;		/* of the rules added now */
};

#define P61 ((UINT64_C(1) << 61) - 1)

/*
 * Rule numbers: protected rules count from 0, the others from
 * PLAIN_SEQ, so that every protected rule comes first, whenever added.
 */
#define PLAIN_SEQ (SIZE_MAX / 2)

/* The number of the next rule; does not count it. */
static size_t next_seq(const struct matcher *m)
{
	return m->protect ? m->n_protected :
	       PLAIN_SEQ + (m->n_rules - m->n_protected);
}

/* Counts a rule added. */
static void count_rule(struct matcher *m)
{
	m->n_rules++;
	if (m->protect)
		m->n_protected++;
}

/* Extends the hash @h of a path by the @n bytes at @p. */
static uint64_t path_hash(const struct matcher *m, uint64_t h, const char *p,
			  size_t n)
{
	while (n--) {
		unsigned __int128 x = (unsigned __int128)h * m->base +
				      (unsigned char)*p++ + 1;

		h = (uint64_t)(x & P61) + (uint64_t)(x >> 61);
		while (h >= P61)
			h -= P61;
	}
	return h;
}

struct matcher *matcher_new(void)
{
	struct matcher *m = calloc(1, sizeof(struct matcher));

	if (!m)
		return NULL;
	/* a base the guests cannot know: no crafted collisions */
	if (getrandom(&m->base, sizeof(m->base), GRND_NONBLOCK) !=
	    sizeof(m->base))
		m->base = (uintptr_t)m ^ UINT64_C(0x9e3779b97f4a7c15);
	m->base = m->base % (P61 - 256) + 256;
	return m;
}

void matcher_free(struct matcher *m)
{
	size_t i;

	if (!m)
		return;
	while (m->arena) {
		struct chunk *next = m->arena->next;

		free(m->arena);
		m->arena = next;
	}
	free(m->slots);
	free(m->exact);
	for (i = 0; i < m->n_globs; i++) {
		free(m->globs[i].toks);
		free(m->globs[i].literal);
		free(m->globs[i].masks);
	}
	free(m->globs);
	for (i = 0; i < m->n_includes; i++)
		free(m->includes[i]);
	free(m->includes);
	for (i = 1; i < m->n_reasons; i++)
		free(m->reasons[i]);
	free(m->reasons);
	free(m->rtab);
	free(m);
}

/* FNV-1a of a reason: the table holds few, of trusted plugins. */
static size_t reason_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	while (*s)
		h = (h ^ (unsigned char)*s++) * UINT64_C(1099511628211);
	return (size_t)h;
}

/* The slot of reason @s in m->rtab: its number or 0 (free). */
static uint32_t *reason_slot(const struct matcher *m, const char *s)
{
	size_t i = reason_hash(s) & (m->rcap - 1);

	while (m->rtab[i] && strcmp(m->reasons[m->rtab[i]], s))
		i = (i + 1) & (m->rcap - 1);
	return &m->rtab[i];
}

static int grow_reasons(struct matcher *m)
{
	size_t cap = m->rcap ? 2 * m->rcap : 64, old_cap = m->rcap, i;
	uint32_t *old = m->rtab;
	char **v = realloc(m->reasons, cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	m->reasons = v;
	if (!m->n_reasons)
		v[m->n_reasons++] = NULL;
	m->rtab = calloc(cap, sizeof(*m->rtab));
	if (!m->rtab) {
		m->rtab = old;
		return -ENOMEM;
	}
	m->rcap = cap;
	for (i = 0; i < old_cap; i++)
		if (old[i])
			*reason_slot(m, m->reasons[old[i]]) = old[i];
	free(old);
	return 0;
}

int matcher_set_reason(struct matcher *m, const char *reason)
{
	uint32_t *slot;
	int ret;

	if (!reason) {
		m->why = 0;
		return 0;
	}
	if (m->why && !strcmp(m->reasons[m->why], reason))
		return 0;	/* the usual case: the same again */
	if ((m->n_reasons + 1) * 2 > m->rcap || m->n_reasons == UINT32_MAX) {
		if (m->n_reasons == UINT32_MAX)
			return -ENOSPC;
		ret = grow_reasons(m);
		if (ret)
			return ret;
	}
	slot = reason_slot(m, reason);
	if (!*slot) {
		m->reasons[m->n_reasons] = strdup(reason);
		if (!m->reasons[m->n_reasons])
			return -ENOMEM;
		*slot = m->n_reasons++;
	}
	m->why = *slot;
	return 0;
}

size_t matcher_reasons(const struct matcher *m)
{
	return m->n_reasons ? m->n_reasons - 1 : 0;
}

size_t matcher_count(const struct matcher *m)
{
	return m->n_rules;
}

void matcher_protect(struct matcher *m, bool on)
{
	m->protect = on;
}

/* Length of @s without trailing slashes, but "/" stays "/". */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		n--;
	return n;
}

/* A rule number in 32 bits: the protected ones as they are, the
 * others from SEQ_PLAIN. */
#define SEQ_PLAIN (UINT32_C(1) << 31)

static uint32_t pack_seq(size_t seq)
{
	return seq >= PLAIN_SEQ ? (uint32_t)(seq - PLAIN_SEQ) | SEQ_PLAIN :
	       (uint32_t)seq;
}

static size_t unpack_seq(uint32_t seq)
{
	return seq & SEQ_PLAIN ? PLAIN_SEQ + (seq & ~SEQ_PLAIN) : seq;
}

/* The slot of the table for @path, or the free slot where it goes. */
static uint32_t *find_slot(const struct matcher *m, uint64_t hash,
			   const char *path, size_t len)
{
	size_t i = hash & (m->cap - 1);
	const struct exact *e;

	while (m->slots[i]) {
		e = &m->exact[m->slots[i] - 1];
		if (e->hash == hash && (e->len & ~EXACT_INCLUDE) == len &&
		    !memcmp(e->path, path, len))
			break;
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

/* The exact rule of @path, or NULL. */
static const struct exact *find_exact(const struct matcher *m, uint64_t hash,
				      const char *path, size_t len)
{
	uint32_t *slot = find_slot(m, hash, path, len);

	return *slot ? &m->exact[*slot - 1] : NULL;
}

static int grow_table(struct matcher *m)
{
	size_t cap = m->cap ? 2 * m->cap : 256, i;
	uint32_t *old = m->slots;

	if (cap > (size_t)UINT32_MAX)
		return -ENOMEM;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	free(old);
	m->cap = cap;
	for (i = 0; i < m->used; i++)
		*find_slot(m, m->exact[i].hash, m->exact[i].path,
			   m->exact[i].len & ~EXACT_INCLUDE) = i + 1;
	return 0;
}

/* A copy of @len bytes of @path in the arena, or NULL. */
static const char *arena_copy(struct matcher *m, const char *path, size_t len)
{
	struct chunk *c = m->arena;
	char *p;

	if (!c || c->cap - c->used < len) {
		size_t cap = len > CHUNK_SIZE ? len : CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = m->arena;
		m->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, path, len);
	c->used += len;
	return p;
}

/* Adds an exact rule for @len bytes of @path (already trimmed). */
static int add_exact(struct matcher *m, const char *path, size_t len,
		     bool include)
{
	uint64_t hash = path_hash(m, 0, path, len);
	struct exact *e;
	uint32_t *slot;
	int ret;

	if (len >= EXACT_INCLUDE || m->n_rules >= MAX_RULES)
		return -ENOMEM;
	if ((m->used + 1) * 2 > m->cap) {
		ret = grow_table(m);
		if (ret)
			return ret;
	}
	slot = find_slot(m, hash, path, len);
	e = *slot ? &m->exact[*slot - 1] : NULL;
	if (e && unpack_seq(e->seq) < next_seq(m)) {
		/* a path given twice keeps its first rule */
		count_rule(m);
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
	if (!e) {	/* else a protected rule takes its place */
		if (m->used == m->exact_cap) {
			size_t cap = m->exact_cap ? 2 * m->exact_cap : 256;
			struct exact *v = realloc(m->exact, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			m->exact = v;
			m->exact_cap = cap;
		}
		e = &m->exact[m->used];
		e->path = arena_copy(m, path, len);
		if (!e->path)
			return -ENOMEM;
		e->hash = hash;
		*slot = ++m->used;
	}
	e->len = len | (include ? EXACT_INCLUDE : 0);
	e->seq = pack_seq(next_seq(m));
	e->why = m->why;
	count_rule(m);
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
	while (g->suffix_len < g->n &&
	       g->toks[g->n - 1 - g->suffix_len].kind == T_CHAR)
		g->suffix_len++;
	return 0;
}

/* Sets g->masks from g->toks where they fit. Returns 0 or -ENOMEM. */
static int compile_masks(struct glob *g)
{
	struct glob_masks *k;
	unsigned int c;
	size_t i;

	if (g->n > MASK_TOKS)
		return 0;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (i = 0; i < g->n; i++) {
		const struct tok *t = &g->toks[i];
		uint64_t bit = UINT64_C(1) << i;

		switch (t->kind) {
		case T_CHAR:
			k->adv[t->c] |= bit;
			break;
		case T_ANY:
			for (c = 0; c < 256; c++)
				if (c != '/')
					k->adv[c] |= bit;
			break;
		case T_CLASS:
			for (c = 0; c < 256; c++)
				if ((t->set[c / 8] >> (c % 8)) & 1)
					k->adv[c] |= bit;
			break;
		case T_STAR:
			k->stay |= bit;
			k->star |= bit;
			break;
		case T_DSTAR:
			k->stay |= bit;
			k->stay_slash |= bit;
			k->star |= bit;
			break;
		case T_DSTAR_SLASH:
			k->stay |= bit;
			k->stay_slash |= bit;
			k->adv['/'] |= bit;
			k->star_slash |= bit;
			break;
		}
	}
	g->masks = k;
	return 0;
}

/* Whether @g has no wildcard at all: then it is an exact path. */
static bool all_literal(const struct glob *g)
{
	return g->literal_len == g->n;
}

/* Whether the @n bytes at @p, unescaped, are @dots dots and no more. */
static bool all_dots(const char *p, size_t n, size_t dots)
{
	size_t i;

	for (i = 0; i < n; i++, dots--) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		if (p[i] != '.' || !dots)
			return false;
	}
	return !dots;
}

/*
 * Copies the pattern @in without empty and "." components ("//", "/./",
 * a trailing "/."), into @out (room for strlen(@in) + 1). -EINVAL for a
 * ".." component: no guest path can be named through it. A "[...]"
 * class and an escaped character are not split; the scan is linear,
 * however many '[' are left open.
 */
static int normalise(const char *in, char *out)
{
	size_t len = strlen(in), i = 0, j, k, q, n = 0;
	bool closed = true;	/* false: no ']' after the last '[' seen */

	while (i < len) {	/* in[i] == '/' */
		j = i + 1;
		for (k = j; k < len && in[k] != '/'; k++) {
			if (in[k] == '\\' && k + 1 < len) {
				k++;
			} else if (in[k] == '[' && closed) {
				q = k + 1;
				if (q < len && (in[q] == '!' || in[q] == '^'))
					q++;
				if (q < len && in[q] == ']')
					q++;
				while (q < len && in[q] != ']')
					q += in[q] == '\\' && q + 1 < len ? 2 : 1;
				if (q < len)
					k = q;
				else
					closed = false;
			}
		}
		if (all_dots(in + j, k - j, 2))
			return -EINVAL;
		if (k > j && !all_dots(in + j, k - j, 1)) {
			out[n++] = '/';
			memcpy(out + n, in + j, k - j);
			n += k - j;
		}
		i = k;
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

int matcher_add_glob(struct matcher *m, const char *pattern, bool include)
{
	struct glob g = { .include = include, .seq = next_seq(m),
			  .why = m->why };
	struct glob *v;
	size_t at;
	char *norm;
	int ret;

	if (pattern[0] != '/')
		return -EINVAL;
	norm = malloc(strlen(pattern) + 1);
	if (!norm)
		return -ENOMEM;
	ret = normalise(pattern, norm);
	if (!ret)
		ret = compile(norm, strlen(norm), &g);
	free(norm);
	if (!ret && !all_literal(&g))
		ret = compile_masks(&g);
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
	/* in rule order: a protected glob goes after the protected ones */
	at = m->protect ? m->n_prot_globs++ : m->n_globs;
	memmove(&v[at + 1], &v[at], (m->n_globs - at) * sizeof(*v));
	v[at] = g;
	m->n_globs++;
	count_rule(m);
	if (g.n > m->max_toks)
		m->max_toks = g.n;
	return 0;

out_free:
	free(g.toks);
	free(g.literal);
	free(g.masks);
	return ret;
}

/*
 * A state's byte: ST_IN when the automaton is in it, ST_ENTERED too when
 * it came there by a step or an empty edge, not by staying in a star.
 */
#define ST_IN 1
#define ST_ENTERED 3

/*
 * Follows the empty-matching edges of star states, forwards. That of a
 * "**" + "/" only from where it was entered: once it has taken a byte,
 * its run must end in '/' (a step): such a "**" never ends inside a name.
 */
static void closure(const struct glob *g, uint8_t *states)
{
	uint8_t need;
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (g->toks[i].kind < T_STAR)
			continue;
		need = g->toks[i].kind == T_DSTAR_SLASH ? ST_ENTERED : ST_IN;
		if ((states[i] & need) == need)
			states[i + 1] = ST_ENTERED;
	}
}

/* run() on bit masks: the same automaton, every state at once. */
static uint8_t *run_masks(const struct glob *g, uint8_t *cur, uint8_t *next,
			  const char *p, size_t n, size_t *work)
{
	const struct glob_masks *k = g->masks;
	uint64_t x = 0, entered, add;
	size_t i;

	for (i = 0; i <= g->n; i++)
		x |= (uint64_t)!!cur[i] << i;
	for (i = 0; i < n && x; i++) {
		unsigned char c = p[i];

		entered = (x & k->adv[c]) << 1;
		x = entered | (x & (c == '/' ? k->stay_slash : k->stay));
		/* closure(): a star state also stands after its star */
		while ((add = ((x & k->star) |
			       (entered & k->star_slash)) << 1) & ~entered) {
			x |= add;
			entered |= add;
		}
		*work += g->n + 1;
	}
	if (!x)
		return NULL;
	for (i = 0; i <= g->n; i++)
		next[i] = (x >> i) & 1;
	return next;
}

/*
 * Runs the automaton of @g from the states @cur over @n bytes of @p,
 * with @next as scratch; returns the buffer holding the states at the
 * end, or NULL when none is left. Counts the work in *@work.
 */
static uint8_t *run(const struct glob *g, uint8_t *cur, uint8_t *next,
		    const char *p, size_t n, size_t *work)
{
	uint8_t *tmp;
	bool alive;
	size_t i, k;

	if (g->masks)
		return run_masks(g, cur, next, p, n, work);
	for (k = 0; k < n; k++) {
		unsigned char c = p[k];

		memset(next, 0, g->n + 1);
		for (i = 0; i < g->n; i++) {
			const struct tok *t = &g->toks[i];

			if (!cur[i])
				continue;
			switch (t->kind) {
			case T_CHAR:
				next[i + 1] |= c == t->c ? ST_ENTERED : 0;
				break;
			case T_ANY:
				next[i + 1] |= c != '/' ? ST_ENTERED : 0;
				break;
			case T_CLASS:
				next[i + 1] |= (t->set[c / 8] >> (c % 8)) & 1 ?
					       ST_ENTERED : 0;
				break;
			case T_STAR:
				next[i] |= c != '/' ? ST_IN : 0;
				break;
			case T_DSTAR:
				next[i] |= ST_IN;
				break;
			case T_DSTAR_SLASH:
				next[i] |= ST_IN;
				next[i + 1] |= c == '/' ? ST_ENTERED : 0;
				break;
			}
		}
		closure(g, next);
		*work += g->n + 1;
		alive = false;
		for (i = 0; i <= g->n; i++)
			alive |= next[i];
		if (!alive)
			return NULL;
		tmp = cur;
		cur = next;
		next = tmp;
	}
	return cur;
}

/*
 * Whether @path (@len bytes) may end where @g matches: its last bytes
 * are those of g's last tokens when they are all T_CHAR (no empty edge
 * leads into them, so only these bytes reach the end state).
 */
static bool may_end(const struct glob *g, const char *path, size_t len)
{
	size_t i, k = g->suffix_len;

	if (k > len)
		return false;
	for (i = 0; i < k; i++)
		if (g->toks[g->n - k + i].c != (unsigned char)path[len - k + i])
			return false;
	return true;
}

/* A directory on the cursor's path; see the top of this file. */
struct mlevel {
	size_t depth;
	size_t len;		/* of its path */
	uint64_t hash;		/* path_hash() of its path */
	size_t best;		/* seq of the deciding rule, SIZE_MAX: none */
	uint32_t why;		/* its reason */
	bool include;
	size_t live, n_live;	/* its live globs: c->live[live...] */
	size_t states;		/* and their states: c->st[states...] */
	size_t st_bytes;
};

struct match_cursor {
	const struct matcher *m;
	struct mlevel *lv;	/* lv[0]: "/" */
	size_t n, cap;
	size_t *live;		/* glob numbers, in rule order */
	size_t live_used, live_cap;
	uint8_t *st;		/* their states, g->n + 1 bytes each */
	size_t st_used, st_cap;
	uint8_t *scratch;	/* two state sets of the longest glob */
	size_t work;
	uint32_t why;		/* the reason of the last verdict */
};

/* Makes room for a level below lv[@p]; false when out of memory. */
static bool reserve(struct match_cursor *c, size_t p)
{
	size_t need;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct mlevel *v = realloc(c->lv, cap * sizeof(*v));

		if (!v)
			return false;
		c->lv = v;
		c->cap = cap;
	}
	need = c->live_used + c->lv[p].n_live;
	if (need > c->live_cap) {
		size_t cap = 2 * need, *v = realloc(c->live, cap * sizeof(*v));

		if (!v)
			return false;
		c->live = v;
		c->live_cap = cap;
	}
	need = c->st_used + c->lv[p].st_bytes;
	if (need > c->st_cap) {
		size_t cap = 2 * need;
		uint8_t *v = realloc(c->st, cap);

		if (!v)
			return false;
		c->st = v;
		c->st_cap = cap;
	}
	return true;
}

/*
 * The verdict for @path (@len bytes), whose parent directory is lv[@p];
 * with @keep, its state becomes a new level at @depth. Returns -1 when
 * out of memory.
 */
static int step(struct match_cursor *c, size_t p, const char *path,
		size_t len, size_t depth, bool keep)
{
	const struct matcher *m = c->m;
	struct mlevel l, *pl;
	size_t j, off, n = m->max_toks + 1;
	uint8_t *cur, *end;

	if (keep && !reserve(c, p))
		return -1;
	pl = &c->lv[p];
	l = (struct mlevel){ .depth = depth, .len = len, .best = pl->best,
			     .include = pl->include, .why = pl->why,
			     .live = c->live_used,
			     .states = c->st_used };
	l.hash = path_hash(m, pl->hash, path + pl->len, len - pl->len);
	c->work += len - pl->len;
	if (m->used) {
		const struct exact *e = find_exact(m, l.hash, path, len);

		if (e && unpack_seq(e->seq) < l.best) {
			l.best = unpack_seq(e->seq);
			l.include = e->len & EXACT_INCLUDE;
			l.why = e->why;
		}
	}
	for (j = 0, off = pl->states; j < pl->n_live; j++) {
		const struct glob *g = &m->globs[c->live[pl->live + j]];

		if (g->seq >= l.best)
			break;	/* it and those after cannot decide */
		if (!keep && !may_end(g, path, len)) {
			off += g->n + 1;
			continue;	/* a file: only its verdict counts */
		}
		cur = c->scratch;
		memcpy(cur, c->st + off, g->n + 1);
		off += g->n + 1;
		end = run(g, cur, cur + n, path + pl->len, len - pl->len,
			  &c->work);
		if (!end)
			continue;
		if (end[g->n]) {
			l.best = g->seq;	/* the first glob to match */
			l.include = g->include;
			l.why = g->why;
			break;
		}
		if (keep) {
			c->live[c->live_used++] = c->live[pl->live + j];
			memcpy(c->st + c->st_used, end, g->n + 1);
			c->st_used += g->n + 1;
			l.n_live++;
			l.st_bytes += g->n + 1;
		}
	}
	if (keep)
		c->lv[c->n++] = l;
	c->why = l.why;
	if (l.best == SIZE_MAX)
		return MATCH_NONE;
	return l.include ? MATCH_INCLUDE : MATCH_EXCLUDE;
}

static void pop(struct match_cursor *c)
{
	c->n--;
	c->live_used = c->lv[c->n].live;
	c->st_used = c->lv[c->n].states;
}

struct match_cursor *matcher_cursor_new(const struct matcher *m)
{
	struct match_cursor *c = calloc(1, sizeof(*c));
	struct mlevel *l;
	size_t i, n = m->max_toks + 1, total = 0;

	if (!c)
		return NULL;
	c->m = m;
	for (i = 0; i < m->n_globs; i++)
		total += m->globs[i].n + 1;
	c->lv = calloc(16, sizeof(*c->lv));
	c->live = malloc((m->n_globs + 1) * sizeof(*c->live));
	c->st = malloc(total + 1);
	c->scratch = malloc(2 * n);
	if (!c->lv || !c->live || !c->st || !c->scratch) {
		matcher_cursor_free(c);
		return NULL;
	}
	c->cap = 16;
	c->live_cap = m->n_globs + 1;
	c->st_cap = total + 1;
	/* a level for the empty path, every glob at its start, then "/" */
	l = &c->lv[0];
	l->best = SIZE_MAX;
	l->n_live = m->n_globs;
	l->st_bytes = total;
	for (i = 0; i < m->n_globs; i++) {
		const struct glob *g = &m->globs[i];

		c->live[i] = i;
		memset(c->st + c->st_used, 0, g->n + 1);
		c->st[c->st_used] = ST_ENTERED;
		closure(g, c->st + c->st_used);
		c->st_used += g->n + 1;
	}
	c->live_used = m->n_globs;
	c->n = 1;
	if (step(c, 0, "/", 1, 0, true) < 0) {
		matcher_cursor_free(c);
		return NULL;
	}
	/* the root's level in place of the empty path's */
	memmove(c->live, c->live + c->lv[1].live,
		c->lv[1].n_live * sizeof(*c->live));
	memmove(c->st, c->st + c->lv[1].states, c->lv[1].st_bytes);
	c->lv[0] = c->lv[1];
	c->lv[0].live = c->lv[0].states = 0;
	c->live_used = c->lv[0].n_live;
	c->st_used = c->lv[0].st_bytes;
	c->n = 1;
	return c;
}

void matcher_cursor_free(struct match_cursor *c)
{
	if (!c)
		return;
	free(c->lv);
	free(c->live);
	free(c->st);
	free(c->scratch);
	free(c);
}

size_t matcher_cursor_work(const struct match_cursor *c)
{
	return c->work;
}

const char *matcher_cursor_reason(const struct match_cursor *c)
{
	return c->m->reasons ? c->m->reasons[c->why] : NULL;
}

/* Whether the deepest level is the directory of @path (@len bytes). */
static bool is_parent(const struct match_cursor *c, const char *path,
		      size_t len)
{
	const struct mlevel *t = &c->lv[c->n - 1];
	size_t from = t->len == 1 ? 1 : t->len + 1;

	if (len <= from || (t->len > 1 && path[t->len] != '/'))
		return false;
	return !memchr(path + from, '/', len - from);
}

enum match_verdict matcher_cursor_check(struct match_cursor *c,
					const char *path, size_t len,
					size_t depth, bool keep)
{
	size_t k, d;
	int ret;

	while (c->n > 1 && c->lv[c->n - 1].depth >= depth)
		pop(c);
	if (c->lv[c->n - 1].depth + 1 != depth || !is_parent(c, path, len)) {
		/* not the parent: keep every ancestor of @path afresh */
		while (c->n > 1)
			pop(c);
		for (k = 1, d = 1; k < len; k++) {
			if (path[k] != '/')
				continue;
			if (step(c, c->n - 1, path, k, d++, true) < 0)
				return MATCH_EXCLUDE;
		}
	}
	ret = step(c, c->n - 1, path, len, depth, keep);
	return ret < 0 ? MATCH_EXCLUDE : (enum match_verdict)ret;
}

enum match_verdict matcher_check(const struct matcher *m,
				 const char *path, size_t len)
{
	return matcher_explain(m, path, len, NULL);
}

enum match_verdict matcher_explain(const struct matcher *m,
				   const char *path, size_t len,
				   const char **reason)
{
	struct match_cursor *c;
	enum match_verdict v;
	size_t k, d = 1;

	if (len == 1)
		d = 0;
	for (k = 1; k < len; k++)
		d += path[k] == '/';
	if (reason)
		*reason = NULL;
	c = matcher_cursor_new(m);
	if (!c)
		return MATCH_EXCLUDE;
	v = d ? matcher_cursor_check(c, path, len, d, false) :
		(c->lv[0].best == SIZE_MAX ? MATCH_NONE :
		 c->lv[0].include ? MATCH_INCLUDE : MATCH_EXCLUDE);
	if (!d)
		c->why = c->lv[0].why;
	if (reason && v != MATCH_NONE)
		*reason = matcher_cursor_reason(c);
	matcher_cursor_free(c);
	return v;
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

// SPDX-License-Identifier: GPL-2.0-or-later
/* Portage's configuration text; see makeconf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "makeconf.h"

/* far above any real value, far below what doubling "$A$A" reaches */
#define MAX_VALUE (1u << 20)

/* A growing string. */
struct str {
	char *s;
	size_t n, cap;
};

static int str_add(struct str *b, char c)
{
	if (b->n + 1 >= b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		char *s;

		if (cap > MAX_VALUE + 2)
			return -E2BIG;
		s = realloc(b->s, cap);
		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
	return 0;
}

/* Makes @b an empty string (allocated, so that b->s is never NULL). */
static int str_clear(struct str *b)
{
	int ret = b->s ? 0 : str_add(b, '\0');

	b->n = 0;
	if (b->s)
		b->s[0] = '\0';
	return ret;
}

static int str_addn(struct str *b, const char *s, size_t n)
{
	int ret = 0;

	while (n-- && !ret)
		ret = str_add(b, *s++);
	return ret;
}

void pconf_vars_free(struct pconf_vars *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->names[i]);
		free(v->values[i]);
	}
	free(v->names);
	free(v->values);
	memset(v, 0, sizeof(*v));
}

const char *pconf_get(const struct pconf_vars *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->names[i], name))
			return v->values[i];
	return NULL;
}

int pconf_set(struct pconf_vars *v, const char *name, const char *value)
{
	char *copy = strdup(value);
	size_t i;

	if (!copy)
		return -ENOMEM;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->names[i], name)) {
			free(v->values[i]);
			v->values[i] = copy;
			return 0;
		}
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		char **names = realloc(v->names, cap * sizeof(*names));

		if (names)
			v->names = names;
		names = names ? realloc(v->values, cap * sizeof(*names)) : NULL;
		if (!names) {
			free(copy);
			return -ENOMEM;
		}
		v->values = names;
		v->cap = cap;
	}
	v->names[v->n] = strdup(name);
	if (!v->names[v->n]) {
		free(copy);
		return -ENOMEM;
	}
	v->values[v->n++] = copy;
	return 0;
}

/* The lexer: portage's getconfig() runs Python's shlex in POSIX mode. */
struct lexer {
	const char *p, *end;
	unsigned int line;
	struct pconf_error *err;
};

enum token { TOK_EOF, TOK_WORD, TOK_PUNCT };

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* getconfig()'s word characters, less '\' (an escape first) and '#' (a
 * comment first, even inside a word) */
static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("~!@$%*_:;?,./-+{}", c));
}

static int refuse(struct lexer *lx, unsigned int line, const char *why)
{
	lx->err->line = line;
	lx->err->why = why;
	return -EINVAL;
}

static void skip_comment(struct lexer *lx)
{
	while (lx->p < lx->end && *lx->p != '\n')
		lx->p++;
}

/* One character into @w, counting lines. */
static int take(struct lexer *lx, struct str *w)
{
	char c = *lx->p++;

	if (c == '\n')
		lx->line++;
	return str_add(w, c);
}

/*
 * The next token into @w (a word, quotes removed, or one punctuation
 * character) and the line it starts on into *line. Returns the kind of
 * token or a negative errno.
 */
static int next_token(struct lexer *lx, struct str *w, unsigned int *line)
{
	bool word = false;
	unsigned int start;
	char q;
	int ret;

	ret = str_clear(w);
	if (ret)
		return ret;
	for (;;) {
		while (lx->p < lx->end && is_space(*lx->p))
			if (*lx->p++ == '\n')
				lx->line++;
		if (lx->p == lx->end)
			return TOK_EOF;
		if (*lx->p != '#')
			break;
		skip_comment(lx);
	}
	*line = lx->line;
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (is_space(c) || c == '#')
			break;
		if (c == '"' || c == '\'') {
			start = lx->line;
			q = *lx->p++;
			word = true;
			while (lx->p < lx->end && *lx->p != q) {
				/* in double quotes, \" and \\ lose the \ */
				if (q == '"' && *lx->p == '\\' &&
				    lx->p + 1 < lx->end) {
					if (lx->p[1] == '"' || lx->p[1] == '\\')
						lx->p++;
					else if ((ret = take(lx, w)) < 0)
						return ret;
				}
				if ((ret = take(lx, w)) < 0)
					return ret;
			}
			if (lx->p == lx->end)
				return refuse(lx, start, "no closing quotation");
			lx->p++;
			continue;
		}
		if (c == '\\') {
			/* outside quotes the escaped character itself */
			if (++lx->p == lx->end)
				return refuse(lx, lx->line, "no escaped character");
			word = true;
			if ((ret = take(lx, w)) < 0)
				return ret;
			continue;
		}
		if (!is_word(c)) {
			if (word)
				break;
			lx->p++;
			if ((ret = str_add(w, c)) < 0)
				return ret;
			return TOK_PUNCT;
		}
		word = true;
		if ((ret = take(lx, w)) < 0)
			return ret;
	}
	if (lx->p < lx->end && *lx->p == '#')
		skip_comment(lx);
	return TOK_WORD;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Portage's expansion of a value (quotes already removed by the lexer;
 * quote characters left in the value still switch expansion off and
 * on): $VAR and ${VAR} from @map (unset is empty), \$ and \\ lose the
 * \, backslash-newline goes, a newline becomes a space. Other
 * substitutions are refused.
 */
static int expand_value(struct lexer *lx, unsigned int line,
			const char *v, const struct pconf_vars *map,
			struct str *out)
{
	bool insing = false, indoub = false, braced;
	const char *name, *val;
	char *tmp;
	size_t n;
	int ret;

	ret = str_clear(out);
	while (!ret && *v) {
		char c = *v;

		if (c == '\'' && !indoub)
			insing = !insing;
		else if (c == '"' && !insing)
			indoub = !indoub;
		if (insing || c == '\'' || c == '"') {
			ret = str_add(out, c);
			v++;
		} else if (c == '\n') {
			ret = str_add(out, ' ');
			v++;
		} else if (c == '\\') {
			if (!v[1]) {
				ret = str_add(out, c);
				v++;
			} else if (v[1] == '$') {
				ret = str_add(out, '$');
				v += 2;
			} else if (v[1] == '\\') {
				/* as portage: a quote or $ after \\ is kept */
				ret = str_add(out, '\\');
				v += 2;
				if (!ret && (*v == '\'' || *v == '"' ||
					     *v == '$'))
					ret = str_add(out, *v++);
			} else if (v[1] == '\n') {
				v += 2;
			} else {
				ret = str_addn(out, v, 2);
				v += 2;
			}
		} else if (c == '$') {
			v++;
			if (!*v) {
				ret = str_add(out, '$');
				break;
			}
			if (*v == '(' || *v == '`')
				return refuse(lx, line, "command substitution "
					      "is not supported");
			braced = *v == '{';
			if (braced)
				v++;
			for (name = v; name_char(*v); v++)
				;
			n = v - name;
			if (braced && *v != '}')
				return refuse(lx, line, "only ${NAME} "
					      "substitutions are supported");
			if (!n)
				return refuse(lx, line, "bad substitution");
			v += braced;
			tmp = strndup(name, n);
			if (!tmp)
				return -ENOMEM;
			val = pconf_get(map, tmp);
			free(tmp);
			if (val)
				ret = str_addn(out, val, strlen(val));
		} else {
			ret = str_add(out, c);
			v++;
		}
	}
	if (ret == -E2BIG)
		return refuse(lx, line, "value longer than 1 MiB");
	return ret;
}

static bool valid_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!name_char(*s))
			return false;
	return true;
}

int pconf_parse(const char *buf, size_t len, struct pconf_vars *out,
		struct pconf_vars *expand, struct pconf_error *err)
{
	struct lexer lx = { .p = buf, .end = buf + len, .line = 1, .err = err };
	struct str key = { 0 }, val = { 0 }, exp = { 0 };
	const char *nul = memchr(buf, '\0', len), *s;
	unsigned int line, at;
	int t, ret = 0;

	if (nul) {
		for (at = 1, s = buf; s < nul; s++)
			at += *s == '\n';
		return refuse(&lx, at, "NUL byte");
	}
	for (;;) {
		t = next_token(&lx, &key, &line);
		if (t == TOK_WORD && !strcmp(key.s, "export"))
			t = next_token(&lx, &key, &line);
		if (t <= TOK_EOF) {
			ret = t;
			break;
		}
		if (!strcmp(key.s, "source")) {
			ret = refuse(&lx, line, "source statements are not "
				     "supported");
			break;
		}
		if (t != TOK_WORD || !valid_name(key.s)) {
			ret = refuse(&lx, line, "a variable name expected");
			break;
		}
		t = next_token(&lx, &val, &at);
		if (t < 0) {
			ret = t;
			break;
		}
		if (t != TOK_PUNCT || strcmp(val.s, "=")) {
			ret = refuse(&lx, t == TOK_EOF ? lx.line : at,
				     "'=' expected");
			break;
		}
		t = next_token(&lx, &val, &at);
		if (t <= TOK_EOF) {
			ret = t < 0 ? t : refuse(&lx, line, "value expected");
			break;
		}
		if (!strcmp(val.s, "source")) {
			ret = refuse(&lx, at, "source statements are not "
				     "supported");
			break;
		}
		if (expand) {
			ret = expand_value(&lx, at, val.s, expand, &exp);
			if (!ret)
				ret = pconf_set(expand, key.s, exp.s);
		}
		if (!ret)
			ret = pconf_set(out, key.s, expand ? exp.s : val.s);
		if (ret)
			break;
	}
	if (ret == -E2BIG)
		ret = refuse(&lx, lx.line, "value longer than 1 MiB");
	free(key.s);
	free(val.s);
	free(exp.s);
	return ret;
}

void pconf_list_free(struct pconf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

bool pconf_list_has(const struct pconf_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return true;
	return false;
}

int pconf_list_add(struct pconf_list *l, const char *s)
{
	if (pconf_list_has(l, s))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **v = realloc(l->items, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->items = v;
		l->cap = cap;
	}
	l->items[l->n] = strdup(s);
	return l->items[l->n++] ? 0 : -ENOMEM;
}

static void list_remove(struct pconf_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s)) {
			free(l->items[i]);
			memmove(l->items + i, l->items + i + 1,
				(l->n - i - 1) * sizeof(*l->items));
			l->n--;
			return;
		}
}

/* Python's str.split() white space */
static bool split_space(char c)
{
	return is_space(c) || c == '\v' || c == '\f';
}

/* Calls @fn with each white-space separated word of @value. */
static int each_word(const char *value, struct pconf_list *l,
		     int (*fn)(struct pconf_list *l, const char *word))
{
	const char *w;
	char *word;
	int ret = 0;

	while (!ret && *value) {
		while (split_space(*value))
			value++;
		for (w = value; *value && !split_space(*value); value++)
			;
		if (value == w)
			break;
		word = strndup(w, value - w);
		if (!word)
			return -ENOMEM;
		ret = fn(l, word);
		free(word);
	}
	return ret;
}

static int incremental_word(struct pconf_list *l, const char *word)
{
	if (!strcmp(word, "-*")) {
		while (l->n)
			free(l->items[--l->n]);
		return 0;
	}
	if (word[0] == '-') {
		list_remove(l, word + 1);
		return 0;
	}
	return pconf_list_add(l, word);
}

int pconf_incremental(struct pconf_list *l, const char *value)
{
	return each_word(value, l, incremental_word);
}

int pconf_words(struct pconf_list *l, const char *value)
{
	return each_word(value, l, pconf_list_add);
}

bool pconf_envd_name(const char *name)
{
	size_t n = strlen(name);

	return n >= 3 && name[0] >= '0' && name[0] <= '9' &&
	       name[1] >= '0' && name[1] <= '9' && name[n - 1] != '~' &&
	       (n < 4 || strcmp(name + n - 4, ".bak"));
}

bool pconf_dir_name(const char *name)
{
	static const char *const vcs[] = { "CVS", "RCS", "SCCS" };
	size_t n = strlen(name), i;

	if (!n || name[0] == '.' || name[n - 1] == '~')
		return false;
	for (i = 0; i < sizeof(vcs) / sizeof(*vcs); i++)
		if (!strcmp(name, vcs[i]))
			return false;
	return true;
}

int pconf_parents(const char *buf, size_t len,
		  int (*fn)(void *ctx, const char *parent, unsigned int line),
		  void *ctx, struct pconf_error *err)
{
	const char *p = buf, *end = buf + len, *w;
	unsigned int line = 0;
	size_t found = 0;
	char *parent;
	int ret;

	while (p < end) {
		line++;
		while (p < end && *p != '\n' && split_space(*p))
			p++;
		for (w = p; p < end && !split_space(*p); p++)
			;
		if (p > w && *w != '#') {
			if (memchr(w, '\0', p - w)) {
				err->line = line;
				err->why = "NUL byte";
				return -EINVAL;
			}
			parent = strndup(w, p - w);
			if (!parent)
				return -ENOMEM;
			ret = fn(ctx, parent, line);
			free(parent);
			if (ret)
				return ret;
			found++;
		}
		while (p < end && *p++ != '\n')
			;
	}
	if (!found) {
		err->line = line ? line : 1;
		err->why = "no parent listed";
		return -EINVAL;
	}
	return 0;
}

char *pconf_entry_path(const char *entry)
{
	size_t n = strlen(entry), i, o = 0, c;
	char *out;

	if (strpbrk(entry, "\"'\\")) {
		errno = EINVAL;
		return NULL;
	}
	out = malloc(n + 2);
	if (!out)
		return NULL;
	/* out holds "/a/b" without a trailing '/'; o is its length */
	for (i = 0; i < n; i = c) {
		while (i < n && entry[i] == '/')
			i++;
		for (c = i; c < n && entry[c] != '/'; c++)
			;
		if (c == i || (c - i == 1 && entry[i] == '.'))
			continue;
		if (c - i == 2 && entry[i] == '.' && entry[i + 1] == '.') {
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, entry + i, c - i);
		o += c - i;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

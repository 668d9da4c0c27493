/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PORTAGE_CONF_H
#define VHASHIFY_PORTAGE_CONF_H

/*
 * Portage's configuration text, over buffers (no I/O), so that a
 * fuzzer can drive it: the assignments of make.globals, make.defaults,
 * make.conf and env.d files, the incremental lists CONFIG_PROTECT and
 * CONFIG_PROTECT_MASK, a profile's "parent" file, and path entries.
 *
 * The assignment syntax is what portage's getconfig() accepts (a POSIX
 * shell word lexer, then its own variable expansion): KEY=VALUE pairs,
 * an optional "export", '#' comments, double and single quotes, a
 * backslash escape, backslash-newline, and $VAR / ${VAR} in values.
 * What portage would not read the same way as a shell, or what this
 * parser does not model, is refused with the line: "source" statements,
 * $(...), `...`, ${VAR:-...} and other substitutions, unbalanced quotes,
 * tokens where '=' belongs, and NUL bytes.
 */

#include <stdbool.h>
#include <stddef.h>

/* Variables by name: a file's assignments, or the expansion map. */
struct pconf_vars {
	char **names;
	char **values;
	size_t n, cap;
};

void pconf_vars_free(struct pconf_vars *v);
/* The value of @name, or NULL when it is not set. */
const char *pconf_get(const struct pconf_vars *v, const char *name);
/* Sets @name to a copy of @value. Returns 0 or -ENOMEM. */
int pconf_set(struct pconf_vars *v, const char *name, const char *value);

/* Where and why a text was refused. */
struct pconf_error {
	unsigned int line;	/* 1-based */
	const char *why;	/* a constant string */
};

/*
 * Parses the assignments of @buf into @out (a later one replaces an
 * earlier one of the same name). With @expand (NULL for env.d files,
 * which portage reads unexpanded), values are expanded from @expand
 * and every assignment is also recorded there, as portage's expansion
 * map is. Returns 0, -EINVAL with @err set when the text is refused,
 * or -ENOMEM.
 */
int pconf_parse(const char *buf, size_t len, struct pconf_vars *out,
		struct pconf_vars *expand, struct pconf_error *err);

/* An ordered set of strings: an incremental variable's value. */
struct pconf_list {
	char **items;
	size_t n, cap;
};

void pconf_list_free(struct pconf_list *l);
/* Whether @s is in @l. */
bool pconf_list_has(const struct pconf_list *l, const char *s);
/* Appends a copy of @s unless it is there. Returns 0 or -ENOMEM. */
int pconf_list_add(struct pconf_list *l, const char *s);

/*
 * Applies one layer's value of an incremental variable to @l, as
 * portage stacks them: words split on white space, "-*" empties the
 * list, "-x" removes x, any other word is added. Returns 0 or -ENOMEM.
 */
int pconf_incremental(struct pconf_list *l, const char *value);

/*
 * Appends each white-space separated word of @value to @l unless it is
 * there (how env-update joins the env.d files). Returns 0 or -ENOMEM.
 */
int pconf_words(struct pconf_list *l, const char *value);

/*
 * Whether @name is a file env-update reads in /etc/env.d: two digits
 * first, at least three characters, no "." first, no "~" or ".bak"
 * last.
 */
bool pconf_envd_name(const char *name);

/*
 * Whether portage reads @name when it reads a directory of
 * configuration files (make.conf/, make.defaults/): not hidden, no "~"
 * last, not a version control directory.
 */
bool pconf_dir_name(const char *name);

/*
 * Calls @fn with each parent of a profile's "parent" text, in order,
 * and the line it is on: comments ('#' first in a word) and blank lines
 * are skipped, a line's first word is the parent. Returns 0, what @fn
 * returned, or -EINVAL with @err set when the file lists no parent
 * (portage refuses an empty parent file).
 */
int pconf_parents(const char *buf, size_t len,
		  int (*fn)(void *ctx, const char *parent, unsigned int line),
		  void *ctx, struct pconf_error *err);

/*
 * The guest-absolute, normalised path of a CONFIG_PROTECT(_MASK) entry,
 * as portage makes it: relative to the root, "." and empty components
 * dropped, ".." taken lexically, no trailing '/'. Returns a new string,
 * NULL with errno EINVAL when the entry holds quotes or a backslash
 * (portage splits the value again as shell words), or ENOMEM.
 */
char *pconf_entry_path(const char *entry);

#endif

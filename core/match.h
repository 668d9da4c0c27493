/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_MATCH_H
#define VHASHIFY_MATCH_H

/*
 * The exclusion matcher: an ordered list of rules, each an exact
 * guest-absolute path or a glob pattern, each including or excluding.
 *
 * A rule matches a path when it matches the path itself or one of its
 * ancestor directories: the rule "- /etc" matches "/etc/passwd". For a
 * given path the rule added first among those that match decides.
 *
 * Glob syntax (patterns only; exact paths are taken literally):
 *   *      any run of characters within one path component
 *   **     any run of characters across components; a slash, two
 *          stars and a slash also match a single slash, so that
 *          "/usr/", two stars, "/x" matches "/usr/x"
 *   ?      one character other than '/'
 *   [...]  one character of a class other than '/', with ranges
 *          and "!" or "^" for negation; "]" first is literal
 *   \c     the character c literally
 * Every path and pattern is guest-absolute: it starts with '/'.
 * Paths are byte strings: no encoding is assumed.
 */

#include <stdbool.h>
#include <stddef.h>

struct matcher;

enum match_verdict {
	MATCH_NONE,	/* no rule matches */
	MATCH_INCLUDE,	/* the deciding rule is an include ("+") */
	MATCH_EXCLUDE,	/* the deciding rule is an exclude ("-") */
};

/* Returns an empty matcher, or NULL when out of memory. */
struct matcher *matcher_new(void);
void matcher_free(struct matcher *m);

/*
 * Adds an exact path rule; @path is copied. A trailing '/' is ignored.
 * Returns 0, -EINVAL when @path is not absolute, or -ENOMEM.
 */
int matcher_add_path(struct matcher *m, const char *path, bool include);

/*
 * Adds a glob rule; @pattern is copied. A pattern without glob
 * characters is an exact path. Returns 0, -EINVAL when the pattern is
 * not absolute or malformed (unbalanced '[', trailing '\'), or -ENOMEM.
 */
int matcher_add_glob(struct matcher *m, const char *pattern, bool include);

/* Number of rules added so far. */
size_t matcher_count(const struct matcher *m);

/* The verdict for @path (@len bytes, no trailing '/', "/" for the root). */
enum match_verdict matcher_check(const struct matcher *m,
				 const char *path, size_t len);

/*
 * Whether some include rule could match a path strictly below the
 * directory @dir (@len bytes). The walk enters an excluded directory
 * only when this is true, so that "+ /etc/foo" before "- /etc" works.
 * May answer true when in doubt; never false when a match is possible.
 */
bool matcher_may_include_below(const struct matcher *m,
			       const char *dir, size_t len);

#endif

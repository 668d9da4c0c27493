/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_MATCH_H
#define VHASHIFY_MATCH_H

/*
 * The exclusion matcher: an ordered list of rules, each an exact
 * guest-absolute path or a glob pattern, each including or excluding.
 *
 * A rule matches a path when it matches the path itself or one of its
 * ancestor directories: the rule "- /etc" matches "/etc/passwd". For a
 * given path the rule added first among those that match decides;
 * protected rules (matcher_protect()) come before all others.
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
 * characters is an exact path. Empty and "." components are dropped
 * ("/usr//lib/./x" is "/usr/lib/x"). Returns 0, -EINVAL when the
 * pattern is not absolute, has a ".." component or is malformed
 * (unbalanced '[', trailing '\'), or -ENOMEM.
 */
int matcher_add_glob(struct matcher *m, const char *pattern, bool include);

/*
 * The reason of the rules added from now on ("dpkg: conffile of package
 * foo"), until the next call; NULL for none. Each distinct reason is
 * kept once, and a rule holds its number alone. Returns 0 or -ENOMEM.
 */
int matcher_set_reason(struct matcher *m, const char *reason);

/* The number of distinct reasons kept. */
size_t matcher_reasons(const struct matcher *m);

/* Number of rules added so far. */
size_t matcher_count(const struct matcher *m);

/*
 * With @on, the rules added from now on are protected: every protected
 * rule comes before every other rule, whenever either was added, so no
 * unprotected rule (an administrator's "+") can override one. Among
 * protected rules, and among the others, the first added decides.
 * A package backend's exclusions are protected.
 */
void matcher_protect(struct matcher *m, bool on);

/*
 * The verdict for @path (@len bytes, no trailing '/', "/" for the root).
 * Time linear in the path's length (times the patterns' lengths).
 * MATCH_EXCLUDE when out of memory, so that nothing is shared by mistake.
 */
enum match_verdict matcher_check(const struct matcher *m,
				 const char *path, size_t len);

/*
 * matcher_check(), and the reason of the deciding rule in *@reason
 * (NULL for none or no verdict; @reason may be NULL), valid while the
 * matcher lives.
 */
enum match_verdict matcher_explain(const struct matcher *m,
				   const char *path, size_t len,
				   const char **reason);

/*
 * A cursor for a walk: it keeps, for each directory on the current path,
 * what its ancestors decided and the glob states still alive, so that
 * the check of an entry costs its name alone, whatever its depth. The
 * matcher must not change while a cursor of it lives.
 */
struct match_cursor;

/* Returns a cursor at "/", or NULL when out of memory. */
struct match_cursor *matcher_cursor_new(const struct matcher *m);
void matcher_cursor_free(struct match_cursor *c);

/*
 * The verdict for the walk's entry @path (@len bytes) at @depth (1 for
 * an entry of "/"), as matcher_check() gives it. Its directory must be
 * the directory at @depth - 1 last checked with @keep (or "/"), else the
 * cursor checks every ancestor again (correct, but costing the whole
 * path). @keep: remember the entry's state, for a directory the walk may
 * enter. MATCH_EXCLUDE when out of memory.
 */
enum match_verdict matcher_cursor_check(struct match_cursor *c,
					const char *path, size_t len,
					size_t depth, bool keep);

/*
 * The reason of the rule that decided the last matcher_cursor_check()
 * (NULL for none, or when no rule decided), valid while the matcher
 * lives.
 */
const char *matcher_cursor_reason(const struct match_cursor *c);

/* Bytes hashed plus automaton steps so far: the cursor's work, for tests. */
size_t matcher_cursor_work(const struct match_cursor *c);

/*
 * Whether some include rule could match a path strictly below the
 * directory @dir (@len bytes). The walk enters an excluded directory
 * only when this is true, so that "+ /etc/foo" before "- /etc" works.
 * May answer true when in doubt; never false when a match is possible.
 */
bool matcher_may_include_below(const struct matcher *m,
			       const char *dir, size_t len);

#endif

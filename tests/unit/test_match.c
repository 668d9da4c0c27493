// SPDX-License-Identifier: GPL-2.0-or-later
/* The exclusion matcher: exact paths, globs, order, ancestors. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"

static enum match_verdict check(const struct matcher *m, const char *path)
{
	return matcher_check(m, path, strlen(path));
}

static bool below(const struct matcher *m, const char *dir)
{
	return matcher_may_include_below(m, dir, strlen(dir));
}

/* A matcher with one glob rule: whether it excludes @path. */
static bool glob_hits(const char *pattern, const char *path)
{
	struct matcher *m = matcher_new();
	bool hit;

	assert_non_null(m);
	assert_int_equal(matcher_add_glob(m, pattern, false), 0);
	hit = check(m, path) == MATCH_EXCLUDE;
	matcher_free(m);
	return hit;
}

static void test_exact_and_ancestors(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_int_equal(matcher_add_path(m, "/etc", false), 0);
	assert_int_equal(matcher_add_path(m, "/usr/share/doc/", false), 0);
	assert_int_equal(check(m, "/etc"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/etc/passwd"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/etc/a/b/c"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/etcetera"), MATCH_NONE);
	assert_int_equal(check(m, "/et"), MATCH_NONE);
	assert_int_equal(check(m, "/usr/share/doc"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/usr/share/doc/x"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/usr/share"), MATCH_NONE);
	assert_int_equal(check(m, "/"), MATCH_NONE);
	assert_int_equal(matcher_count(m), 2);
	assert_int_equal(matcher_add_path(m, "relative", false), -EINVAL);
	matcher_free(m);
}

static void test_root_rule(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_int_equal(matcher_add_path(m, "/usr/bin", true), 0);
	assert_int_equal(matcher_add_path(m, "/", false), 0);
	assert_int_equal(check(m, "/"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/anything/at/all"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/usr/bin/ls"), MATCH_INCLUDE);
	matcher_free(m);
}

static void test_first_match_wins(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	/* exact include before an exclude of its ancestor */
	assert_int_equal(matcher_add_path(m, "/etc/keep", true), 0);
	assert_int_equal(matcher_add_path(m, "/etc", false), 0);
	/* glob include before an exact exclude */
	assert_int_equal(matcher_add_glob(m, "/var/lib/*.shared", true), 0);
	assert_int_equal(matcher_add_path(m, "/var", false), 0);
	/* exact exclude before a glob include */
	assert_int_equal(matcher_add_path(m, "/opt/private", false), 0);
	assert_int_equal(matcher_add_glob(m, "/opt/**", true), 0);
	/* the same path twice: the first rule stays */
	assert_int_equal(matcher_add_path(m, "/srv", true), 0);
	assert_int_equal(matcher_add_path(m, "/srv", false), 0);

	assert_int_equal(check(m, "/etc/keep"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/etc/keep/inner"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/etc/other"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/var/lib/x.shared"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/var/lib/x.private"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/opt/private/a"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/opt/public/a"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/srv/x"), MATCH_INCLUDE);
	matcher_free(m);
}

/*
 * Protected rules (a backend's) come before every other rule, also
 * those added earlier (an administrator's "+"), exact or glob, in a
 * check and in a walk's cursor.
 */
static void test_protected_first(void **state)
{
	static const char *const walk[] = {
		"/usr", "/usr/bin", "/usr/bin/tool", "/usr/bin/ls",
		"/usr/lib", "/usr/lib/x.conf", "/usr/lib/y", "/srv",
		"/srv/a.ini", "/srv/b", "/opt", "/opt/shared.conf",
	};
	struct matcher *m = matcher_new();
	struct match_cursor *c;
	size_t i, depth, k, len;

	(void)state;
	assert_non_null(m);
	/* the administrator's list first, as exclusions_collect() adds */
	assert_int_equal(matcher_add_path(m, "/usr/bin", true), 0);
	assert_int_equal(matcher_add_path(m, "/usr/bin/tool", true), 0);
	assert_int_equal(matcher_add_glob(m, "/usr/lib/**", true), 0);
	assert_int_equal(matcher_add_glob(m, "/srv/*", true), 0);
	assert_int_equal(matcher_add_path(m, "/opt", true), 0);
	matcher_protect(m, true);
	/* an explicit share of one backend file, then the backend's */
	assert_int_equal(matcher_add_path(m, "/opt/shared.conf", true), 0);
	assert_int_equal(matcher_add_path(m, "/usr/bin/tool", false), 0);
	assert_int_equal(matcher_add_glob(m, "/usr/lib/*.conf", false), 0);
	assert_int_equal(matcher_add_glob(m, "/srv/*.ini", false), 0);
	assert_int_equal(matcher_add_path(m, "/opt/shared.conf", false), 0);
	matcher_protect(m, false);
	/* the administrator's again: still after every protected rule */
	assert_int_equal(matcher_add_glob(m, "/srv/**", true), 0);
	assert_int_equal(matcher_count(m), 11);

	assert_int_equal(check(m, "/usr/bin/tool"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/usr/bin/ls"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/usr/lib/x.conf"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/usr/lib/y"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/srv/a.ini"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/srv/b"), MATCH_INCLUDE);
	/* the first protected rule for a path decides */
	assert_int_equal(check(m, "/opt/shared.conf"), MATCH_INCLUDE);

	c = matcher_cursor_new(m);
	assert_non_null(c);
	for (i = 0; i < sizeof(walk) / sizeof(*walk); i++) {
		len = strlen(walk[i]);
		for (depth = 0, k = 0; k < len; k++)
			depth += walk[i][k] == '/';
		assert_int_equal(matcher_cursor_check(c, walk[i], len, depth,
						      true),
				 check(m, walk[i]));
	}
	matcher_cursor_free(c);
	matcher_free(m);
}

static void test_star(void **state)
{
	(void)state;
	assert_true(glob_hits("/usr/*.so", "/usr/libc.so"));
	assert_false(glob_hits("/usr/*.so", "/usr/lib/libc.so"));
	assert_true(glob_hits("/usr/*/libc.so", "/usr/lib/libc.so"));
	assert_false(glob_hits("/usr/*/libc.so", "/usr/libc.so"));
	assert_true(glob_hits("/usr/*", "/usr/lib/deep/file")); /* ancestor */
	assert_false(glob_hits("/usr/*", "/usr"));
	assert_true(glob_hits("/a*b*c", "/abc"));
	assert_true(glob_hits("/a*b*c", "/axxbyyc"));
	assert_false(glob_hits("/a*b*c", "/axxbyy"));
	assert_true(glob_hits("/*", "/x"));
}

static void test_double_star(void **state)
{
	(void)state;
	assert_true(glob_hits("/usr/**/*.pyc", "/usr/a.pyc"));
	assert_true(glob_hits("/usr/**/*.pyc", "/usr/lib/python3/x/a.pyc"));
	assert_false(glob_hits("/usr/**/*.pyc", "/usr/lib/a.pyo"));
	assert_false(glob_hits("/usr/**/*.pyc", "/opt/a.pyc"));
	assert_true(glob_hits("/**/*.dpkg-old", "/etc/x.dpkg-old"));
	assert_true(glob_hits("/**/*.dpkg-old", "/x.dpkg-old"));
	assert_true(glob_hits("/usr/**", "/usr/a/b/c"));
	assert_false(glob_hits("/usr/**", "/usr"));
	assert_true(glob_hits("/usr/**x", "/usr/a/bx"));
	assert_true(glob_hits("/usr/***/x", "/usr/x"));
	assert_true(glob_hits("/a/**/b/**/c", "/a/b/c"));
	assert_true(glob_hits("/a/**/b/**/c", "/a/1/2/b/3/c"));
	/* "**" + "/" is "" or a run ending in '/', not part of a name */
	assert_false(glob_hits("/**/b", "/ab"));
	assert_false(glob_hits("/usr/**/x", "/usr/ax"));
	assert_false(glob_hits("/usr/**/x", "/usr/a/bx"));
	assert_true(glob_hits("/usr/**/x", "/usr/a/b/x"));
}

static void test_question_and_classes(void **state)
{
	(void)state;
	assert_true(glob_hits("/lib?.so", "/lib1.so"));
	assert_false(glob_hits("/lib?.so", "/lib.so"));
	assert_false(glob_hits("/a?b", "/a/b"));
	assert_true(glob_hits("/[abc]x", "/bx"));
	assert_false(glob_hits("/[abc]x", "/dx"));
	assert_true(glob_hits("/[a-c][0-9]", "/b7"));
	assert_false(glob_hits("/[a-c][0-9]", "/d7"));
	assert_true(glob_hits("/[!a-c]", "/d"));
	assert_false(glob_hits("/[!a-c]", "/a"));
	assert_true(glob_hits("/[^a]", "/b"));
	assert_true(glob_hits("/[]]", "/]"));
	assert_true(glob_hits("/[!]]", "/a"));
	assert_false(glob_hits("/[!]]", "/]"));
	assert_false(glob_hits("/a[!x]b", "/a/b"));	/* never '/' */
	assert_true(glob_hits("/[\\]]", "/]"));
}

static void test_escapes_and_literals(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_true(glob_hits("/a\\*b", "/a*b"));
	assert_false(glob_hits("/a\\*b", "/axb"));
	assert_true(glob_hits("/q\\?", "/q?"));
	assert_false(glob_hits("/q\\?", "/qx"));
	/* exact paths take glob characters literally */
	assert_int_equal(matcher_add_path(m, "/odd/[x]*", false), 0);
	assert_int_equal(check(m, "/odd/[x]*"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/odd/xy"), MATCH_NONE);
	matcher_free(m);
}

static void test_odd_names(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_int_equal(matcher_add_path(m, "/with space/x", false), 0);
	assert_int_equal(matcher_add_path(m, "/new\nline", false), 0);
	assert_int_equal(matcher_add_path(m, "/bad\xff", false), 0);
	assert_int_equal(matcher_add_glob(m, "/g*\xfe", false), 0);
	assert_int_equal(check(m, "/with space/x"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/with space/y"), MATCH_NONE);
	assert_int_equal(check(m, "/new\nline/z"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/bad\xff"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/gg\xfe"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/gg\xfd"), MATCH_NONE);
	matcher_free(m);
}

static void test_bad_patterns(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_int_equal(matcher_add_glob(m, "relative/*", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "/a[bc", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "/a[]", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "/trailing\\", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "", false), -EINVAL);
	assert_int_equal(matcher_count(m), 0);
	matcher_free(m);
	matcher_free(NULL);
}

static void test_may_include_below(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_int_equal(matcher_add_path(m, "/etc", false), 0);
	assert_false(below(m, "/etc"));		/* no include at all */
	assert_int_equal(matcher_add_path(m, "/etc/keep/this", true), 0);
	assert_int_equal(matcher_add_glob(m, "/var/lib/*/shared", true), 0);
	assert_int_equal(matcher_add_glob(m, "/op*/x", true), 0);
	assert_true(below(m, "/etc"));
	assert_true(below(m, "/etc/keep"));
	assert_false(below(m, "/etc/keep/this"));	/* strictly below */
	assert_false(below(m, "/etc/other"));
	assert_false(below(m, "/et"));
	assert_true(below(m, "/var"));
	assert_true(below(m, "/var/lib"));
	assert_true(below(m, "/var/lib/dpkg"));	/* the "*" could be it */
	assert_false(below(m, "/var/log"));
	assert_true(below(m, "/opt"));		/* "/op" is a prefix */
	assert_false(below(m, "/usr"));
	assert_true(below(m, "/"));
	matcher_free(m);
}

static void test_pathological_pattern_is_fast(void **state)
{
	char path[4096];
	size_t i;

	(void)state;
	/* a long path that almost matches many nested "**" */
	path[0] = '/';
	for (i = 1; i < sizeof(path) - 1; i++)
		path[i] = i % 2 ? 'a' : '/';
	path[sizeof(path) - 1] = '\0';
	assert_false(glob_hits("/**/**/**/**/**/**/**/**/**/**/x", path));
	assert_false(glob_hits("/*a*a*a*a*a*a*a*a*a*a*a*a*b", path));
	assert_true(glob_hits("/**/**/**/**/a", path));
}

static void test_many_exact_paths(void **state)
{
	struct matcher *m = matcher_new();
	char path[64];
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(path, sizeof(path), "/etc/file-%d", i);
		assert_int_equal(matcher_add_path(m, path, i % 2), 0);
	}
	assert_int_equal(matcher_count(m), 100000);
	for (i = 0; i < 100000; i += 7) {
		snprintf(path, sizeof(path), "/etc/file-%d", i);
		assert_int_equal(check(m, path),
				 i % 2 ? MATCH_INCLUDE : MATCH_EXCLUDE);
	}
	assert_int_equal(check(m, "/etc/file-100000"), MATCH_NONE);
	assert_int_equal(check(m, "/etc/file-"), MATCH_NONE);
	matcher_free(m);
}

/* A matcher with rules of every kind, some deciding deep down. */
static struct matcher *mixed_rules(void)
{
	struct matcher *m = matcher_new();

	assert_non_null(m);
	assert_int_equal(matcher_add_path(m, "/etc/keep", true), 0);
	assert_int_equal(matcher_add_path(m, "/etc", false), 0);
	assert_int_equal(matcher_add_glob(m, "/**/*.dpkg-old", false), 0);
	assert_int_equal(matcher_add_glob(m, "/usr/**/d/x*", true), 0);
	assert_int_equal(matcher_add_glob(m, "/usr/*/d/d", false), 0);
	assert_int_equal(matcher_add_path(m, "/usr/d/d/d/d/d", true), 0);
	assert_int_equal(matcher_add_glob(m, "/[uv]*/[!a]/**/z?", false), 0);
	return m;
}

/* The cursor along a walk gives matcher_check()'s verdicts. */
static void test_cursor_agrees(void **state)
{
	static const char *const walk[] = {
		"/etc", "/etc/keep", "/etc/keep/a", "/etc/x.dpkg-old",
		"/usr", "/usr/d", "/usr/d/d", "/usr/d/d/d", "/usr/d/d/d/d",
		"/usr/d/d/d/d/d", "/usr/d/d/d/d/d/xy", "/usr/d/d/d/d/d/zz",
		"/usr/d/d/d/d/d/y.dpkg-old", "/usr/d/d/xa", "/usr/e",
		"/usr/e/d", "/usr/e/d/d", "/usr/e/d/d/q", "/var",
		"/var/b", "/var/b/c", "/var/b/c/zq", "/x.dpkg-old",
	};
	struct matcher *m = mixed_rules();
	struct match_cursor *c = matcher_cursor_new(m);
	size_t i, depth, k, len;
	int seen[3] = { 0 };

	(void)state;
	assert_non_null(c);
	for (i = 0; i < sizeof(walk) / sizeof(*walk); i++) {
		enum match_verdict v;

		len = strlen(walk[i]);
		for (depth = 0, k = 0; k < len; k++)
			depth += walk[i][k] == '/';
		v = matcher_cursor_check(c, walk[i], len, depth, true);
		assert_int_equal(v, check(m, walk[i]));
		seen[v]++;
	}
	/* every verdict occurs, so the agreement means something */
	assert_true(seen[MATCH_NONE] && seen[MATCH_INCLUDE] &&
		    seen[MATCH_EXCLUDE]);
	assert_int_equal(check(m, "/usr/d/d/d/d/d/xy"), MATCH_INCLUDE);
	assert_int_equal(check(m, "/usr/e/d/d/q"), MATCH_EXCLUDE);
	assert_int_equal(check(m, "/var/b/c/zq"), MATCH_EXCLUDE);
	/* a parent never kept: the cursor finds its way all the same */
	assert_int_equal(matcher_cursor_check(c, "/usr/d/d/xa", 11, 4,
					      false), MATCH_INCLUDE);
	matcher_cursor_free(c);
	matcher_free(m);
}

/* The cursor's work down a chain of @depth directories "/d/d/...". */
static size_t chain_work(const struct matcher *m, size_t depth)
{
	struct match_cursor *c = matcher_cursor_new(m);
	char *path = malloc(2 * depth + 1);
	size_t d, work;

	assert_non_null(c);
	assert_non_null(path);
	for (d = 1; d <= depth; d++) {
		memcpy(path + 2 * (d - 1), "/d", 2);
		assert_int_equal(matcher_cursor_check(c, path, 2 * d, d, true),
				 MATCH_NONE);
	}
	work = matcher_cursor_work(c);
	matcher_cursor_free(c);
	free(path);
	return work;
}

/* Twice as deep is twice the work, not four or eight times. */
static void test_cursor_linear_in_depth(void **state)
{
	struct matcher *m = matcher_new();
	size_t w2, w4;
	char path[64];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/etc/file-%d", i);
		assert_int_equal(matcher_add_path(m, path, false), 0);
	}
	assert_int_equal(matcher_add_glob(m, "/**/*.dpkg-old", false), 0);
	assert_int_equal(matcher_add_glob(m, "/**/x/**/y", false), 0);
	w2 = chain_work(m, 2000);
	w4 = chain_work(m, 4000);
	assert_true(w2 > 0);
	assert_true(w4 <= 2 * w2 + 100);
	matcher_free(m);
}

/* matcher_check() on a path 20,000 directories deep. */
static void test_deep_path(void **state)
{
	struct matcher *m = mixed_rules();
	size_t depth = 20000, len = 2 * depth + 2, i;
	char *path = malloc(len + 1);

	(void)state;
	assert_non_null(path);
	memcpy(path, "/usr", 4);
	for (i = 4; i < len - 2; i += 2)
		memcpy(path + i, "/d", 2);
	memcpy(path + i, "/q", 3);
	assert_int_equal(check(m, path), MATCH_EXCLUDE);	/* "/usr/d/d" */
	free(path);
	matcher_free(m);
}

static void test_normalised_patterns(void **state)
{
	struct matcher *m = matcher_new();

	(void)state;
	assert_true(glob_hits("/usr//share/./doc/*", "/usr/share/doc/x"));
	assert_true(glob_hits("//usr///lib/", "/usr/lib/a"));
	assert_true(glob_hits("/usr/lib/.", "/usr/lib/a"));
	assert_true(glob_hits("/./usr/\\./**/*.pyc", "/usr/a/b.pyc"));
	assert_true(glob_hits("/a/.../b", "/a/.../b"));	/* a name */
	assert_true(glob_hits("/a/.x/b*", "/a/.x/bc"));
	assert_true(glob_hits("/[./]x", "/.x"));	/* a class stays */
	assert_true(glob_hits("/./.", "/any"));		/* the root */
	assert_int_equal(matcher_add_glob(m, "/usr/../etc", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "/..", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "/a/*/..", false), -EINVAL);
	assert_int_equal(matcher_add_glob(m, "/a/\\.\\./b", false),
			 -EINVAL);
	assert_int_equal(matcher_count(m), 0);
	matcher_free(m);
}

/* 100,000 '[' left open: refused, in time linear in the pattern. */
static void test_many_open_brackets(void **state)
{
	size_t n = 100000, i;
	char *pat = malloc(2 * n + 2);
	struct matcher *m = matcher_new();

	(void)state;
	assert_non_null(pat);
	pat[0] = '/';
	for (i = 0; i < n; i++)
		memcpy(pat + 1 + 2 * i, "[a", 2);
	pat[2 * n + 1] = '\0';
	assert_int_equal(matcher_add_glob(m, pat, false), -EINVAL);
	for (i = 0; i < n; i++)
		pat[1 + i] = '[';
	pat[n + 1] = '\0';
	assert_int_equal(matcher_add_glob(m, pat, false), -EINVAL);
	pat[n] = ']';	/* one class: all of them, then "]" */
	assert_int_equal(matcher_add_glob(m, pat, false), 0);
	assert_true(check(m, "/[") == MATCH_EXCLUDE);
	free(pat);
	matcher_free(m);
}

/*
 * Each rule keeps the reason set when it was added; the verdict's reason
 * is that of the deciding rule, through a cursor too; a reason given
 * again is kept once.
 */
static void test_reasons(void **state)
{
	struct matcher *m = matcher_new();
	struct match_cursor *c;
	const char *why;
	char text[64];
	int i;

	(void)state;
	assert_int_equal(matcher_add_path(m, "/plain", false), 0);
	assert_int_equal(matcher_set_reason(m, "dpkg: conffile of package a"),
			 0);
	assert_int_equal(matcher_add_path(m, "/etc/a.conf", false), 0);
	assert_int_equal(matcher_add_glob(m, "/etc/a.d/*.conf", false), 0);
	assert_int_equal(matcher_set_reason(m, "dpkg: by nature"), 0);
	assert_int_equal(matcher_add_glob(m, "/**/*.dpkg-old", false), 0);
	assert_int_equal(matcher_add_glob(m, "/etc/+keep", true), 0);
	/* the first reason again: the same string, kept once */
	assert_int_equal(matcher_set_reason(m, "dpkg: conffile of package a"),
			 0);
	assert_int_equal(matcher_add_path(m, "/etc/a2.conf", false), 0);
	assert_int_equal(matcher_set_reason(m, NULL), 0);
	assert_int_equal(matcher_add_path(m, "/none", false), 0);
	assert_int_equal(matcher_reasons(m), 2);

	assert_int_equal(matcher_explain(m, "/etc/a.conf", 11, &why),
			 MATCH_EXCLUDE);
	assert_string_equal(why, "dpkg: conffile of package a");
	assert_int_equal(matcher_explain(m, "/etc/a2.conf", 12, &why),
			 MATCH_EXCLUDE);
	assert_string_equal(why, "dpkg: conffile of package a");
	assert_int_equal(matcher_explain(m, "/etc/a.d/x.conf", 15, &why),
			 MATCH_EXCLUDE);
	assert_string_equal(why, "dpkg: conffile of package a");
	assert_int_equal(matcher_explain(m, "/etc/a.d/x.dpkg-old", 19, &why),
			 MATCH_EXCLUDE);
	assert_string_equal(why, "dpkg: by nature");
	assert_int_equal(matcher_explain(m, "/etc/+keep", 10, &why),
			 MATCH_INCLUDE);
	assert_string_equal(why, "dpkg: by nature");
	assert_int_equal(matcher_explain(m, "/plain/x", 8, &why),
			 MATCH_EXCLUDE);
	assert_null(why);
	assert_int_equal(matcher_explain(m, "/none", 5, &why), MATCH_EXCLUDE);
	assert_null(why);
	assert_int_equal(matcher_explain(m, "/other", 6, &why), MATCH_NONE);
	assert_null(why);

	/* a cursor walking a directory: each entry its own reason */
	c = matcher_cursor_new(m);
	assert_non_null(c);
	assert_int_equal(matcher_cursor_check(c, "/etc", 4, 1, true),
			 MATCH_NONE);
	assert_null(matcher_cursor_reason(c));
	assert_int_equal(matcher_cursor_check(c, "/etc/a.conf", 11, 2, false),
			 MATCH_EXCLUDE);
	assert_string_equal(matcher_cursor_reason(c),
			    "dpkg: conffile of package a");
	assert_int_equal(matcher_cursor_check(c, "/etc/b.dpkg-old", 15, 2,
					      false), MATCH_EXCLUDE);
	assert_string_equal(matcher_cursor_reason(c), "dpkg: by nature");
	assert_int_equal(matcher_cursor_check(c, "/etc/b", 6, 2, false),
			 MATCH_NONE);
	assert_null(matcher_cursor_reason(c));
	/* below an excluded directory: the directory's rule and reason */
	assert_int_equal(matcher_cursor_check(c, "/etc/a.conf", 11, 2, true),
			 MATCH_EXCLUDE);
	assert_int_equal(matcher_cursor_check(c, "/etc/a.conf/x", 13, 3,
					      false), MATCH_EXCLUDE);
	assert_string_equal(matcher_cursor_reason(c),
			    "dpkg: conffile of package a");
	matcher_cursor_free(c);

	/* thousands of reasons: each kept once, each still found */
	for (i = 0; i < 5000; i++) {
		snprintf(text, sizeof(text), "conffile of package p%d",
			 i % 2500);
		assert_int_equal(matcher_set_reason(m, text), 0);
		snprintf(text, sizeof(text), "/p/%d", i);
		assert_int_equal(matcher_add_path(m, text, false), 0);
	}
	assert_int_equal(matcher_reasons(m), 2 + 2500);
	assert_int_equal(matcher_explain(m, "/p/4321", 7, &why),
			 MATCH_EXCLUDE);
	assert_string_equal(why, "conffile of package p1821");
	matcher_free(m);
}

/*
 * An oracle for the glob automaton: a plain dynamic programme over the
 * pattern's atoms. Atoms of the random patterns below: 'a', 'b', '/'
 * (never twice in a row), '?', '[ab]', '[!a]', '*', '**' (a "**" between
 * two '/' matches "" or a run ending in '/').
 */
enum { A_CHAR, A_ANY, A_CLASS_AB, A_CLASS_NOT_A, A_STAR, A_DSTAR,
       A_DSTAR_SLASH };

struct atom {
	int kind;
	char c;
};

/* Whether @s (@n bytes) matches atoms @a[0..@na); memo @dp. */
static bool oracle(const struct atom *a, size_t na, const char *s, size_t n)
{
	/* m[i][j]: a[i..] matches s[j..] */
	bool *m = calloc((na + 1) * (n + 1), sizeof(*m));
	size_t i, j, k;
	bool r;

	assert_non_null(m);
#define M(i, j) m[(i) * (n + 1) + (j)]
	M(na, n) = true;
	for (i = na; i-- > 0;) {
		for (j = n + 1; j-- > 0;) {
			char c = j < n ? s[j] : 0;

			switch (a[i].kind) {
			case A_CHAR:
				r = j < n && c == a[i].c && M(i + 1, j + 1);
				break;
			case A_ANY:
				r = j < n && c != '/' && M(i + 1, j + 1);
				break;
			case A_CLASS_AB:
				r = j < n && (c == 'a' || c == 'b') &&
				    M(i + 1, j + 1);
				break;
			case A_CLASS_NOT_A:
				r = j < n && c != 'a' && c != '/' &&
				    M(i + 1, j + 1);
				break;
			case A_STAR:
				r = M(i + 1, j) ||
				    (j < n && c != '/' && M(i, j + 1));
				break;
			case A_DSTAR:
				r = M(i + 1, j) || (j < n && M(i, j + 1));
				break;
			default:	/* "" or a run ending in '/' */
				r = M(i + 1, j);
				for (k = j; !r && k < n; k++)
					r = s[k] == '/' && M(i + 1, k + 1);
				break;
			}
			M(i, j) = r;
		}
	}
	r = M(0, 0);
#undef M
	free(m);
	return r;
}

/* A random pattern of @na atoms into @a and its text into @pat. */
static size_t random_pattern(struct atom *a, size_t na, char *pat)
{
	static const char *const text[] = { "a", "b", "/", "?", "[ab]",
					    "[!a]", "*", "**" };
	size_t i, n = 0, len = 1;
	int k, prev = 2;	/* the leading '/' */

	pat[0] = '/';
	a[n++] = (struct atom){ A_CHAR, '/' };
	for (i = 0; i < na; i++) {
		do
			k = rand() % 8;
		while ((k == 2 && prev == 2) || (k >= 6 && prev >= 6) ||
		       (k == 2 && i + 1 == na));
		strcpy(pat + len, text[k]);
		len += strlen(text[k]);
		if (k == 2 && a[n - 1].kind == A_DSTAR &&
		    a[n - 2].kind == A_CHAR && a[n - 2].c == '/')
			a[n - 1].kind = A_DSTAR_SLASH; /* takes the '/' */
		else
			a[n++] = k < 3 ? (struct atom){ A_CHAR, text[k][0] } :
				 (struct atom){ k == 3 ? A_ANY :
						k == 4 ? A_CLASS_AB :
						k == 5 ? A_CLASS_NOT_A :
						k == 6 ? A_STAR : A_DSTAR, 0 };
		prev = k;
	}
	pat[len] = '\0';
	return n;
}

/*
 * Random globs, short and long (over 63 tokens), against the oracle: a
 * path is excluded when the glob matches it or one of its ancestors.
 */
static void test_globs_against_oracle(void **state)
{
	static const char *const names[] = { "a", "b", "ab", "ba", "aab" };
	struct atom a[200];
	char pat[1024], path[256];
	size_t trial, na, len, k, depth;
	bool want;

	(void)state;
	srand(18);
	for (trial = 0; trial < 20000; trial++) {
		struct matcher *m = matcher_new();

		assert_non_null(m);
		na = trial % 10 ? 1 + rand() % 8 : 60 + rand() % 40;
		na = random_pattern(a, na, pat);
		assert_int_equal(matcher_add_glob(m, pat, false), 0);
		depth = 1 + rand() % (na > 20 ? 40 : 4);
		for (len = 0, k = 0; k < depth; k++)
			len += sprintf(path + len, "/%s",
				       names[rand() % 5]);
		want = oracle(a, na, "/", 1);
		for (k = 1; k <= len && !want; k++)
			if (k == len || path[k] == '/')
				want = oracle(a, na, path, k);
		if ((check(m, path) == MATCH_EXCLUDE) != want)
			fail_msg("pattern '%s', path '%s': expected %s", pat,
				 path, want ? "a match" : "none");
		matcher_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_ancestors),
		cmocka_unit_test(test_root_rule),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_protected_first),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_double_star),
		cmocka_unit_test(test_question_and_classes),
		cmocka_unit_test(test_escapes_and_literals),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_may_include_below),
		cmocka_unit_test(test_pathological_pattern_is_fast),
		cmocka_unit_test(test_many_exact_paths),
		cmocka_unit_test(test_cursor_agrees),
		cmocka_unit_test(test_cursor_linear_in_depth),
		cmocka_unit_test(test_deep_path),
		cmocka_unit_test(test_normalised_patterns),
		cmocka_unit_test(test_many_open_brackets),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_globs_against_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

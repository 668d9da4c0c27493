// SPDX-License-Identifier: GPL-2.0-or-later
/* util-vserver's exclude lists: format, order, fnmatch without flags. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vexclude.h"

static struct vexclude *parse(const char *text)
{
	struct vexclude *x = NULL;

	assert_int_equal(vexclude_parse(text, strlen(text), "test", &x), 0);
	assert_non_null(x);
	return x;
}

/* util-vserver's shipped default (distrib/misc/vunify-exclude), cut. */
static const char shipped[] =
	"/.rpmdb\n/dev\n~/etc/shadow\n~/etc/passwd\n+/etc/termcap\n"
	"+/etc/gconf\n+/etc/gconf/schemas\n/etc/gconf/*\n/etc/*\n"
	"+/root/.ssh\n~/root/.ssh/id*\n-/root/.ssh/*\n-/root/*\n"
	"~/tmp/*\n/tmp\n/var\n/*/ls-R\n";

static void test_shipped_default(void **state)
{
	struct vexclude *x = parse(shipped);

	(void)state;
	assert_int_equal(vexclude_count(x), 17);
	/* /etc itself is entered; what is below it is not, but termcap */
	assert_false(vexclude_skips(x, "/etc"));
	assert_false(vexclude_skips(x, "/etc/termcap"));
	assert_true(vexclude_skips(x, "/etc/hosts"));
	assert_true(vexclude_skips(x, "/etc/shadow"));	/* ~ skips */
	/* "+/etc/gconf/schemas" includes that directory, not its files:
	 * "/etc/gconf/" "*" crosses '/' and comes before anything else */
	assert_false(vexclude_skips(x, "/etc/gconf"));
	assert_false(vexclude_skips(x, "/etc/gconf/schemas"));
	assert_true(vexclude_skips(x, "/etc/gconf/schemas/a.schemas"));
	assert_false(vexclude_skips(x, "/root/.ssh"));
	assert_true(vexclude_skips(x, "/root/.ssh/id_rsa"));
	assert_true(vexclude_skips(x, "/root/.ssh/known_hosts"));
	assert_true(vexclude_skips(x, "/root/x"));
	assert_false(vexclude_skips(x, "/root"));
	assert_true(vexclude_skips(x, "/var"));
	/* an exact rule is exact: "/var" is not "/var/lib" (the walk
	 * prunes /var before it sees /var/lib) */
	assert_false(vexclude_skips(x, "/var/lib"));
	/* "*" and "?" match '/' as fnmatch without FNM_PATHNAME does */
	assert_true(vexclude_skips(x, "/usr/share/texmf/ls-R"));
	assert_false(vexclude_skips(x, "/usr/bin/ls"));
	assert_false(vexclude_skips(x, "/usr"));
	vexclude_free(x);
}

static void test_first_match_wins(void **state)
{
	struct vexclude *x = parse("-/usr/*.so\n+/usr/lib/keep.so\n"
				   "+/opt/keep\n/opt/*\n/opt/b?n/x\n");

	(void)state;
	assert_true(vexclude_skips(x, "/usr/lib/keep.so"));
	assert_true(vexclude_skips(x, "/usr/a/b/c.so"));
	assert_false(vexclude_skips(x, "/usr/a/b/c.sox"));
	assert_false(vexclude_skips(x, "/opt/keep"));
	assert_true(vexclude_skips(x, "/opt/keep/x"));
	assert_true(vexclude_skips(x, "/opt/a/b"));
	vexclude_free(x);
	x = parse("/a?b\n/c[/]d\n");
	assert_true(vexclude_skips(x, "/a/b"));
	assert_true(vexclude_skips(x, "/c/d"));
	assert_false(vexclude_skips(x, "/ab"));
	vexclude_free(x);
}

static void test_format(void **state)
{
	struct vexclude *x;

	(void)state;
	/* comments in column 0 only; trailing spaces cut; lines of fewer
	 * than two characters ignored; the sign touches the pattern */
	x = parse("# /comment\n #/x\n/trail   \n/\n+\n\n   \n"
		  "+ /spaced\n/last");
	assert_int_equal(vexclude_count(x), 4);
	assert_false(vexclude_skips(x, "/comment"));
	assert_true(vexclude_skips(x, " #/x"));
	assert_true(vexclude_skips(x, "/trail"));
	assert_false(vexclude_skips(x, "/trail   "));
	assert_false(vexclude_skips(x, "/"));
	assert_false(vexclude_skips(x, "/spaced"));
	/* a last line without newline counts here */
	assert_true(vexclude_skips(x, "/last"));
	vexclude_free(x);
}

static void test_nul_is_an_error(void **state)
{
	struct vexclude *x = NULL;
	static const char text[] = "/a\n/b\0c\n";

	(void)state;
	assert_int_equal(vexclude_parse(text, sizeof(text) - 1, "test", &x),
			 -EINVAL);
	assert_null(x);
	assert_int_equal(vexclude_load("/nonexistent/list", &x), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_default),
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_nul_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

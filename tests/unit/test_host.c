// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The services lent to plugins (ABI 1.1): reading a whole file, listing
 * a directory and reading a symlink of a guest, all resolved inside it
 * and never opening anything but a regular file or directory; escaping
 * a path for a glob; backend options; reasons outside list_exclusions.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "guest.h"
#include "host.h"
#include "match.h"

static char root[] = "/tmp/vhashify-host.XXXXXX";
static char outside[] = "/tmp/vhashify-host-out.XXXXXX";
static struct guest g;
static struct host host;
static const struct vhashify_host *h;

static void put(const char *rel, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sub(const char *rel, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", root, rel);
}

static int setup(void **state)
{
	char p[4096], q[4096];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(mkdtemp(outside));
	sub("etc", p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
	sub("etc/d", p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
	put("etc/conf", "hello\n");
	put("etc/d/b", "");
	put("etc/d/a", "");
	put("etc/d/c", "");
	/* a symlink out of the guest: resolved inside it */
	snprintf(q, sizeof(q), "%s/secret", outside);
	f = fopen(q, "w");
	assert_non_null(f);
	fputs("host secret\n", f);
	fclose(f);
	sub("etc/abs", p, sizeof(p));
	assert_int_equal(symlink(q, p), 0);
	sub("etc/up", p, sizeof(p));
	assert_int_equal(symlink("../../../../../etc/conf", p), 0);
	sub("etc/fifo", p, sizeof(p));
	assert_int_equal(mkfifo(p, 0644), 0);
	sub("etc/null", p, sizeof(p));
	if (mknod(p, S_IFCHR | 0644, makedev(1, 3)))
		assert_int_equal(symlink("/dev/null", p), 0); /* no root */
	assert_int_equal(guest_open(&g, NULL, root), 0);
	host_init(&host, &g, NULL, NULL, NULL);
	host.plugin = "test";
	h = &host.h;
	return 0;
}

static int teardown(void **state)
{
	char cmd[8192];

	(void)state;
	guest_close(&g);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, outside);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_slots(void **state)
{
	(void)state;
	assert_int_equal(h->abi_minor, VHASHIFY_BACKEND_ABI_MINOR);
	assert_true(VHASHIFY_HOST_HAS(h, glob_escape));
	assert_non_null(h->option);
	assert_non_null(h->reason);
	assert_non_null(h->read_file);
	assert_non_null(h->list_dir);
	assert_non_null(h->read_link);
}

static void test_read_file(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(h->read_file(h, "/etc/conf", 100, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
	/* an absolute symlink starts again at the guest root */
	assert_int_equal(h->read_file(h, "/etc/abs", 100, &buf, &len),
			 -ENOENT);
	/* ".." stops at the guest root */
	assert_int_equal(h->read_file(h, "etc/up", 100, &buf, &len), 0);
	assert_string_equal(buf, "hello\n");
	free(buf);
	assert_int_equal(h->read_file(h, "/etc/conf", 6, &buf, &len), 0);
	free(buf);
	assert_int_equal(h->read_file(h, "/etc/conf", 5, &buf, &len), -EFBIG);
	assert_int_equal(h->read_file(h, "/etc/conf", 0, &buf, &len), -EFBIG);
	/* never opened: a FIFO would block, a device be read */
	assert_int_equal(h->read_file(h, "/etc/fifo", 100, &buf, &len),
			 -ENXIO);
	assert_int_equal(h->read_file(h, "/etc/d", 100, &buf, &len), -ENXIO);
	assert_int_equal(h->read_file(h, "/etc/nothing", 100, &buf, &len),
			 -ENOENT);
}

static void test_read_file_empty(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(h->read_file(h, "/etc/d/a", 0, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

static void test_list_dir(void **state)
{
	char **names;
	size_t n;

	(void)state;
	assert_int_equal(h->list_dir(h, "/etc/d", 10, &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[2], "c");
	assert_null(names[3]);
	free(names);
	assert_int_equal(h->list_dir(h, "/etc/d", 2, &names, &n), -EFBIG);
	assert_int_equal(h->list_dir(h, "/etc/conf", 10, &names, &n),
			 -ENOTDIR);
	assert_int_equal(h->list_dir(h, "/etc/fifo", 10, &names, &n),
			 -ENOTDIR);
	assert_int_equal(h->list_dir(h, "/nothing", 10, &names, &n), -ENOENT);
}

static void test_read_link(void **state)
{
	char buf[4096], small[8];

	(void)state;
	assert_int_equal(h->read_link(h, "/etc/up", buf, sizeof(buf)),
			 strlen("../../../../../etc/conf"));
	assert_string_equal(buf, "../../../../../etc/conf");
	assert_int_equal(h->read_link(h, "/etc/up", small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(h->read_link(h, "/etc/conf", buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(h->read_link(h, "/etc/nothing", buf, sizeof(buf)),
			 -ENOENT);
	/* the directory through a symlink: resolved inside the guest */
	assert_int_equal(h->read_link(h, "/etc/abs/x", buf, sizeof(buf)),
			 -ENOENT);
}

static void test_glob_escape(void **state)
{
	char buf[64], small[6];
	struct matcher *m = matcher_new();

	(void)state;
	assert_int_equal(h->glob_escape(h, "/etc/a[1]*?\\b", buf,
					sizeof(buf)), 17);
	assert_string_equal(buf, "/etc/a\\[1]\\*\\?\\\\b");
	assert_int_equal(h->glob_escape(h, "/etc/a[1]", small, sizeof(small)),
			 10);
	assert_string_equal(small, "/etc/");
	/* the escaped path matches itself alone */
	h->glob_escape(h, "/etc/a[1]*", buf, sizeof(buf));
	assert_int_equal(matcher_add_glob(m, buf, false), 0);
	assert_int_equal(matcher_check(m, "/etc/a[1]*", 10), MATCH_EXCLUDE);
	assert_int_equal(matcher_check(m, "/etc/a1x", 8), MATCH_NONE);
	assert_int_equal(matcher_check(m, "/etc/a[1]x", 10), MATCH_NONE);
	matcher_free(m);
}

static void test_options(void **state)
{
	struct backend_option global[] = {
		{ "test", "eprefix", "/global", 3 },
		{ "test", "dbpath", "/db", 4 },
		{ "other", "eprefix", "/other", 5 },
	};
	struct backend_option mine[] = { { "test", "eprefix", "/mine", 9 } };
	struct conf c = { .options = global, .n_options = 3 };
	struct guest_conf gc = { .options = mine, .n_options = 1 };
	struct host hh;

	(void)state;
	assert_null(h->option(h, "eprefix"));	/* no configuration */
	host_init(&hh, &g, NULL, &c, NULL);
	hh.plugin = "test";
	assert_string_equal(hh.h.option(&hh.h, "eprefix"), "/global");
	host_init(&hh, &g, NULL, &c, &gc);
	hh.plugin = "test";
	assert_string_equal(hh.h.option(&hh.h, "eprefix"), "/mine");
	assert_string_equal(hh.h.option(&hh.h, "dbpath"), "/db");
	assert_null(hh.h.option(&hh.h, "nothing"));
	hh.plugin = "third";
	assert_null(hh.h.option(&hh.h, "eprefix"));
}

static void test_reason_outside_listing(void **state)
{
	(void)state;
	assert_int_equal(h->reason(h, "why %d", 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_file_empty),
		cmocka_unit_test(test_list_dir),
		cmocka_unit_test(test_read_link),
		cmocka_unit_test(test_glob_escape),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_reason_outside_listing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

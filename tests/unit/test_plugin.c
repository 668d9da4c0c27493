// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin loader: every built plugin loads and describes itself
 * correctly (as Linux-PAM's tst-dlopen does for its modules), and each
 * kind of broken plugin is refused without a crash.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plugin.h"

static const char *dir_of(const char *var)
{
	const char *dir = getenv(var);

	if (!dir)
		fail_msg("%s is not set: run through make check", var);
	return dir;
}

static void test_every_built_plugin_loads(void **state)
{
	const char *dir = dir_of("VHASHIFY_PLUGIN_DIR");
	struct dirent *de;
	int loaded = 0;
	DIR *d;

	(void)state;
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct plugin p;
		char file[4096], name[256];

		if (n <= 3 || strcmp(de->d_name + n - 3, ".so"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)n - 3, de->d_name);
		assert_int_equal(plugin_load_file(file, name, &p), 0);
		assert_int_equal(p.backend->abi_major,
				 VHASHIFY_BACKEND_ABI_MAJOR);
		assert_true(p.backend->abi_minor <= VHASHIFY_BACKEND_ABI_MINOR);
		assert_int_equal(p.backend->struct_size,
				 sizeof(struct vhashify_backend));
		assert_string_equal(p.backend->name, name);
		assert_non_null(p.backend->description);
		assert_true(strlen(p.backend->description) > 0);
		assert_non_null(p.backend->list_exclusions);
		plugin_release(&p);
		loaded++;
	}
	closedir(d);
	assert_true(loaded >= 1);	/* exclude-file at least */
}

/* Loads test plugin @name; returns what plugin_load_file returned. */
static int load_test_plugin(const char *name)
{
	struct plugin p;
	char file[4096];
	int ret;

	snprintf(file, sizeof(file), "%s/%s.so",
		 dir_of("TEST_PLUGIN_DIR"), name);
	ret = plugin_load_file(file, name, &p);
	if (!ret) {
		assert_non_null(p.backend);
		plugin_release(&p);
	}
	return ret;
}

static void test_good(void **state)
{
	(void)state;
	assert_int_equal(load_test_plugin("good"), 0);
}

static void test_refusals(void **state)
{
	(void)state;
	assert_int_equal(load_test_plugin("bad-major"), -EPROTO);
	assert_int_equal(load_test_plugin("newer-minor"), -EPROTO);
	assert_int_equal(load_test_plugin("no-symbol"), -ENOEXEC);
	assert_int_equal(load_test_plugin("null-backend"), -EINVAL);
	assert_int_equal(load_test_plugin("undefined"), -ENOEXEC);
	assert_int_equal(load_test_plugin("bad-name"), -EINVAL);
}

static void test_wrong_name(void **state)
{
	struct plugin p;
	char file[4096];

	(void)state;
	snprintf(file, sizeof(file), "%s/good.so", dir_of("TEST_PLUGIN_DIR"));
	assert_int_equal(plugin_load_file(file, "other", &p), -EINVAL);
}

static void test_not_a_shared_object(void **state)
{
	char file[] = "/tmp/vhashify-notelf.XXXXXX";
	struct plugin p;
	int fd;

	(void)state;
	fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not ELF\n", 8), 8);
	close(fd);
	assert_int_equal(plugin_load_file(file, NULL, &p), -ENOEXEC);
	unlink(file);
}

static void test_get_caches_and_misses(void **state)
{
	const struct plugin *a, *b;
	struct plugins ps;
	int err = 0;

	(void)state;
	assert_int_equal(plugins_init(&ps, dir_of("TEST_PLUGIN_DIR")), 0);
	a = plugins_get(&ps, "good", &err);
	assert_non_null(a);
	b = plugins_get(&ps, "good", &err);
	assert_ptr_equal(a, b);
	assert_int_equal(ps.n, 1);
	assert_null(plugins_get(&ps, "not-installed", &err));
	assert_int_equal(err, -ENOENT);
	assert_null(plugins_get(&ps, "../plugins/good", &err));
	assert_int_equal(err, -ENOENT);
	assert_null(plugins_get(&ps, "bad-major", &err));
	assert_int_equal(err, -EPROTO);
	plugins_release(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_built_plugin_loads),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_not_a_shared_object),
		cmocka_unit_test(test_get_caches_and_misses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

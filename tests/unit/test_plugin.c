// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin loader: every built plugin loads and describes itself
 * correctly (as Linux-PAM's tst-dlopen does for its modules), and each
 * kind of broken plugin is refused without a crash.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
		/* shipped with the host: of its ABI, with a version */
		assert_int_equal(p.backend->abi_minor,
				 VHASHIFY_BACKEND_ABI_MINOR);
		assert_non_null(p.backend->version);
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
	/* a slot of 1.0 beyond the descriptor's size is never read */
	assert_int_equal(load_test_plugin("short"), -EPROTO);
}

/* A plugin built for ABI 1.0 loads; its 1.1 slots are never read. */
static void test_abi_1_0(void **state)
{
	struct plugin p;
	char file[4096];

	(void)state;
	snprintf(file, sizeof(file), "%s/old10.so", dir_of("TEST_PLUGIN_DIR"));
	assert_int_equal(plugin_load_file(file, "old10", &p), 0);
	assert_int_equal(p.backend->abi_minor, 0);
	assert_int_equal(p.backend->struct_size, VHASHIFY_BACKEND_SIZE_1_0);
	assert_false(VHASHIFY_BACKEND_HAS(p.backend, version));
	assert_false(VHASHIFY_BACKEND_HAS(p.backend, options));
	plugin_release(&p);
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
	char dir[] = "/tmp/vhashify-notelf.XXXXXX", file[64];
	struct plugin p;
	int fd;

	(void)state;
	/* a directory of our own: /tmp is writable by others */
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/notelf.so", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not ELF\n", 8), 8);
	close(fd);
	assert_int_equal(plugin_load_file(file, NULL, &p), -ENOEXEC);
	unlink(file);
	rmdir(dir);
}

/*
 * Trust: plugin files and directories writable by others or owned by
 * another user are refused before dlopen, so that the marker plugin's
 * constructor never runs for them; symlinks count by what they lead to.
 */
#define NOBODY 65534

static char scratch[] = "/tmp/vhashify-trust.XXXXXX";
static char marker[4096];

/* Copies the marker plugin to @to with @mode and owner @uid. */
static void put_marker(const char *to, mode_t mode, uid_t uid)
{
	char from[4096], buf[65536];
	ssize_t n;
	int in, out;

	snprintf(from, sizeof(from), "%s/marker.so",
		 dir_of("TEST_PLUGIN_DIR"));
	in = open(from, O_RDONLY);
	assert_true(in >= 0);
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	close(in);
	assert_int_equal(fchown(out, uid, 0), 0);
	assert_int_equal(fchmod(out, mode), 0);
	close(out);
}

/* Makes @dir (under the scratch directory) with @mode and owner @uid. */
static const char *mk(const char *dir, mode_t mode, uid_t uid)
{
	static char path[8][4096];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", scratch, dir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chown(p, uid, 0), 0);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

/* Loads DIR/marker.so: returns its result; *ran: the constructor ran. */
static int load_marker(const char *dir, bool *ran)
{
	char file[4096];
	struct plugin p;
	int ret;

	unlink(marker);
	snprintf(file, sizeof(file), "%s/marker.so", dir);
	ret = plugin_load_file(file, "marker", &p);
	if (!ret)
		plugin_release(&p);
	*ran = !access(marker, F_OK);
	return ret;
}

static int trust_setup(void **state)
{
	(void)state;
	if (geteuid())
		return 0;
	if (!mkdtemp(scratch))
		return -1;
	snprintf(marker, sizeof(marker), "%s/constructor-ran", scratch);
	setenv("VHASHIFY_TEST_MARKER", marker, 1);
	return 0;
}

static int trust_teardown(void **state)
{
	char cmd[4200];

	(void)state;
	unsetenv("VHASHIFY_TEST_MARKER");
	if (geteuid())
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd) ? -1 : 0;
}

static void test_trust(void **state)
{
	const char *d, *o;
	char link[4096], to[4096];
	bool ran;

	(void)state;
	if (geteuid())
		skip();	/* needs chown */

	/* the control: a root-owned plugin in a private directory runs */
	d = mk("ok", 0755, 0);
	put_marker(strcat(strcpy(link, d), "/marker.so"), 0755, 0);
	assert_int_equal(load_marker(d, &ran), 0);
	assert_true(ran);

	/* a world-writable directory, sticky or not */
	d = mk("ww", 0777, 0);
	put_marker(strcat(strcpy(link, d), "/marker.so"), 0755, 0);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);
	assert_int_equal(chmod(d, 01777), 0);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);

	/* a directory owned by another user */
	d = mk("nobodys", 0755, NOBODY);
	put_marker(strcat(strcpy(link, d), "/marker.so"), 0755, 0);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);

	/* a directory above writable by others: only if sticky */
	mk("open", 0777, 0);
	d = mk("open/plugins", 0755, 0);
	put_marker(strcat(strcpy(link, d), "/marker.so"), 0755, 0);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);
	assert_int_equal(chmod(strcat(strcpy(to, scratch), "/open"), 01777),
			 0);
	assert_int_equal(load_marker(d, &ran), 0);
	assert_true(ran);

	/* a plugin owned by another user, or group-writable */
	d = mk("files", 0755, 0);
	put_marker(strcat(strcpy(link, d), "/marker.so"), 0755, NOBODY);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);
	put_marker(link, 0775, 0);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);

	/* symlinks out of the directory: to nobody's file, to root's */
	o = mk("elsewhere", 0755, 0);
	put_marker(strcat(strcpy(to, o), "/marker.so"), 0755, NOBODY);
	d = mk("links", 0755, 0);
	assert_int_equal(symlink(to, strcat(strcpy(link, d), "/marker.so")),
			 0);
	assert_int_equal(load_marker(d, &ran), -EPERM);
	assert_false(ran);
	put_marker(to, 0755, 0);
	assert_int_equal(load_marker(d, &ran), 0);
	assert_true(ran);
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
		cmocka_unit_test(test_abi_1_0),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_not_a_shared_object),
		cmocka_unit_test(test_get_caches_and_misses),
		cmocka_unit_test_setup_teardown(test_trust, trust_setup,
						trust_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

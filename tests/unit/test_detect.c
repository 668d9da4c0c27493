// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The detection table over small generated guest trees: each condition
 * kind and its mirror (absent, absent-any, not-os-release), evidence
 * before os-release, priorities and drop-in order, guest symlinks that
 * point at host files, and malformed tables.
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
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "detect.h"
#include "osrelease.h"

static char top[] = "/tmp/vhashify-detect.XXXXXX";

/* Writes @text to TOP/@rel, making parent directories. */
static void put(const char *rel, const char *text)
{
	char path[4096], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (slash = strchr(path + strlen(top) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *target, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int open_guest(const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	mkdir(path, 0755);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

/* Loads TOP/@table (and TOP/detect.d if there). */
static int load(struct detect_table *t, const char *table)
{
	char file[4096], dropins[4096];

	snprintf(file, sizeof(file), "%s/%s", top, table);
	snprintf(dropins, sizeof(dropins), "%s/detect.d", top);
	return detect_load(t, file, dropins);
}

/* The backend of the first rule matching guest @name, or "none". */
static const char *choose(const struct detect_table *t, const char *name)
{
	int fd = open_guest(name);
	const char *backend = "none";
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (detect_rule_matches(&t->rules[i], fd)) {
			backend = t->rules[i].backend;
			break;
		}
	}
	close(fd);
	return backend;
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(top));
	return 0;
}

static int teardown(void **state)
{
	char cmd[4096];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
	strcpy(top, "/tmp/vhashify-detect.XXXXXX");
	return 0;
}

static const char table[] =
	"rules:\n"
	"  - backend: osr\n"
	"    os-release: [fedora, rhel]\n"
	"  - backend: all\n"
	"    exists: [/db/a, /db/b]\n"
	"  - backend: any\n"
	"    exists-any:\n"
	"      - /any/x\n"
	"      - /any/y\n"
	"  - backend: like\n"
	"    os-release: debian\n";

static void test_conditions(void **state)
{
	struct detect_table t;

	(void)state;
	put("detect.yaml", table);
	assert_int_equal(load(&t, "detect.yaml"), 0);
	assert_int_equal(t.n, 4);

	put("g-all/db/a", "");
	put("g-all/db/b", "");
	assert_string_equal(choose(&t, "g-all"), "all");
	put("g-half/db/a", "");
	assert_string_equal(choose(&t, "g-half"), "none");
	put("g-any/any/y", "");
	assert_string_equal(choose(&t, "g-any"), "any");
	put("g-id/etc/os-release", "NAME=Fedora\nID=fedora\n");
	assert_string_equal(choose(&t, "g-id"), "osr");
	put("g-like/usr/lib/os-release",
	    "ID=\"ubuntu\"\nID_LIKE='foo debian'\n");
	assert_string_equal(choose(&t, "g-like"), "like");
	assert_string_equal(choose(&t, "g-empty"), "none");
	detect_release(&t);
}

static void test_evidence_beats_os_release(void **state)
{
	struct detect_table t;

	(void)state;
	put("detect.yaml", table);
	assert_int_equal(load(&t, "detect.yaml"), 0);
	/* "osr" comes first in the file, but "all" has evidence */
	put("g/etc/os-release", "ID=fedora\n");
	put("g/db/a", "");
	put("g/db/b", "");
	assert_string_equal(choose(&t, "g"), "all");
	assert_string_equal(t.rules[0].backend, "all");
	assert_int_equal(t.rules[0].line, 4);
	detect_release(&t);
}

static void test_dropins_in_name_order(void **state)
{
	struct detect_table t;

	(void)state;
	put("detect.yaml", "rules:\n  - backend: main\n    exists: /m\n");
	put("detect.d/20-b.yaml", "rules:\n  - backend: b\n    exists: /x\n");
	put("detect.d/10-a.yaml", "rules:\n  - backend: a\n    exists: /x\n");
	put("detect.d/README", "not yaml, not read\n");
	assert_int_equal(load(&t, "detect.yaml"), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.rules[0].backend, "main");
	assert_string_equal(t.rules[1].backend, "a");
	assert_string_equal(t.rules[2].backend, "b");
	put("g/x", "");
	assert_string_equal(choose(&t, "g"), "a");
	detect_release(&t);
}

/* The backends of @t's rules in order, joined by spaces, in @buf. */
static const char *order(const struct detect_table *t, char *buf,
			 size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				t->rules[i].backend);
	return buf;
}

static void test_priority(void **state)
{
	struct detect_table t;
	char buf[256];

	(void)state;
	put("detect.yaml",
	    "rules:\n"
	    "  - backend: shipped-db\n"
	    "    exists: /db\n"
	    "  - backend: shipped-os\n"
	    "    os-release: debian\n"
	    "  - backend: shipped-db2\n"
	    "    exists: /db\n"
	    "    priority: 0\n");
	/* outranks, yields, ties (after: read later), and an os-release
	 * rule whose priority does not lift it above evidence */
	put("detect.d/10-up.yaml",
	    "rules:\n"
	    "  - backend: up\n"
	    "    exists: /db\n"
	    "    priority: 10\n"
	    "  - backend: os-up\n"
	    "    os-release: debian\n"
	    "    priority: 1000\n");
	put("detect.d/20-down.yaml",
	    "rules:\n"
	    "  - backend: down\n"
	    "    exists: /db\n"
	    "    priority: -1\n"
	    "  - backend: tie\n"
	    "    exists: /db\n"
	    "  - backend: os-down\n"
	    "    os-release: debian\n"
	    "    priority: -1000\n");
	assert_int_equal(load(&t, "detect.yaml"), 0);
	assert_string_equal(order(&t, buf, sizeof(buf)),
			    "up shipped-db shipped-db2 tie down "
			    "os-up shipped-os os-down");
	/* file and line still name where each was read */
	assert_int_equal(t.rules[0].line, 2);
	assert_non_null(strstr(t.rules[0].file, "10-up.yaml"));
	put("g/db", "");
	assert_string_equal(choose(&t, "g"), "up");
	put("g-os/etc/os-release", "ID=debian\n");
	assert_string_equal(choose(&t, "g-os"), "os-up");
	detect_release(&t);
}

static void test_absent(void **state)
{
	struct detect_table t;

	(void)state;
	put("detect.yaml",
	    "rules:\n"
	    "  - backend: no-b\n"
	    "    exists: /a\n"
	    "    absent: [/b, /c]\n"
	    "  - backend: not-both\n"
	    "    exists: /d\n"
	    "    absent-any: [/b, /c]\n"
	    "  - backend: not-fedora\n"
	    "    exists: /e\n"
	    "    not-os-release: [fedora, rhel]\n");
	assert_int_equal(load(&t, "detect.yaml"), 0);
	put("g1/a", "");
	assert_string_equal(choose(&t, "g1"), "no-b");
	put("g2/a", "");
	put("g2/c", "");
	assert_string_equal(choose(&t, "g2"), "none");
	/* a dangling guest symlink is nothing there */
	put("g3/a", "");
	put("g3/placeholder", "");
	link_to("/nowhere", "g3/b");
	assert_string_equal(choose(&t, "g3"), "no-b");

	put("g4/d", "");
	put("g4/b", "");
	assert_string_equal(choose(&t, "g4"), "not-both");
	put("g5/d", "");
	put("g5/b", "");
	put("g5/c", "");
	assert_string_equal(choose(&t, "g5"), "none");

	/* no os-release says it is not fedora; ID_LIKE counts too */
	put("g6/e", "");
	assert_string_equal(choose(&t, "g6"), "not-fedora");
	put("g7/e", "");
	put("g7/etc/os-release", "ID=debian\n");
	assert_string_equal(choose(&t, "g7"), "not-fedora");
	put("g8/e", "");
	put("g8/etc/os-release", "ID=centos\nID_LIKE=\"rhel fedora\"\n");
	assert_string_equal(choose(&t, "g8"), "none");
	/* an os-release that cannot be read says nothing either way */
	{
		char fifo[4096];

		put("g9/e", "");
		put("g9/etc/placeholder", "");
		snprintf(fifo, sizeof(fifo), "%s/g9/etc/os-release", top);
		assert_int_equal(mkfifo(fifo, 0644), 0);
		assert_string_equal(choose(&t, "g9"), "none");
	}
	detect_release(&t);
}

static void test_symlinks_stay_in_guest(void **state)
{
	struct detect_table t;
	struct os_release os;
	int fd;

	(void)state;
	put("detect.yaml", "rules:\n  - backend: host\n    exists: /escape/x\n");
	assert_int_equal(load(&t, "detect.yaml"), 0);
	/* the host has TOP/outside/x; the guest links to it absolutely
	 * and through "..": neither may reach it */
	put("outside/x", "");
	put("g/placeholder", "");
	{
		char target[4096];

		snprintf(target, sizeof(target), "%s/outside", top);
		link_to(target, "g/escape");
	}
	assert_string_equal(choose(&t, "g"), "none");
	detect_release(&t);

	/* etc/os-release -> /usr/lib/os-release is the guest's own */
	put("g2/usr/lib/os-release", "ID=guestos\n");
	put("g2/etc/placeholder", "");
	link_to("/usr/lib/os-release", "g2/etc/os-release");
	fd = open_guest("g2");
	assert_int_equal(os_release_read(fd, &os), 0);
	assert_string_equal(os.id, "guestos");
	os_release_release(&os);
	close(fd);

	/* "../" past the guest root stays at the guest root */
	put("g3/usr/lib/os-release", "ID=inner\n");
	put("g3/etc/placeholder", "");
	link_to("../../../../../../../../usr/lib/os-release",
		"g3/etc/os-release");
	fd = open_guest("g3");
	assert_int_equal(os_release_read(fd, &os), 0);
	assert_string_equal(os.id, "inner");
	os_release_release(&os);
	close(fd);
}

static void test_bad_tables(void **state)
{
	static const char *const bad[] = {
		"rules: [\n",				/* malformed YAML */
		"rules:\n  - backend: x\n    exist: /a\n",	/* unknown key */
		"rulez: []\n",				/* unknown top key */
		"rules:\n  - backend: [x]\n    exists: /a\n",	/* wrong type */
		"rules:\n  - backend: x\n",		/* no condition */
		"rules:\n  - exists: /a\n",		/* no backend */
		"rules:\n  - backend: x\n    exists: a/b\n",	/* relative */
		"rules:\n  - backend: x\n    exists: {a: b}\n",	/* mapping */
		"rules: 3\n",				/* not a list */
		"- backend: x\n",			/* not a mapping */
		/* empty conditions: always (or never) true */
		"rules:\n  - backend: x\n    exists: []\n",
		"rules:\n  - backend: x\n    exists-any: []\n",
		"rules:\n  - backend: x\n    os-release: []\n",
		"rules:\n  - backend: x\n    exists: /a\n    os-release: []\n",
		"rules:\n  - backend: x\n    exists: /a\n    absent: []\n",
		"rules:\n  - backend: x\n    os-release: a\n"
		"    not-os-release: []\n",
		/* what is absent alone matches nearly every guest */
		"rules:\n  - backend: x\n    absent: /a\n",
		"rules:\n  - backend: x\n    absent-any: [/a, /b]\n",
		"rules:\n  - backend: x\n    not-os-release: fedora\n",
		"rules:\n  - backend: x\n    exists: /a\n    absent: a\n",
		/* a priority is a whole number in range */
		"rules:\n  - backend: x\n    exists: /a\n    priority: high\n",
		"rules:\n  - backend: x\n    exists: /a\n    priority: 1.5\n",
		"rules:\n  - backend: x\n    exists: /a\n    priority: ''\n",
		"rules:\n  - backend: x\n    exists: /a\n    priority: 1001\n",
		"rules:\n  - backend: x\n    exists: /a\n"
		"    priority: 99999999999999999999\n",
		"rules:\n  - backend: x\n    exists: /a\n    priority: [1]\n",
	};
	struct detect_table t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("detect.yaml", bad[i]);
		assert_int_equal(load(&t, "detect.yaml"), -EINVAL);
		assert_int_equal(t.n, 0);
	}
	/* a bad drop-in spoils the whole table */
	put("detect.yaml", table);
	put("detect.d/50-bad.yaml", "rules:\n  - backend: x\n    oops: 1\n");
	assert_int_equal(load(&t, "detect.yaml"), -EINVAL);
	/* a missing main table is an error too */
	assert_int_equal(load(&t, "missing.yaml"), -ENOENT);
}

static void test_os_release_parse(void **state)
{
	static const char text[] =
		"# comment\n"
		"ID=\"deb\\\"ian\"\n"
		"ID_LIKE=\"rhel  fedora\"\r\n"
		"BROKEN LINE\n"
		"ID_LIKEX=ignored\n";
	struct os_release os;

	(void)state;
	assert_int_equal(os_release_parse(text, sizeof(text) - 1, &os), 0);
	assert_string_equal(os.id, "deb\"ian");
	assert_non_null(os.id_like);
	assert_string_equal(os.id_like[0], "rhel");
	assert_string_equal(os.id_like[1], "fedora");
	assert_null(os.id_like[2]);
	os_release_release(&os);

	assert_int_equal(os_release_parse("", 0, &os), 0);
	assert_null(os.id);
	assert_null(os.id_like);
	os_release_release(&os);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conditions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_evidence_beats_os_release,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropins_in_name_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_stay_in_guest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_tables, setup,
						teardown),
		cmocka_unit_test(test_os_release_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

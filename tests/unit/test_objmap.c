// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The objects map as the store's inode set: inodes found, added and
 * taken back across the table's growth, names it cannot check, and
 * what store_open() reads into it.
 */
#include "config.h"

#include <errno.h>
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

#include "log.h"
#include "objmap.h"
#include "store.h"

static char top[] = "/tmp/vhashify-objmap.XXXXXX";

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(top));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
	strcpy(top, "/tmp/vhashify-objmap.XXXXXX");
	return 0;
}

static struct store *open_store(void)
{
	char path[64];
	struct store *s;

	snprintf(path, sizeof(path), "%s/s", top);
	assert_int_equal(store_open(path, HASH_XXH3_128, false, false, &s),
			 0);
	return s;
}

/* An xxh3-128 object name for @i, of trust group @group (or none). */
static void name(unsigned int i, const char *group, char out[STORE_NAME_MAX])
{
	snprintf(out, STORE_NAME_MAX, "%02x/%030x-%016x%s%s", i & 0xff, i,
		 i * 7, group ? "@" : "", group ? group : "");
}

/* A stat of a guest link to inode @ino of the store @s. */
static struct stat guest_link(struct store *s, ino_t ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/s", top);
	assert_int_equal(stat(path, &st), 0);
	(void)s;
	st.st_ino = ino;
	st.st_nlink = 2;
	return st;
}

/* entries in three chunks of the map */
#define MANY 40000

static void test_add_find_remove(void **state)
{
	struct store *s = open_store();
	struct objmap *m = store_objmap(s);
	char n[STORE_NAME_MAX], msg[LOG_MSG_MAX];
	unsigned int i;
	struct stat st;

	(void)state;
	/* inode numbers close together, as a filesystem gives them */
	for (i = 1; i <= MANY; i++) {
		name(i, i % 3 ? NULL : "tenant-a", n);
		assert_int_equal(i % 2 ? objmap_scan(m, 1000 + i, n) :
				 objmap_add(m, 1000 + i, n), 0);
	}
	for (i = 1; i <= MANY; i++)
		assert_true(objmap_has(m, 1000 + i));
	assert_false(objmap_has(m, 1000));
	assert_false(objmap_has(m, 1001 + MANY));
	assert_false(objmap_has(m, 0));

	/* taking back every third keeps the others found */
	for (i = 3; i <= MANY; i += 3)
		objmap_remove(m, 1000 + i);
	objmap_remove(m, 1000);	/* not there: nothing happens */
	for (i = 1; i <= MANY; i++)
		assert_int_equal(objmap_has(m, 1000 + i), i % 3 != 0);
	/* entries moved to fill the gaps keep their names */
	for (i = MANY - 20; i <= MANY; i++) {
		if (i % 3 == 0)
			continue;
		st = guest_link(s, 1000 + i);
		objmap_report(m, &st, "/g", "/x", msg);
		name(i, i % 3 ? NULL : "tenant-a", n);
		assert_non_null(strstr(msg, n));
	}
	for (i = 3; i <= MANY; i += 3) {
		name(i, NULL, n);
		assert_int_equal(objmap_add(m, 1000 + i, n), 0);
	}
	for (i = 1; i <= MANY; i++)
		assert_true(objmap_has(m, 1000 + i));
	store_close(s);
}

static void test_names_not_checked(void **state)
{
	struct store *s = open_store();
	struct objmap *m = store_objmap(s);
	char n[STORE_NAME_MAX];
	struct stat st;
	bool first;
	ino_t ino;

	(void)state;
	/* a reflink object, a sha256 name in an xxh3 store, junk: objects,
	 * unchecked, of no group */
	assert_int_equal(objmap_scan(m, 11, "ab/cdef0123456789abcdef0123456789"
				     "-content"), 0);
	assert_int_equal(objmap_scan(m, 12, "ab/cdef0123456789abcdef0123456789"
				     "0123456789abcdef0123456789abcdef"
				     "-0000000000000001"), 0);
	assert_int_equal(objmap_scan(m, 13, "ab/junk"), 0);
	name(14, NULL, n);
	strcat(n, ".99999");	/* a sibling beyond any the store makes */
	assert_int_equal(objmap_scan(m, 14, n), 0);
	for (ino = 11; ino <= 14; ino++) {
		assert_true(objmap_has(m, ino));
		st = guest_link(s, ino);
		assert_int_equal(objmap_check_entry(m, &st, "tenant-a", &first),
				 OBJMAP_OK);
		assert_false(first);
		assert_true(store_is_object(s, &st));
	}

	/* a name it can check is kept over one it cannot: the map then
	 * opens the object (there is none here) */
	name(21, NULL, n);
	assert_int_equal(objmap_scan(m, 21, n), 0);
	assert_int_equal(objmap_scan(m, 21, "ab/junk2"), 0);
	st = guest_link(s, 21);
	assert_int_equal(objmap_check_entry(m, &st, NULL, &first), -ENOENT);
	/* and replaces one it cannot check */
	assert_int_equal(objmap_scan(m, 13, n), 0);
	st = guest_link(s, 13);
	assert_int_equal(objmap_check_entry(m, &st, NULL, &first), -ENOENT);
	store_close(s);
}

static void test_open_reads_objects(void **state)
{
	struct store *s = open_store(), *again;
	char n[STORE_NAME_MAX], msg[LOG_MSG_MAX];
	struct store_tmp t;
	struct stat st;
	bool first;

	(void)state;
	name(0xab, NULL, n);
	assert_int_equal(store_tmp_create(s, &t), 0);
	assert_int_equal(store_tmp_publish(s, &t, n), 0);
	assert_int_equal(fstat(t.fd, &st), 0);
	close(t.fd);
	store_close(s);

	/* the next open has the object by inode, and its name: the check
	 * opens it and finds its metadata is not the key in its name */
	again = open_store();
	assert_true(objmap_has(store_objmap(again), st.st_ino));
	st.st_nlink = 2;
	assert_true(store_is_object(again, &st));
	assert_int_equal(objmap_check_entry(store_objmap(again), &st, NULL,
					    &first), OBJMAP_MODIFIED);
	assert_true(first);
	objmap_report(store_objmap(again), &st, "/g", "/usr/x", msg);
	assert_non_null(strstr(msg, n));
	assert_int_equal(objmap_modified(store_objmap(again)), 1);
	/* taken back: an object no more */
	assert_int_equal(store_unadopt(again, n, &st), 0);
	assert_false(store_is_object(again, &st));
	store_close(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_names_not_checked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_reads_objects, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* The store: object names, creation and config, objects and the lock. */
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
#include <sys/file.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "capture.h"
#include "store.h"

static char top[] = "/tmp/vhashify-store.XXXXXX";

/* When set, the n-th fstat() from now fails with EIO. */
static int fail_fstat;
/* When set, the next strdup() fails. */
static bool fail_strdup;

int __real_fstat(int fd, struct stat *st);
int __wrap_fstat(int fd, struct stat *st);
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);

int __wrap_fstat(int fd, struct stat *st)
{
	if (fail_fstat && !--fail_fstat) {
		errno = EIO;
		return -1;
	}
	return __real_fstat(fd, st);
}

char *__wrap_strdup(const char *s)
{
	if (fail_strdup) {
		fail_strdup = false;
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

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
	strcpy(top, "/tmp/vhashify-store.XXXXXX");
	return 0;
}

static const char *at(const char *rel)
{
	static char path[4][256];
	static int i;

	snprintf(path[++i % 4], sizeof(path[0]), "%s/%s", top, rel);
	return path[i % 4];
}

static void test_names(void **state)
{
	struct digest d = { .len = 16 };
	char name[STORE_NAME_MAX];
	unsigned int i;

	(void)state;
	for (i = 0; i < d.len; i++)
		d.bytes[i] = 0xa0 + i;
	store_object_name(&d, 0x0123456789abcdefULL, 0, name);
	assert_string_equal(name, "a0/a1a2a3a4a5a6a7a8a9aaabacadaeaf-"
				  "0123456789abcdef");
	store_object_name(&d, 1, 3, name);
	assert_string_equal(name, "a0/a1a2a3a4a5a6a7a8a9aaabacadaeaf-"
				  "0000000000000001.3");
	d.len = 32;	/* sha256 names fit too */
	store_object_name(&d, ~0ULL, STORE_MAX_SIBLINGS, name);
	assert_int_equal(strlen(name), 2 + 1 + 62 + 1 + 16 + 5);
}

#define X30 "0123456789abcdef0123456789abcd"

/* store_parse_name() takes back what the store writes, and only that. */
static void test_parse_names(void **state)
{
	static const char *const bad[] = {
		"", "a", "ab", "ab/", "ab-0000000000000001", "Ab/" X30 "-"
		"0000000000000001", "ab/" X30 "0-0000000000000001",
		"ab/" X30 "-000000000000001", "ab/" X30 "-00000000000000010",
		"ab/" X30 "-0x00000000000001", "ab/" X30 "-+000000000000001",
		"ab/" X30 "- 000000000000001", "ab/" X30 "-000000000000000A",
		"ab/" X30 "-0000000000000001x", "ab/" X30 "-contents",
		"ab/" X30 X30 "abcd-0000000000000001", "ab/" X30 "cd" X30 "-1",
	};
	struct digest d = { .len = 16 }, back;
	char name[STORE_NAME_MAX];
	unsigned int i;
	uint64_t id;
	bool content;

	(void)state;
	for (i = 0; i < 32; i++)
		d.bytes[i] = i * 37 + 5;
	store_object_name(&d, 0xfedcba9876543210ULL, 12, name);
	assert_int_equal(store_parse_name(name, &back, &id, &content), 0);
	assert_true(digest_equal(&d, &back));
	assert_true(id == 0xfedcba9876543210ULL);
	assert_false(content);
	d.len = 32;
	store_content_name(&d, 0, name);
	assert_int_equal(store_parse_name(name, &back, &id, &content), 0);
	assert_true(digest_equal(&d, &back));
	assert_true(content);
	strcat(name, ".7");
	assert_int_equal(store_parse_name(name, &back, &id, &content), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (store_parse_name(bad[i], &back, &id, &content) != -EINVAL)
			fail_msg("taken: '%s'", bad[i]);
	}
}

/* Trust groups: a name part of their own; the default group has none. */
static void test_group_names(void **state)
{
	struct digest d = { .len = 32 }, back;
	char name[STORE_NAME_MAX], longest[STORE_GROUP_MAX + 2];
	const char *g;
	uint64_t id;
	bool content;

	(void)state;
	memset(d.bytes, 0xab, d.len);
	store_group_object_name(&d, 7, NULL, 2, name);
	assert_null(strchr(name, '@'));
	store_group_object_name(&d, 7, "default", 0, name);
	assert_null(strchr(name, '@'));
	store_group_object_name(&d, 7, "tenant-a", 2, name);
	assert_non_null(strstr(name, "-0000000000000007@tenant-a.2"));
	assert_int_equal(store_name_group(name, &g), 8);
	assert_memory_equal(g, "tenant-a", 8);
	assert_int_equal(store_parse_name(name, &back, &id, &content), 0);
	assert_int_equal(id, 7);
	assert_false(content);
	assert_true(digest_equal(&d, &back));

	memset(longest, 'z', sizeof(longest));
	longest[STORE_GROUP_MAX] = '\0';
	assert_true(store_valid_group(longest));
	store_group_object_name(&d, ~0ULL, longest, STORE_MAX_SIBLINGS, name);
	assert_int_equal(strlen(name), 2 + 1 + 62 + 1 + 16 + 1 +
			 STORE_GROUP_MAX + 5);
	assert_int_equal(store_parse_name(name, &back, &id, &content), 0);
	longest[STORE_GROUP_MAX] = 'z';
	longest[STORE_GROUP_MAX + 1] = '\0';
	assert_false(store_valid_group(longest));

	assert_true(store_valid_group("a"));
	assert_true(store_valid_group("0_x-y"));
	assert_false(store_valid_group(""));
	assert_false(store_valid_group(NULL));
	assert_false(store_valid_group("-a"));
	assert_false(store_valid_group("A"));
	assert_false(store_valid_group("a.b"));
	assert_false(store_valid_group("a/b"));
	assert_false(store_valid_group("a@b"));
	store_group_object_name(&d, 7, NULL, 0, name);
	strcat(name, "@");	/* an empty group */
	assert_int_equal(store_parse_name(name, &back, &id, &content),
			 -EINVAL);
	strcat(name, "a");
	assert_int_equal(store_parse_name(name, &back, &id, &content), 0);
}

static void read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_create_and_reopen(void **state)
{
	struct store *s;
	char text[256];
	struct stat st;

	(void)state;
	assert_int_equal(store_open(at("s"), HASH_SHA256, false, false, &s), 0);
	read_text(at("s/config"), text, sizeof(text));
	assert_non_null(strstr(text, "format: 1\n"));
	assert_non_null(strstr(text, "hash: sha256\n"));
	assert_int_equal(stat(at("s/objects"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(at("s/lock"), &st), 0);
	store_close(s);

	/* the recorded method stays; asking for another one is an error */
	assert_int_equal(store_open(at("s"), HASH_XXH3_128, false, false, &s),
			 0);
	assert_int_equal(store_hash(s), HASH_SHA256);
	store_close(s);
	assert_int_equal(store_open(at("s"), HASH_XXH3_128, true, false, &s),
			 -EINVAL);
}

static void test_refuses_foreign_directory(void **state)
{
	struct store *s;
	FILE *f;

	(void)state;
	assert_int_equal(mkdir(at("data"), 0755), 0);
	f = fopen(at("data/precious"), "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(store_open(at("data"), HASH_XXH3_128, false, false,
				    &s), -EINVAL);
	assert_int_equal(access(at("data/config"), F_OK), -1);

	/* a config of an unknown format */
	assert_int_equal(mkdir(at("future"), 0755), 0);
	f = fopen(at("future/config"), "w");
	fputs("format: 2\nhash: sha256\n", f);
	fclose(f);
	assert_int_equal(store_open(at("future"), HASH_SHA256, false, false,
				    &s), -EINVAL);
}

static void test_dry_run_creates_nothing(void **state)
{
	struct store *s;

	(void)state;
	assert_int_equal(store_open(at("new"), HASH_XXH3_128, false, true, &s),
			 0);
	assert_int_equal(access(at("new"), F_OK), -1);
	assert_int_equal(store_open_object(s, "ab/cd", &(struct stat){ 0 }),
			 -ENOENT);
	assert_int_equal(store_plan(s, "ab/cd-1"), 1);
	assert_int_equal(store_plan(s, "ab/cd-1"), 0);
	assert_int_equal(store_plan(s, "ab/cd-2"), 1);
	store_close(s);
}

static void test_objects(void **state)
{
	struct store *s, *again;
	struct store_tmp t;
	struct stat st, other;
	int fd;

	(void)state;
	assert_int_equal(store_open(at("s"), HASH_XXH3_128, false, false, &s),
			 0);
	assert_int_equal(store_tmp_create(s, &t), 0);
	assert_int_equal(write(t.fd, "object", 6), 6);
	assert_int_equal(store_tmp_publish(s, &t, "ab/cdef-0000000000000001"),
			 0);
	close(t.fd);
	fd = store_open_object(s, "ab/cdef-0000000000000001", &st);
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 6);
	close(fd);

	/* an object with a second link is recognised by its inode */
	assert_int_equal(link(at("s/objects/ab/cdef-0000000000000001"),
			      at("guestfile")), 0);
	assert_int_equal(stat(at("guestfile"), &st), 0);
	assert_true(store_is_object(s, &st));
	fd = open(at("unrelated"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	assert_int_equal(link(at("unrelated"), at("unrelated2")), 0);
	assert_int_equal(stat(at("unrelated"), &other), 0);
	assert_false(store_is_object(s, &other));

	/* publishing a name twice answers EEXIST */
	assert_int_equal(store_tmp_create(s, &t), 0);
	assert_int_equal(store_tmp_publish(s, &t, "ab/cdef-0000000000000001"),
			 -EEXIST);
	store_tmp_discard(s, &t);
	store_close(s);

	/* a new run knows the object from the store's directories */
	assert_int_equal(store_open(at("s"), HASH_XXH3_128, false, false,
				    &again), 0);
	assert_true(store_is_object(again, &st));
	store_close(again);
}

static void test_lock_is_held(void **state)
{
	struct store *s;
	int fd;

	(void)state;
	assert_int_equal(store_open(at("s"), HASH_XXH3_128, false, false, &s),
			 0);
	fd = open(at("s/lock"), O_RDONLY);
	assert_true(fd >= 0);
	/* another open file description cannot take it meanwhile */
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	store_close(s);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
}

/* store_open() says why it fails on every path: here fstat, ENOMEM. */
static void test_open_failure_says_why(void **state)
{
	struct store *s = NULL;
	const char *out;
	int ret;

	(void)state;
	capture_stderr();
	fail_fstat = 1;		/* the store directory's */
	ret = store_open(at("s"), HASH_XXH3_128, false, false, &s);
	fail_fstat = 0;
	out = captured();
	assert_int_equal(ret, -EIO);
	assert_non_null(strstr(out, "cannot open store '"));
	assert_non_null(strstr(out, strerror(EIO)));

	capture_stderr();
	fail_strdup = true;
	ret = store_open(at("s"), HASH_XXH3_128, false, false, &s);
	fail_strdup = false;
	out = captured();
	assert_int_equal(ret, -ENOMEM);
	assert_non_null(strstr(out, "cannot open store '"));
	assert_non_null(strstr(out, strerror(ENOMEM)));
}

/*
 * The error returned is the one that happened, though printing it
 * fails too (stderr on a full disk): here, config.new is a symlink.
 */
static void test_error_returned_is_the_one_printed(void **state)
{
	struct store *s = NULL;
	int saved, full, ret;

	(void)state;
	assert_int_equal(mkdir(at("s"), 0700), 0);
	assert_int_equal(symlink("nowhere", at("s/config.new")), 0);
	full = open("/dev/full", O_WRONLY);
	if (full < 0)
		skip();
	fflush(stderr);
	saved = dup(2);
	assert_int_equal(dup2(full, 2), 2);
	close(full);
	ret = store_open(at("s"), HASH_XXH3_128, false, false, &s);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(ret, -ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_open_failure_says_why,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_error_returned_is_the_one_printed, setup,
			teardown),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_group_names),
		cmocka_unit_test_setup_teardown(test_create_and_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuses_foreign_directory,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_creates_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_is_held, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

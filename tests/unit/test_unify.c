// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unify_file on real files in a scratch store, with linkat() wrapped to
 * answer EMLINK for a full object: a sibling object takes over.
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

#include "store.h"
#include "unify.h"

/* When set, linking sibling 0 of any object into a guest is EMLINK. */
static bool object_full;

int __real_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);

int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags)
{
	const char *dash = strrchr(oldpath, '-');

	/* "ab/cdef...-0123456789abcdef" without ".N": sibling 0 */
	if (object_full && dash && strlen(dash) == 17) {
		errno = EMLINK;
		return -1;
	}
	return __real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

static char top[] = "/tmp/vhashify-unify.XXXXXX";

static void make_file(int dirfd, const char *name)
{
	struct timespec t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "shared bytes\n", 13), 13);
	assert_int_equal(futimens(fd, t), 0);
	close(fd);
}

static enum unify_result unify(struct store *s, int dirfd, const char *name)
{
	struct unify_params p = { .store = s, .guest = top };
	struct walk_entry e = { .dirfd = dirfd, .name = name, .path = name,
				.pathlen = strlen(name) };
	off_t freed, stored;

	assert_int_equal(fstatat(dirfd, name, &e.st, AT_SYMLINK_NOFOLLOW), 0);
	return unify_file(&p, &e, &freed, &stored);
}

static void test_full_object_gets_a_sibling(void **state)
{
	char path[256];
	struct store *s;
	struct stat a, b, c;
	int dirfd;

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/store", top);
	assert_int_equal(store_open(path, HASH_XXH3_128, false, false, &s), 0);
	dirfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	make_file(dirfd, "a");
	make_file(dirfd, "b");
	make_file(dirfd, "c");

	assert_int_equal(unify(s, dirfd, "a"), UNIFY_LINKED_NEW);
	object_full = true;
	assert_int_equal(unify(s, dirfd, "b"), UNIFY_LINKED_NEW);
	assert_int_equal(unify(s, dirfd, "c"), UNIFY_LINKED);
	object_full = false;

	assert_int_equal(fstatat(dirfd, "a", &a, 0), 0);
	assert_int_equal(fstatat(dirfd, "b", &b, 0), 0);
	assert_int_equal(fstatat(dirfd, "c", &c, 0), 0);
	assert_true(a.st_ino != b.st_ino);	/* b went to the sibling */
	assert_true(b.st_ino == c.st_ino);	/* and c joined it */
	assert_int_equal(b.st_nlink, 3);

	close(dirfd);
	store_close(s);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_object_gets_a_sibling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

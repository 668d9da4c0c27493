// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unify_file on real files in a scratch store, with linkat() wrapped to
 * answer EMLINK for a full object (a sibling object takes over) and
 * pread() wrapped to let a "guest" rewrite or truncate a file while it
 * is being hashed (it is left alone with what the guest wrote).
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

#include "capture.h"
#include "store.h"
#include "unify.h"

/* When set, linking sibling 0 of any object into a guest is EMLINK. */
static bool object_full;

int __real_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);

/* When set, the guest writes to it right after it is adopted. */
static char adopted_victim[256];
/* When set, adopting a file fails with this errno. */
static int adopt_errno;

/* The guest writes to @path, as it may any time. */
static void guest_writes(const char *path)
{
	int w = open(path, O_WRONLY);

	assert_true(w >= 0);
	assert_int_equal(pwrite(w, "EVIL", 4, 0), 4);
	close(w);
}

int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags)
{
	const char *dash = strrchr(oldpath, '-');
	int ret;

	/* the store adopts a guest file: by its fd, or through /proc */
	if (adopt_errno && ((flags & AT_EMPTY_PATH) ||
			    !strncmp(oldpath, "/proc/self/fd/", 14))) {
		errno = adopt_errno;
		return -1;
	}
	if (adopted_victim[0] && ((flags & AT_EMPTY_PATH) ||
				  !strncmp(oldpath, "/proc/self/fd/", 14))) {
		ret = __real_linkat(olddirfd, oldpath, newdirfd, newpath,
				    flags);
		guest_writes(adopted_victim);
		adopted_victim[0] = '\0';
		return ret;
	}

	/* "ab/cdef...-0123456789abcdef" without ".N": sibling 0 */
	if (object_full && dash && strlen(dash) == 17) {
		errno = EMLINK;
		return -1;
	}
	return __real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* The inode whose next read lets the guest change it, and how. */
static ino_t victim;
static enum { REWRITE, TRUNCATE } attack;
static char victim_path[256];

ssize_t __real_pread(int fd, void *buf, size_t count, off_t offset);
ssize_t __wrap_pread(int fd, void *buf, size_t count, off_t offset);

ssize_t __wrap_pread(int fd, void *buf, size_t count, off_t offset)
{
	ssize_t n = __real_pread(fd, buf, count, offset);
	struct stat st;
	int w;

	if (victim && !fstat(fd, &st) && st.st_ino == victim) {
		victim = 0;
		/* the guest writes while we read: another open file */
		w = open(victim_path, O_WRONLY);
		assert_true(w >= 0);
		if (attack == TRUNCATE)
			assert_int_equal(ftruncate(w, 3), 0);
		else
			assert_int_equal(pwrite(w, "EVIL", 4, 0), 4);
		close(w);
	}
	return n;
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

/* What the last failed unify() said. */
static struct unify_error why;

static enum unify_result unify(struct store *s, int dirfd, const char *name)
{
	struct unify_params p = { .store = s, .guest = top };
	struct walk_entry e = { .dirfd = dirfd, .name = name, .path = name,
				.pathlen = strlen(name) };
	off_t freed, stored;

	assert_int_equal(fstatat(dirfd, name, &e.st, AT_SYMLINK_NOFOLLOW), 0);
	return unify_file(&p, &e, &freed, &stored, &why);
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
	strcpy(top, "/tmp/vhashify-unify.XXXXXX");
}

/* A file changed while it is hashed is left with what the guest wrote. */
static void changed_while_hashed(int how)
{
	char path[256];
	struct store *s;
	struct stat before, after;
	char buf[32] = { 0 };
	int dirfd, fd;

	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/store", top);
	assert_int_equal(store_open(path, HASH_XXH3_128, false, false, &s), 0);
	dirfd = open(top, O_RDONLY | O_DIRECTORY);
	make_file(dirfd, "a");
	make_file(dirfd, "b");
	assert_int_equal(unify(s, dirfd, "a"), UNIFY_LINKED_NEW);

	assert_int_equal(fstatat(dirfd, "b", &before, 0), 0);
	snprintf(victim_path, sizeof(victim_path), "%s/b", top);
	attack = how;
	victim = before.st_ino;
	assert_int_equal(unify(s, dirfd, "b"), UNIFY_CHANGED);
	assert_int_equal(victim, 0);	/* the attack did happen */

	assert_int_equal(fstatat(dirfd, "b", &after, 0), 0);
	assert_int_equal(after.st_ino, before.st_ino);	/* not replaced */
	assert_int_equal(after.st_nlink, 1);
	fd = openat(dirfd, "b", O_RDONLY);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_string_equal(buf, how == TRUNCATE ? "sha" : "EVILed bytes\n");

	close(dirfd);
	store_close(s);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	assert_int_equal(system(path), 0);
	strcpy(top, "/tmp/vhashify-unify.XXXXXX");
}

static void test_rewritten_while_hashed(void **state)
{
	(void)state;
	changed_while_hashed(REWRITE);
}

static void test_truncated_while_hashed(void **state)
{
	(void)state;
	changed_while_hashed(TRUNCATE);
}

static int scratch_setup(void **state)
{
	char path[256];
	struct store *s;

	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/store", top);
	assert_int_equal(store_open(path, HASH_XXH3_128, false, false, &s), 0);
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	char cmd[256];

	store_close(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
	strcpy(top, "/tmp/vhashify-unify.XXXXXX");
	adopted_victim[0] = '\0';
	adopt_errno = 0;
	return 0;
}

/*
 * A file that changes right after the store adopted its inode is taken
 * back: the object name goes, and so does the inode from the store's
 * set, so that its other name is not taken for an object.
 */
static void test_changed_after_adopted(void **state)
{
	struct store *s = *state;
	struct stat a, a2;
	int dirfd;

	dirfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	make_file(dirfd, "a");
	assert_int_equal(linkat(dirfd, "a", dirfd, "a2", 0), 0);
	snprintf(adopted_victim, sizeof(adopted_victim), "%s/a", top);
	assert_int_equal(unify(s, dirfd, "a"), UNIFY_CHANGED);
	assert_int_equal(adopted_victim[0], '\0');	/* it did write */

	assert_int_equal(fstatat(dirfd, "a", &a, 0), 0);
	assert_int_equal(fstatat(dirfd, "a2", &a2, 0), 0);
	assert_int_equal(a.st_ino, a2.st_ino);
	assert_int_equal(a2.st_nlink, 2);	/* no object name left */
	assert_false(store_is_object(s, &a2));
	close(dirfd);
}

/*
 * A failure hands back its error and the message printed, for the
 * report: no other record of it is needed.
 */
static void test_failure_says_why(void **state)
{
	struct store *s = *state;
	char want[LOG_MSG_MAX + 32];
	const char *out;
	int dirfd;

	dirfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	make_file(dirfd, "a");
	adopt_errno = EIO;
	capture_stderr();
	assert_int_equal(unify(s, dirfd, "a"), UNIFY_FAILED);
	out = captured();
	adopt_errno = 0;
	assert_int_equal(why.err, -EIO);
	snprintf(want, sizeof(want), "cannot store '%sa': %s", top,
		 strerror(EIO));
	assert_string_equal(why.msg, want);
	snprintf(want, sizeof(want), "vhashify: error: %s\n", why.msg);
	assert_string_equal(out, want);
	close(dirfd);
}

/*
 * A name that appears each time it was found free is looked at again a
 * bounded number of times, then the file fails: no endless loop (the
 * alarm ends one).
 */
static void test_name_keeps_appearing(void **state)
{
	struct store *s = *state;
	int dirfd;

	dirfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	make_file(dirfd, "a");
	adopt_errno = EEXIST;
	alarm(10);
	capture_stderr();
	assert_int_equal(unify(s, dirfd, "a"), UNIFY_FAILED);
	captured();
	alarm(0);
	adopt_errno = 0;
	assert_int_equal(why.err, -EEXIST);
	close(dirfd);
}

/*
 * An object written in place by a guest that shares it keeps its name:
 * in every hash mode, a file with the original bytes is compared with
 * it and gets a sibling, never a link to the other bytes.
 */
static void object_written_in_place(enum hash_method hash)
{
	struct timespec t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	char path[256], buf[32] = { 0 };
	struct store *s;
	struct stat a, b;
	int dirfd, fd;

	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/store", top);
	assert_int_equal(store_open(path, hash, false, false, &s), 0);
	dirfd = open(top, O_RDONLY | O_DIRECTORY);
	make_file(dirfd, "a");
	make_file(dirfd, "b");
	assert_int_equal(unify(s, dirfd, "a"), UNIFY_LINKED_NEW);

	/* the guest of "a" writes the object, and gives the mtime back */
	fd = openat(dirfd, "a", O_WRONLY);
	assert_int_equal(pwrite(fd, "EVIL", 4, 0), 4);
	assert_int_equal(futimens(fd, t), 0);
	close(fd);

	assert_int_equal(unify(s, dirfd, "b"), UNIFY_LINKED_NEW);
	assert_int_equal(fstatat(dirfd, "a", &a, 0), 0);
	assert_int_equal(fstatat(dirfd, "b", &b, 0), 0);
	assert_true(a.st_ino != b.st_ino);
	fd = openat(dirfd, "b", O_RDONLY);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_string_equal(buf, "shared bytes\n");

	close(dirfd);
	store_close(s);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	assert_int_equal(system(path), 0);
	strcpy(top, "/tmp/vhashify-unify.XXXXXX");
}

static void test_written_object_xxh3(void **state)
{
	(void)state;
	object_written_in_place(HASH_XXH3_128);
}

static void test_written_object_sha256(void **state)
{
	(void)state;
	object_written_in_place(HASH_SHA256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_object_gets_a_sibling),
		cmocka_unit_test(test_rewritten_while_hashed),
		cmocka_unit_test(test_truncated_while_hashed),
		cmocka_unit_test_setup_teardown(test_changed_after_adopted,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_failure_says_why,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_name_keeps_appearing,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_written_object_xxh3),
		cmocka_unit_test(test_written_object_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

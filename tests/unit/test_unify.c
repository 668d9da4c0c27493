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

/* Each test gets a scratch directory holding the guest files and a store. */
struct fixture {
	char top[64];
	bool made;		/* top exists: teardown removes it */
	struct store *s;
	int dirfd;
};

static int setup_hash(void **state, enum hash_method hash)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[128];

	if (!f)
		return -1;
	strcpy(f->top, "/tmp/vhashify-unify.XXXXXX");
	f->dirfd = -1;
	*state = f;
	if (!mkdtemp(f->top))
		return -1;
	f->made = true;
	snprintf(path, sizeof(path), "%s/store", f->top);
	if (store_open(path, hash, false, false, &f->s))
		return -1;
	f->dirfd = open(f->top, O_RDONLY | O_DIRECTORY);
	return f->dirfd >= 0 ? 0 : -1;
}

static int setup(void **state)
{
	return setup_hash(state, HASH_XXH3_128);
}

static int setup_sha256(void **state)
{
	return setup_hash(state, HASH_SHA256);
}

/* Runs after a failed assert too: the next test starts clean. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	int ret = 0;

	object_full = false;
	victim = 0;
	adopted_victim[0] = '\0';
	adopt_errno = 0;
	if (!f)
		return 0;
	if (f->dirfd >= 0)
		close(f->dirfd);
	if (f->s)
		store_close(f->s);
	if (f->made) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->top);
		ret = system(cmd) ? -1 : 0;
	}
	free(f);
	return ret;
}

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

static enum unify_result unify(struct fixture *f, const char *name)
{
	struct unify_params p = { .store = f->s, .guest = f->top };
	struct walk_entry e = { .dirfd = f->dirfd, .name = name, .path = name,
				.pathlen = strlen(name) };
	off_t freed, stored;

	assert_int_equal(fstatat(f->dirfd, name, &e.st, AT_SYMLINK_NOFOLLOW),
			 0);
	return unify_file(&p, &e, &freed, &stored, &why);
}

static void test_full_object_gets_a_sibling(void **state)
{
	struct fixture *f = *state;
	struct stat a, b, c;

	make_file(f->dirfd, "a");
	make_file(f->dirfd, "b");
	make_file(f->dirfd, "c");

	assert_int_equal(unify(f, "a"), UNIFY_LINKED_NEW);
	object_full = true;
	assert_int_equal(unify(f, "b"), UNIFY_LINKED_NEW);
	assert_int_equal(unify(f, "c"), UNIFY_LINKED);
	object_full = false;

	assert_int_equal(fstatat(f->dirfd, "a", &a, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "b", &b, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "c", &c, 0), 0);
	assert_true(a.st_ino != b.st_ino);	/* b went to the sibling */
	assert_true(b.st_ino == c.st_ino);	/* and c joined it */
	assert_int_equal(b.st_nlink, 3);
}

/* A file changed while it is hashed is left with what the guest wrote. */
static void changed_while_hashed(struct fixture *f, int how)
{
	struct stat before, after;
	char buf[32] = { 0 };
	int fd;

	make_file(f->dirfd, "a");
	make_file(f->dirfd, "b");
	assert_int_equal(unify(f, "a"), UNIFY_LINKED_NEW);

	assert_int_equal(fstatat(f->dirfd, "b", &before, 0), 0);
	snprintf(victim_path, sizeof(victim_path), "%s/b", f->top);
	attack = how;
	victim = before.st_ino;
	assert_int_equal(unify(f, "b"), UNIFY_CHANGED);
	assert_int_equal(victim, 0);	/* the attack did happen */

	assert_int_equal(fstatat(f->dirfd, "b", &after, 0), 0);
	assert_int_equal(after.st_ino, before.st_ino);	/* not replaced */
	assert_int_equal(after.st_nlink, 1);
	fd = openat(f->dirfd, "b", O_RDONLY);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_string_equal(buf, how == TRUNCATE ? "sha" : "EVILed bytes\n");
}

static void test_rewritten_while_hashed(void **state)
{
	changed_while_hashed(*state, REWRITE);
}

static void test_truncated_while_hashed(void **state)
{
	changed_while_hashed(*state, TRUNCATE);
}

/*
 * A file that changes right after the store adopted its inode is taken
 * back: the object name goes, and so does the inode from the store's
 * set, so that its other name is not taken for an object.
 */
static void test_changed_after_adopted(void **state)
{
	struct fixture *f = *state;
	struct stat a, a2;

	make_file(f->dirfd, "a");
	assert_int_equal(linkat(f->dirfd, "a", f->dirfd, "a2", 0), 0);
	snprintf(adopted_victim, sizeof(adopted_victim), "%s/a", f->top);
	assert_int_equal(unify(f, "a"), UNIFY_CHANGED);
	assert_int_equal(adopted_victim[0], '\0');	/* it did write */

	assert_int_equal(fstatat(f->dirfd, "a", &a, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "a2", &a2, 0), 0);
	assert_int_equal(a.st_ino, a2.st_ino);
	assert_int_equal(a2.st_nlink, 2);	/* no object name left */
	assert_false(store_is_object(f->s, &a2));
}

/*
 * A failure hands back its error and the message printed, for the
 * report: no other record of it is needed.
 */
static void test_failure_says_why(void **state)
{
	struct fixture *f = *state;
	char want[LOG_MSG_MAX + 32];
	const char *out;

	make_file(f->dirfd, "a");
	adopt_errno = EIO;
	capture_stderr();
	assert_int_equal(unify(f, "a"), UNIFY_FAILED);
	out = captured();
	adopt_errno = 0;
	assert_int_equal(why.err, -EIO);
	snprintf(want, sizeof(want), "cannot store '%sa': %s", f->top,
		 strerror(EIO));
	assert_string_equal(why.msg, want);
	snprintf(want, sizeof(want), "vhashify: error: %s\n", why.msg);
	assert_string_equal(out, want);
}

/*
 * A name that appears each time it was found free is looked at again a
 * bounded number of times, then the file fails: no endless loop (the
 * alarm ends one).
 */
static void test_name_keeps_appearing(void **state)
{
	struct fixture *f = *state;

	make_file(f->dirfd, "a");
	adopt_errno = EEXIST;
	alarm(10);
	capture_stderr();
	assert_int_equal(unify(f, "a"), UNIFY_FAILED);
	captured();
	alarm(0);
	adopt_errno = 0;
	assert_int_equal(why.err, -EEXIST);
}

/*
 * An object written in place by a guest that shares it keeps its name:
 * in every hash mode (the fixture's store), a file with the original
 * bytes is compared with it and gets a sibling, never a link to the
 * other bytes.
 */
static void test_written_object(void **state)
{
	struct timespec t[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	struct fixture *f = *state;
	char buf[32] = { 0 };
	struct stat a, b;
	int fd;

	make_file(f->dirfd, "a");
	make_file(f->dirfd, "b");
	assert_int_equal(unify(f, "a"), UNIFY_LINKED_NEW);

	/* the guest of "a" writes the object, and gives the mtime back */
	fd = openat(f->dirfd, "a", O_WRONLY);
	assert_int_equal(pwrite(fd, "EVIL", 4, 0), 4);
	assert_int_equal(futimens(fd, t), 0);
	close(fd);

	assert_int_equal(unify(f, "b"), UNIFY_LINKED_NEW);
	assert_int_equal(fstatat(f->dirfd, "a", &a, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "b", &b, 0), 0);
	assert_true(a.st_ino != b.st_ino);
	fd = openat(f->dirfd, "b", O_RDONLY);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_string_equal(buf, "shared bytes\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_full_object_gets_a_sibling, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rewritten_while_hashed, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_truncated_while_hashed, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_changed_after_adopted, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failure_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_name_keeps_appearing, setup, teardown),
		{ "test_written_object_xxh3", test_written_object,
		  setup, teardown, NULL },
		{ "test_written_object_sha256", test_written_object,
		  setup_sha256, teardown, NULL },
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

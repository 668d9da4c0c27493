// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link step, on real files in a scratch directory, with linkat()
 * and renameat() wrapped (-Wl,--wrap) to inject the errors a real
 * filesystem gives rarely: EMLINK, EEXIST, EIO.
 */
#include "config.h"

#include <dirent.h>
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

#include "link.h"
#include "tmpname.h"

/* Errors for the next linkat() calls to fail with, in order. */
static int linkat_errors[4];
static int n_linkat_errors, next_linkat_error;
/* An error for every renameat() to fail with, or 0. */
static int renameat_error;

int __real_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int __real_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath);
int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath);

int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags)
{
	if (next_linkat_error < n_linkat_errors) {
		errno = linkat_errors[next_linkat_error++];
		return -1;
	}
	return __real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath)
{
	if (renameat_error) {
		errno = renameat_error;
		return -1;
	}
	return __real_renameat(olddirfd, oldpath, newdirfd, newpath);
}

struct fixture {
	char dir[64];
	int dirfd;		/* holds "object" and "guest" */
	struct stat guest;	/* the guest file as hashed */
	struct stat object;
};

static void write_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), strlen(text));
	close(fd);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/vhashify-link.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	assert_true(f->dirfd >= 0);
	write_file(f->dirfd, "object", "same bytes");
	write_file(f->dirfd, "guest", "same bytes");
	assert_int_equal(fstatat(f->dirfd, "guest", &f->guest, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "object", &f->object, 0), 0);
	n_linkat_errors = next_linkat_error = 0;
	renameat_error = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	close(f->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Whether a temporary of ours is left in the directory. */
static bool has_temporary(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	bool found = false;

	assert_non_null(d);
	while ((de = readdir(d)))
		found |= tmpname_is(de->d_name);
	closedir(d);
	return found;
}

static ino_t inode_of(const struct fixture *f, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_ino;
}

static void test_replaces(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(link_replace(f->dirfd, "object", f->dirfd, "guest",
				      &f->guest), 0);
	assert_int_equal(inode_of(f, "guest"), f->object.st_ino);
	assert_false(has_temporary(f));
}

static void test_changed_file_is_left_alone(void **state)
{
	struct fixture *f = *state;

	/* written after it was hashed: size and ctime differ */
	write_file(f->dirfd, "guest", "new bytes, longer");
	assert_int_equal(link_replace(f->dirfd, "object", f->dirfd, "guest",
				      &f->guest), -ESTALE);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
}

static void test_removed_file(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unlinkat(f->dirfd, "guest", 0), 0);
	assert_int_equal(link_replace(f->dirfd, "object", f->dirfd, "guest",
				      &f->guest), -ENOENT);
	assert_false(has_temporary(f));
}

static void test_too_many_links(void **state)
{
	struct fixture *f = *state;

	linkat_errors[0] = EMLINK;
	n_linkat_errors = 1;
	assert_int_equal(link_replace(f->dirfd, "object", f->dirfd, "guest",
				      &f->guest), -EMLINK);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
}

static void test_name_taken_retries(void **state)
{
	struct fixture *f = *state;

	/* a temporary name that exists already: another one is tried */
	linkat_errors[0] = EEXIST;
	n_linkat_errors = 1;
	assert_int_equal(link_replace(f->dirfd, "object", f->dirfd, "guest",
				      &f->guest), 0);
	assert_int_equal(next_linkat_error, 1);
	assert_int_equal(inode_of(f, "guest"), f->object.st_ino);
	assert_false(has_temporary(f));
}

static void test_rename_fails(void **state)
{
	struct fixture *f = *state;

	renameat_error = EIO;
	assert_int_equal(link_replace(f->dirfd, "object", f->dirfd, "guest",
				      &f->guest), -EIO);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_file_is_left_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_many_links, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_name_taken_retries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_fails, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link step, on real files in a scratch directory, with linkat()
 * and renameat2() wrapped (-Wl,--wrap) to inject the errors a real
 * filesystem gives rarely (EMLINK, EEXIST, EIO, EINVAL) and what a
 * running guest does at the worst moment: an upgrade (a new file
 * renamed over the path) or a delete just before a swap.
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
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "inode.h"
#include "link.h"
#include "store.h"
#include "tmpname.h"

/* Errors for the next linkat() calls to fail with, in order. */
static int linkat_errors[4];
static int n_linkat_errors, next_linkat_error;
/* An error for every renameat2() to fail with, or 0. */
static int renameat2_error;
/* Calls of renameat() (never wanted: it could undo an upgrade). */
static int renameat_calls;
/* set-up: the store writes its config with renameat() */
static bool setting_up;

/* What the guest does just before the n-th renameat2() call. */
enum guest_act { NOTHING, UPGRADE, DELETE, OPEN_TO_WRITE };
/* what the guest does just before each swap: room for every swap */
static enum guest_act guest_acts[LINK_MAX_SWAPS + 1];
static int n_renameat2_calls;
static int guest_dirfd;
/* OPEN_TO_WRITE: the descriptor whose lease the writer breaks, and it */
static int lease_fd = -1;
static pid_t writer;

int __real_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int __wrap_linkat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, int flags);
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned int flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned int flags);
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

static void write_file(int dirfd, const char *name, const char *text);

/* The guest's package manager: a new file, renamed over the path. */
static void guest_upgrade(int n)
{
	char text[32];

	snprintf(text, sizeof(text), "upgrade %d", n);
	write_file(guest_dirfd, "guest.new", text);
	assert_int_equal(__real_renameat2(guest_dirfd, "guest.new",
					  guest_dirfd, "guest", 0), 0);
}

/*
 * A process of the guest opens the file to write and appends to it; its
 * open waits for our lease, which it breaks before the swap goes on.
 */
static void guest_opens_to_write(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i, fd;

	writer = fork();
	assert_true(writer >= 0);
	if (!writer) {
		fd = openat(guest_dirfd, "guest", O_WRONLY | O_APPEND);
		_exit(fd < 0 || write(fd, ", late", 6) != 6);
	}
	for (i = 0; i < 500 && inode_lease_held(lease_fd); i++)
		nanosleep(&tick, NULL);
	assert_false(inode_lease_held(lease_fd));
}

int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned int flags)
{
	int n = n_renameat2_calls++;

	if (renameat2_error) {
		errno = renameat2_error;
		return -1;
	}
	if (n <= LINK_MAX_SWAPS && guest_acts[n] == UPGRADE)
		guest_upgrade(n + 1);
	else if (n <= LINK_MAX_SWAPS && guest_acts[n] == OPEN_TO_WRITE)
		guest_opens_to_write();
	else if (n <= LINK_MAX_SWAPS && guest_acts[n] == DELETE)
		assert_int_equal(unlinkat(guest_dirfd, "guest", 0), 0);
	return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath)
{
	if (setting_up)
		return __real_renameat(olddirfd, oldpath, newdirfd, newpath);
	renameat_calls++;
	errno = EIO;
	return -1;
}

struct fixture {
	char dir[64];
	int dirfd;		/* the guest directory: holds "guest" */
	struct store *store;	/* its object "ab/object" */
	int objfd;		/* objects/ab, the store's: holds "object" */
	struct stat guest;	/* the guest file as hashed */
	struct stat object;
	char left[TMPNAME_MAX];
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
	char path[80];
	struct stat st;
	int fd;

	strcpy(f->dir, "/tmp/vhashify-link.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	assert_true(f->dirfd >= 0);
	snprintf(path, sizeof(path), "%s/store", f->dir);
	setting_up = true;
	assert_int_equal(store_open(path, HASH_XXH3_128, false, false,
				    &f->store), 0);
	setting_up = false;
	f->objfd = store_object_dir(f->store, "ab/object", true);
	assert_true(f->objfd >= 0);
	/* the object: a file adopted, its first name gone */
	write_file(f->dirfd, "object", "same bytes");
	fd = openat(f->dirfd, "object", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(store_adopt(f->store, fd, &st, "ab/object"), 0);
	close(fd);
	assert_int_equal(unlinkat(f->dirfd, "object", 0), 0);
	write_file(f->dirfd, "guest", "same bytes");
	assert_int_equal(fstatat(f->dirfd, "guest", &f->guest, 0), 0);
	assert_int_equal(fstatat(f->objfd, "object", &f->object, 0), 0);
	n_linkat_errors = next_linkat_error = 0;
	renameat2_error = renameat_calls = n_renameat2_calls = 0;
	memset(guest_acts, 0, sizeof(guest_acts));
	guest_dirfd = f->dirfd;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->store);
	close(f->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Whether something named like a temporary is left in the directory. */
static bool has_temporary(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	bool found = false;

	assert_non_null(d);
	while ((de = readdir(d)))
		found |= tmpname_like(de->d_name);
	closedir(d);
	return found;
}

static ino_t inode_of(const struct fixture *f, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_ino;
}

/* The content of @name in the guest directory. */
static const char *content_of(const struct fixture *f, const char *name)
{
	static char buf[64];
	ssize_t n;
	int fd = openat(f->dirfd, name, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static nlink_t object_links(const struct fixture *f)
{
	struct stat st;

	assert_int_equal(fstatat(f->objfd, "object", &st, 0), 0);
	return st.st_nlink;
}

static int replace(struct fixture *f)
{
	/* "ab/object": the object "object" in the fan-out directory objfd */
	return link_replace(f->store, f->objfd, "ab/object", f->dirfd,
			    "guest", &f->guest, -1, f->left);
}

static void test_replaces(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(replace(f), 0);
	assert_int_equal(inode_of(f, "guest"), f->object.st_ino);
	assert_false(has_temporary(f));
	assert_int_equal(renameat_calls, 0);
}

static void test_changed_file_is_left_alone(void **state)
{
	struct fixture *f = *state;

	/* written after it was hashed: size and ctime differ */
	write_file(f->dirfd, "guest", "new bytes, longer");
	assert_int_equal(replace(f), -ESTALE);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_string_equal(content_of(f, "guest"), "new bytes, longer");
	assert_false(has_temporary(f));
	assert_int_equal(object_links(f), 1);
}

static void test_removed_file(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unlinkat(f->dirfd, "guest", 0), 0);
	assert_int_equal(replace(f), -ENOENT);
	assert_false(has_temporary(f));
}

static void test_too_many_links(void **state)
{
	struct fixture *f = *state;

	linkat_errors[0] = EMLINK;
	n_linkat_errors = 1;
	assert_int_equal(replace(f), -EMLINK);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
}

static void test_name_taken_retries(void **state)
{
	struct fixture *f = *state;

	/* a temporary name that exists already: another one is tried */
	linkat_errors[0] = EEXIST;
	n_linkat_errors = 1;
	assert_int_equal(replace(f), 0);
	assert_int_equal(next_linkat_error, 1);
	assert_int_equal(inode_of(f, "guest"), f->object.st_ino);
	assert_false(has_temporary(f));
}

static void test_rename_fails(void **state)
{
	struct fixture *f = *state;

	renameat2_error = EIO;
	assert_int_equal(replace(f), -EIO);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
}

/* A filesystem without RENAME_EXCHANGE: a clear error, no plain rename. */
static void test_no_exchange_fails_safe(void **state)
{
	struct fixture *f = *state;

	renameat2_error = EINVAL;
	assert_int_equal(replace(f), -EOPNOTSUPP);
	assert_int_equal(renameat_calls, 0);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
	assert_int_equal(object_links(f), 1);
}

/* The guest upgrades the file right before the swap: the upgrade stays. */
static void test_upgrade_at_swap_stays(void **state)
{
	struct fixture *f = *state;

	guest_acts[0] = UPGRADE;
	assert_int_equal(replace(f), -ESTALE);
	assert_string_equal(content_of(f, "guest"), "upgrade 1");
	assert_false(has_temporary(f));
	assert_int_equal(object_links(f), 1);
}

/*
 * A process opens the file to write right before the swap: the swap is
 * undone, and what it writes lands in the guest's file, not in an inode
 * no path names; the object is untouched.
 */
static void test_open_to_write_at_swap_undone(void **state)
{
	struct fixture *f = *state;
	int fd = openat(f->dirfd, "guest", O_RDONLY), status;

	assert_true(fd >= 0);
	assert_int_equal(inode_lease_take(fd), 0);
	lease_fd = fd;
	guest_acts[0] = OPEN_TO_WRITE;
	assert_int_equal(link_replace(f->store, f->objfd, "ab/object",
				      f->dirfd, "guest", &f->guest, fd,
				      f->left), -ESTALE);
	assert_int_equal(inode_of(f, "guest"), f->guest.st_ino);
	assert_false(has_temporary(f));
	inode_lease_drop(fd);
	assert_int_equal(waitpid(writer, &status, 0), writer);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(content_of(f, "guest"), "same bytes, late");
	assert_int_equal(object_links(f), 1);
	close(fd);
}

/* The guest deletes the file right before the swap: it stays deleted. */
static void test_delete_at_swap_stays(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	guest_acts[0] = DELETE;
	assert_int_equal(replace(f), -ENOENT);
	assert_int_equal(fstatat(f->dirfd, "guest", &st, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(has_temporary(f));
	assert_int_equal(object_links(f), 1);
}

/*
 * An upgrade before the swap and another one before the swap back:
 * the newest one ends in the path, the older one is gone.
 */
static void test_two_upgrades_newest_wins(void **state)
{
	struct fixture *f = *state;

	guest_acts[0] = guest_acts[1] = UPGRADE;
	assert_int_equal(replace(f), -ESTALE);
	assert_string_equal(content_of(f, "guest"), "upgrade 2");
	assert_false(has_temporary(f));
	assert_int_equal(object_links(f), 1);
	assert_int_equal(n_renameat2_calls, 3);
}

/*
 * The guest upgrades at every swap: no ping-pong without end; the
 * newest file is left beside the path and named, nothing is lost.
 */
static void test_endless_upgrades_give_up(void **state)
{
	struct fixture *f = *state;

	char newest[32], before[32];
	int i;

	for (i = 0; i <= LINK_MAX_SWAPS; i++)
		guest_acts[i] = UPGRADE;
	assert_int_equal(replace(f), -EAGAIN);
	assert_int_equal(n_renameat2_calls, LINK_MAX_SWAPS);
	assert_true(tmpname_like(f->left));
	snprintf(newest, sizeof(newest), "upgrade %d", LINK_MAX_SWAPS);
	snprintf(before, sizeof(before), "upgrade %d", LINK_MAX_SWAPS - 1);
	assert_string_equal(content_of(f, f->left), newest);
	assert_string_equal(content_of(f, "guest"), before);
	assert_int_equal(object_links(f), 1);
}

/*
 * An upgrade before the swap, a delete before the swap back: the
 * path stays deleted, and the upgrade it had is left aside, named.
 */
static void test_upgrade_then_delete(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	guest_acts[0] = UPGRADE;
	guest_acts[1] = DELETE;
	assert_int_equal(replace(f), -EAGAIN);
	assert_int_equal(fstatat(f->dirfd, "guest", &st, 0), -1);
	assert_string_equal(content_of(f, f->left), "upgrade 1");
	assert_int_equal(object_links(f), 1);
}

/* The swap for a file elsewhere (restore's copy in the store's tmp/). */
static void test_exchange_from_elsewhere(void **state)
{
	struct fixture *f = *state;
	char newest[32];
	struct stat copy;
	int tmpfd, i;

	tmpfd = store_open_tmp_dir(f->store);
	assert_true(tmpfd >= 0);
	write_file(tmpfd, "copy", "same bytes");
	assert_int_equal(fstatat(tmpfd, "copy", &copy, 0), 0);
	/* upgraded at every swap: the newest comes back into the guest */
	for (i = 0; i <= LINK_MAX_SWAPS; i++)
		guest_acts[i] = UPGRADE;
	assert_int_equal(link_exchange(tmpfd, "copy", f->dirfd, "guest",
				       &f->guest, &copy, -1, f->left), -EAGAIN);
	snprintf(newest, sizeof(newest), "upgrade %d", LINK_MAX_SWAPS);
	assert_string_equal(content_of(f, f->left), newest);
	assert_int_equal(faccessat(tmpfd, "copy", F_OK, 0), -1);
	/* a plain swap */
	write_file(tmpfd, "copy", "same bytes");
	assert_int_equal(fstatat(tmpfd, "copy", &copy, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "guest", &f->guest, 0), 0);
	memset(guest_acts, 0, sizeof(guest_acts));
	assert_int_equal(link_exchange(tmpfd, "copy", f->dirfd, "guest",
				       &f->guest, &copy, -1, f->left), 0);
	assert_int_equal(inode_of(f, "guest"), copy.st_ino);
	assert_int_equal(faccessat(tmpfd, "copy", F_OK, 0), -1);
	close(tmpfd);
}

/* Only a link to an object under this store's temporary name goes. */
static void test_leftovers(void **state)
{
	struct fixture *f = *state;
	char ours[TMPNAME_MAX], other[TMPNAME_MAX], plain[TMPNAME_MAX];
	struct stat st;

	tmpname_guest_next(ours, sizeof(ours), store_ino(f->store), 12,
			   "ab/cdef");
	tmpname_guest_next(other, sizeof(other), store_ino(f->store) + 1, 12,
			   "ab/cdef");
	tmpname_next(plain, sizeof(plain));
	assert_true(tmpname_guest_is(ours, store_ino(f->store)));
	assert_false(tmpname_guest_is(other, store_ino(f->store)));
	assert_false(tmpname_guest_is(plain, store_ino(f->store)));

	/* a link to the object under our name: removed */
	assert_int_equal(linkat(f->objfd, "object", f->dirfd, ours, 0),
			 0);
	assert_int_equal(fstatat(f->dirfd, ours, &st, 0), 0);
	/* a dry run decides alike and removes nothing */
	assert_int_equal(link_remove_leftover(f->store, f->dirfd, ours, &st,
					      true), 1);
	assert_int_equal(faccessat(f->dirfd, ours, F_OK, AT_SYMLINK_NOFOLLOW),
			 0);
	assert_int_equal(link_remove_leftover(f->store, f->dirfd, ours, &st,
					      false), 1);
	assert_int_equal(object_links(f), 1);

	/* a guest file under our name: left alone */
	write_file(f->dirfd, ours, "same bytes");
	assert_int_equal(fstatat(f->dirfd, ours, &st, 0), 0);
	assert_int_equal(link_remove_leftover(f->store, f->dirfd, ours, &st,
					      false), 0);
	assert_int_equal(unlinkat(f->dirfd, ours, 0), 0);

	/* a link to the object under another store's or an old name */
	assert_int_equal(linkat(f->objfd, "object", f->dirfd, other, 0),
			 0);
	assert_int_equal(fstatat(f->dirfd, other, &st, 0), 0);
	assert_int_equal(link_remove_leftover(f->store, f->dirfd, other,
					      &st, false), 0);
	assert_int_equal(linkat(f->objfd, "object", f->dirfd, plain, 0),
			 0);
	assert_int_equal(fstatat(f->dirfd, plain, &st, 0), 0);
	assert_int_equal(link_remove_leftover(f->store, f->dirfd, plain,
					      &st, false), 0);
	assert_int_equal(object_links(f), 3);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_replaces),
		T(test_changed_file_is_left_alone),
		T(test_removed_file),
		T(test_too_many_links),
		T(test_name_taken_retries),
		T(test_rename_fails),
		T(test_no_exchange_fails_safe),
		T(test_upgrade_at_swap_stays),
		T(test_open_to_write_at_swap_undone),
		T(test_delete_at_swap_stays),
		T(test_two_upgrades_newest_wins),
		T(test_endless_upgrades_give_up),
		T(test_upgrade_then_delete),
		T(test_exchange_from_elsewhere),
		T(test_leftovers),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

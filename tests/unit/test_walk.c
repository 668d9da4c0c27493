// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The walk on real trees in a scratch directory: a directory's mtime is
 * given back only when nothing but file() changed it (futimens() is
 * wrapped with -Wl,--wrap to change the directory right before it); a
 * chain deeper than the descriptors allow is walked with a few of them;
 * a directory moved while its descriptor is closed is reported, not
 * followed.
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

#include "walk.h"

#define OLD_MTIME 1600000000

int __real_futimens(int fd, const struct timespec times[2]);
int __wrap_futimens(int fd, const struct timespec times[2]);

/* set by a test: a name to create in the directory at futimens() */
static const char *after_futimens;

/* the change comes just before the times are set: the kernel's new
 * mtime is overwritten, and only a look afterwards can tell */
int __wrap_futimens(int fd, const struct timespec times[2])
{
	if (after_futimens) {
		int f = openat(fd, after_futimens, O_CREAT | O_WRONLY, 0644);

		assert_true(f >= 0);
		close(f);
		after_futimens = NULL;
	}
	return __real_futimens(fd, times);
}

struct run {
	int files, dirs, fails, stale;
	size_t max_depth;
	int max_fd;
	const char *intrude;	/* a name file() adds to the directory */
	bool replace;		/* file() replaces the entry */
	bool remove;		/* file() removes the entry */
	const char *move_from, *move_to;	/* file() renames these */
	char last[64];
};

static bool enter_cb(const struct walk_entry *e, void *arg)
{
	struct run *r = arg;

	(void)e;
	r->dirs++;
	return true;
}

static bool file_cb(const struct walk_entry *e, void *arg)
{
	struct run *r = arg;
	int fd;

	r->files++;
	if (e->depth > r->max_depth)
		r->max_depth = e->depth;
	fd = dup(0);		/* the lowest free descriptor */
	if (fd > r->max_fd)
		r->max_fd = fd;
	close(fd);
	snprintf(r->last, sizeof(r->last), "%s", e->path);
	if (r->intrude) {
		fd = openat(e->dirfd, r->intrude, O_CREAT | O_WRONLY, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	if (r->replace) {
		/* what link does: a new inode renamed over the name */
		fd = openat(e->dirfd, "new.tmp", O_CREAT | O_WRONLY, 0644);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(renameat(e->dirfd, "new.tmp", e->dirfd,
					  e->name), 0);
	}
	if (r->remove)
		assert_int_equal(unlinkat(e->dirfd, e->name, 0), 0);
	if (r->move_from) {
		assert_int_equal(rename(r->move_from, r->move_to), 0);
		r->move_from = NULL;
	}
	return r->replace || r->remove || r->intrude;
}

static void fail_cb(const char *path, int err, void *arg)
{
	struct run *r = arg;

	(void)path;
	r->fails++;
	if (err == -ESTALE)
		r->stale++;
}

static const struct walk_ops ops = { enter_cb, file_cb, fail_cb };

static char top[] = "/tmp/vhashify-test-walk.XXXXXX";

static int setup(void **state)
{
	(void)state;
	strcpy(top, "/tmp/vhashify-test-walk.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

/* top/d with files a and b, its mtime set to OLD_MTIME; returns its fd */
static int make_dir(void)
{
	struct timespec t[2] = { { .tv_nsec = UTIME_OMIT },
				 { .tv_sec = OLD_MTIME } };
	char path[128];
	int dfd, fd;

	snprintf(path, sizeof(path), "%s/d", top);
	assert_int_equal(mkdir(path, 0755), 0);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = openat(dfd, "a", O_CREAT | O_WRONLY, 0644);
	close(fd);
	fd = openat(dfd, "b", O_CREAT | O_WRONLY, 0644);
	close(fd);
	assert_int_equal(__real_futimens(dfd, t), 0);
	return dfd;
}

static time_t mtime_of(int dfd)
{
	struct stat st;

	assert_int_equal(fstat(dfd, &st), 0);
	return st.st_mtim.tv_sec;
}

static void test_replaced_gets_mtime_back(void **state)
{
	struct run r = { .replace = true };
	int dfd = make_dir();

	(void)state;
	assert_int_equal(walk_tree(dfd, &ops, &r), 0);
	assert_int_equal(r.files, 2);
	assert_int_equal(mtime_of(dfd), OLD_MTIME);
	close(dfd);
}

static void test_removed_gets_mtime_back(void **state)
{
	struct run r = { .remove = true };
	int dfd = make_dir();

	(void)state;
	assert_int_equal(walk_tree(dfd, &ops, &r), 0);
	assert_int_equal(mtime_of(dfd), OLD_MTIME);
	close(dfd);
}

static void test_untouched_keeps_mtime(void **state)
{
	struct run r = { 0 };
	int dfd = make_dir();

	(void)state;
	assert_int_equal(walk_tree(dfd, &ops, &r), 0);
	assert_int_equal(r.files, 2);
	assert_int_equal(mtime_of(dfd), OLD_MTIME);
	close(dfd);
}

static void test_added_file_keeps_new_mtime(void **state)
{
	struct run r = { .replace = true, .intrude = "newcomer" };
	int dfd = make_dir();

	(void)state;
	assert_int_equal(walk_tree(dfd, &ops, &r), 0);
	assert_true(mtime_of(dfd) > OLD_MTIME);
	close(dfd);
}

static void test_change_after_restore_sets_now(void **state)
{
	struct run r = { .replace = true };
	int dfd = make_dir();

	(void)state;
	after_futimens = "late";
	assert_int_equal(walk_tree(dfd, &ops, &r), 0);
	assert_null(after_futimens);	/* futimens() was called */
	assert_true(mtime_of(dfd) > OLD_MTIME);
	close(dfd);
}

/* A chain of @depth directories "d" below top, a file "f" at the end. */
/* walk_change_entry(): replaces "a" of top/d, and when @intrude is
 * set a guest adds that name at the same time */
struct change {
	int dfd;
	const char *intrude;
};

static bool replace_a(void *arg)
{
	struct change *c = arg;
	int fd;

	fd = openat(c->dfd, "a.new", O_CREAT | O_WRONLY, 0644);
	close(fd);
	if (c->intrude) {
		fd = openat(c->dfd, c->intrude, O_CREAT | O_WRONLY, 0644);
		close(fd);
	}
	return !renameat(c->dfd, "a.new", c->dfd, "a");
}

/* Outside a walk, one replaced entry: the mtime comes back... */
static void test_change_entry_gets_mtime_back(void **state)
{
	struct change c = { .dfd = make_dir() };

	(void)state;
	assert_true(walk_change_entry(c.dfd, "a", replace_a, &c));
	assert_int_equal(mtime_of(c.dfd), OLD_MTIME);
	close(c.dfd);
}

/* ...unless someone else changed the directory meanwhile */
static void test_change_entry_added_keeps_new_mtime(void **state)
{
	struct change c = { .dfd = make_dir(), .intrude = "newcomer" };

	(void)state;
	assert_true(walk_change_entry(c.dfd, "a", replace_a, &c));
	assert_true(mtime_of(c.dfd) > OLD_MTIME);
	close(c.dfd);
}

static int make_chain(int depth)
{
	int dfd, fd, i;

	dfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	for (i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(dfd, "d", 0755), 0);
		fd = openat(dfd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(fd >= 0);
		close(dfd);
		dfd = fd;
	}
	fd = openat(dfd, "f", O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	close(dfd);
	return open(top, O_RDONLY | O_DIRECTORY);
}

static void test_deep_chain(void **state)
{
	struct run r = { 0 };
	int base, rootfd;

	(void)state;
	rootfd = make_chain(20000);
	assert_true(rootfd >= 0);
	base = dup(0);
	close(base);
	assert_int_equal(walk_tree(rootfd, &ops, &r), 0);
	assert_int_equal(r.fails, 0);
	assert_int_equal(r.dirs, 20000);
	assert_int_equal(r.files, 1);
	assert_int_equal(r.max_depth, 20001);
	/* the root's, WALK_OPEN_LEVELS and one being opened */
	assert_true(r.max_fd - base <= WALK_OPEN_LEVELS + 2);
	close(rootfd);
}

static void test_moved_while_closed(void **state)
{
	struct run r = { 0 };
	char from[128], to[128];
	int rootfd;

	(void)state;
	rootfd = make_chain(WALK_OPEN_LEVELS + 10);
	/* /d/d/d goes to /moved: the walk's closed /d/d is not its
	 * parent any more */
	snprintf(from, sizeof(from), "%s/d/d/d", top);
	snprintf(to, sizeof(to), "%s/moved", top);
	r.move_from = from;
	r.move_to = to;
	assert_int_equal(walk_tree(rootfd, &ops, &r), 0);
	assert_int_equal(r.files, 1);
	assert_true(r.stale >= 1);
	close(rootfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replaced_gets_mtime_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_gets_mtime_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_untouched_keeps_mtime,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_file_keeps_new_mtime,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_change_after_restore_sets_now, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_change_entry_gets_mtime_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_change_entry_added_keeps_new_mtime, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_deep_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_moved_while_closed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Comparing stat results of one file (inode.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "inode.h"

/* A regular file's stat, of a temporary file removed again. */
static void temp_stat(struct stat *st)
{
	char path[] = "/tmp/test_inode.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, st), 0);
	close(fd);
	unlink(path);
}

static void test_same(void **state)
{
	struct stat a, b;

	(void)state;
	temp_stat(&a);
	b = a;
	assert_true(inode_same(&a, &b));
	assert_true(inode_same_content(&a, &b));
	assert_true(inode_same_state(&a, &b));
}

/* A link of ours moves ctime alone: the content is the same. */
static void test_ctime(void **state)
{
	struct stat a, b;

	(void)state;
	temp_stat(&a);
	b = a;
	b.st_ctim.tv_nsec ^= 1;
	assert_true(inode_same_content(&a, &b));
	assert_false(inode_same_state(&a, &b));
}

/* A write moves mtime or size; a chmod or chown the mode or owner. */
static void test_changed(void **state)
{
	struct stat a, b;

	(void)state;
	temp_stat(&a);
	b = a;
	b.st_mtim.tv_nsec ^= 1;
	assert_false(inode_same_content(&a, &b));
	b = a;
	b.st_mtim.tv_sec++;
	assert_false(inode_same_content(&a, &b));
	b = a;
	b.st_size++;
	assert_false(inode_same_content(&a, &b));
	b = a;
	b.st_mode ^= 0100;
	assert_false(inode_same_content(&a, &b));
	b = a;
	b.st_uid++;
	assert_false(inode_same_content(&a, &b));
	b = a;
	b.st_gid++;
	assert_false(inode_same_content(&a, &b));
	assert_false(inode_same_state(&a, &b));
	assert_true(inode_same(&a, &b));
}

/* Another inode, or the same number on another device, is not it. */
static void test_other_inode(void **state)
{
	struct stat a, b;

	(void)state;
	temp_stat(&a);
	b = a;
	b.st_ino++;
	assert_false(inode_same(&a, &b));
	assert_false(inode_same_content(&a, &b));
	b = a;
	b.st_dev++;
	assert_false(inode_same(&a, &b));
	assert_false(inode_same_state(&a, &b));
}

/* A lease is refused while another descriptor has the file to write. */
static void test_lease_refused_to_a_writer(void **state)
{
	char path[] = "/tmp/test_inode.XXXXXX";
	int w = mkstemp(path), r;

	(void)state;
	assert_true(w >= 0);
	r = open(path, O_RDONLY);
	assert_true(r >= 0);
	assert_int_equal(inode_lease_take(r), -EAGAIN);
	close(w);
	assert_int_equal(inode_lease_take(r), 0);
	assert_true(inode_lease_held(r));
	inode_lease_drop(r);
	assert_false(inode_lease_held(r));
	close(r);
	unlink(path);
}

/*
 * An open for writing breaks the lease: we see it, no signal ends us,
 * and the writer waits until we drop the lease.
 */
static void test_lease_broken_by_a_writer(void **state)
{
	char path[] = "/tmp/test_inode.XXXXXX";
	int w = mkstemp(path), r, i, status;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t pid;

	(void)state;
	assert_true(w >= 0);
	close(w);
	r = open(path, O_RDONLY);
	assert_true(r >= 0);
	assert_int_equal(inode_lease_take(r), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(open(path, O_WRONLY) < 0);
	for (i = 0; i < 500 && inode_lease_held(r); i++)
		nanosleep(&tick, NULL);
	assert_false(inode_lease_held(r));
	/* the writer is still waiting for us */
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	inode_lease_drop(r);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_ctime),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_other_inode),
		cmocka_unit_test(test_lease_refused_to_a_writer),
		cmocka_unit_test(test_lease_broken_by_a_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening guest files: content_open() and guest_openat() open regular
 * files only. A FIFO or device node, planted or swapped in for a file
 * between the walk's stat and the open, is refused without ever being
 * opened to read: openat() is wrapped to record every open and, once,
 * to swap a file for a FIFO just before the open.
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
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "content.h"
#include "guest.h"

static char top[] = "/tmp/vhashify-content.XXXXXX";
static int topfd = -1;

/* opens that could read: not O_PATH, and not through /proc's magic link */
static unsigned int read_opens;
/* opens of a number in /proc/self/fd (the reopen of a checked inode) */
static unsigned int reopens;
/* when set, the next openat() of this name first swaps it for a FIFO */
static const char *swap_name;

int __real_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (swap_name && !strcmp(path, swap_name)) {
		/* the guest, between the walk's stat and our open */
		swap_name = NULL;
		assert_int_equal(unlinkat(dirfd, path, 0), 0);
		assert_int_equal(mkfifoat(dirfd, path, 0644), 0);
	}
	if (*path && strspn(path, "0123456789") == strlen(path))
		reopens++;
	else if (!(flags & O_PATH))
		read_opens++;
	return __real_openat(dirfd, path, flags, mode);
}

static void put(const char *name, const char *text)
{
	int fd = openat(topfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(top));
	topfd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(topfd >= 0);
	put("file", "content\n");
	assert_int_equal(mkfifoat(topfd, "fifo", 0644), 0);
	assert_int_equal(symlinkat("file", topfd, "link"), 0);
	assert_int_equal(mkdirat(topfd, "dir", 0755), 0);
	/* /dev/null's numbers: harmless should the test ever open it */
	if (mknodat(topfd, "null", S_IFCHR | 0644, makedev(1, 3)))
		assert_int_equal(mkfifoat(topfd, "null", 0644), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	close(topfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd);
}

static void reset(void)
{
	read_opens = reopens = 0;
}

/* A regular file opens, blocking, at its first byte. */
static void regular_file(void **state)
{
	char buf[16] = "";
	int fd;

	(void)state;
	reset();
	fd = content_open(topfd, "file", NULL);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
	assert_string_equal(buf, "content\n");
	close(fd);
	assert_int_equal(reopens, 1);
}

/* A FIFO or device node is refused and never opened to read. */
static void special_files(void **state)
{
	static const char *const names[] = { "fifo", "null" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		reset();
		assert_int_equal(content_open(topfd, names[i], NULL), -ENXIO);
		assert_int_equal(read_opens, 0);
		assert_int_equal(reopens, 0);
	}
	assert_string_equal(content_strerror(-ENXIO), "not a regular file");
}

static void symlink_and_dir(void **state)
{
	(void)state;
	reset();
	assert_int_equal(content_open(topfd, "link", NULL), -ELOOP);
	assert_int_equal(content_open(topfd, "dir", NULL), -ENXIO);
	assert_int_equal(reopens, 0);
}

/* The walk saw a regular file; by the open it is a FIFO. */
static void swapped_for_fifo(void **state)
{
	struct stat st;

	(void)state;
	put("victim", "data\n");
	assert_int_equal(fstatat(topfd, "victim", &st, AT_SYMLINK_NOFOLLOW),
			 0);
	assert_true(S_ISREG(st.st_mode));
	reset();
	swap_name = "victim";
	assert_int_equal(content_open(topfd, "victim", NULL), -ENXIO);
	assert_null(swap_name);
	assert_int_equal(read_opens, 0);
	assert_int_equal(reopens, 0);
}

/* content_reopen() with O_DIRECTORY wants a directory. */
static void reopen_directory(void **state)
{
	int p, fd;

	(void)state;
	p = openat(topfd, "dir", O_PATH);
	assert_true(p >= 0);
	fd = content_reopen(p, O_DIRECTORY, NULL);
	assert_true(fd >= 0);
	close(fd);
	close(p);
	p = openat(topfd, "file", O_PATH);
	assert_true(p >= 0);
	assert_int_equal(content_reopen(p, O_DIRECTORY, NULL), -ENOTDIR);
	close(p);
}

/* guest_openat(), the service plugins and os-release use, likewise. */
static void guest_file(void **state)
{
	int fd;

	(void)state;
	reset();
	assert_int_equal(guest_openat(topfd, "/fifo", O_RDONLY | O_NONBLOCK),
			 -ENXIO);
	assert_int_equal(guest_openat(topfd, "null", O_RDONLY), -ENXIO);
	assert_int_equal(guest_openat(topfd, "/dir", O_RDONLY), -ENXIO);
	assert_int_equal(reopens, 0);
	fd = guest_openat(topfd, "/link", O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(guest_openat(topfd, "/link", O_RDONLY | O_NOFOLLOW),
			 -ELOOP);
	fd = guest_openat(topfd, "/dir", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(guest_openat(topfd, "/fifo", O_RDONLY | O_DIRECTORY),
			 -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regular_file),
		cmocka_unit_test(special_files),
		cmocka_unit_test(symlink_and_dir),
		cmocka_unit_test(swapped_for_fifo),
		cmocka_unit_test(reopen_directory),
		cmocka_unit_test(guest_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

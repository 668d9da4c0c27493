// SPDX-License-Identifier: GPL-2.0-or-later
/* The metadata key: what it covers, its canonical encoding, applying it. */
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
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/fs.h>

#include <cmocka.h>

#include "metakey.h"

/* A new temporary file with mode 0644 and a fixed mtime. */
static int new_file(void)
{
	char name[] = "/tmp/vhashify-metakey.XXXXXX";
	struct timespec t[2] = { { 1700000000, 5 }, { 1700000000, 5 } };
	int fd = mkstemp(name);

	assert_true(fd >= 0);
	unlink(name);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(futimens(fd, t), 0);
	return fd;
}

static void key_of(int fd, bool ignore_mtime, struct metakey *k)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(metakey_read(fd, &st, ignore_mtime, k), 0);
}

static bool xattrs_work(int fd)
{
	return !fsetxattr(fd, "user.probe", "1", 1, 0) &&
	       !fremovexattr(fd, "user.probe");
}

static void test_layout(void **state)
{
	struct metakey k;
	int fd = new_file();

	(void)state;
	key_of(fd, false, &k);
	if (k.n_xattrs) {	/* e.g. an SELinux label on the host */
		metakey_release(&k);
		close(fd);
		skip();
	}
	/* "vhmk", version, flags, mode, uid, gid, sec, nsec, count */
	assert_int_equal(k.enc_len, 6 + 4 + 4 + 4 + 8 + 4 + 4);
	assert_memory_equal(k.enc, "vhmk\1\0", 6);
	assert_memory_equal(k.enc + 6, "\xa4\x01\0\0", 4);	/* 0644 */
	assert_int_equal(k.enc[26], 5);				/* nsec */
	metakey_release(&k);
	close(fd);
}

static void test_equal_and_different(void **state)
{
	struct timespec later[2] = { { 1700000001, 5 }, { 1700000001, 5 } };
	struct metakey a, b, c;
	int fa = new_file(), fb = new_file();

	(void)state;
	key_of(fa, false, &a);
	key_of(fb, false, &b);
	assert_true(metakey_equal(&a, &b));
	assert_true(a.id == b.id);

	assert_int_equal(fchmod(fb, 0600), 0);
	key_of(fb, false, &c);
	assert_false(metakey_equal(&a, &c));
	assert_false(a.id == c.id);
	metakey_release(&c);

	assert_int_equal(fchmod(fb, 0644), 0);
	assert_int_equal(futimens(fb, later), 0);
	key_of(fb, false, &c);
	assert_false(metakey_equal(&a, &c));
	metakey_release(&c);

	/* with mtime ignored the keys agree, and differ from kept ones */
	metakey_release(&a);
	key_of(fa, true, &a);
	key_of(fb, true, &c);
	assert_true(metakey_equal(&a, &c));
	assert_false(metakey_equal(&a, &b));
	metakey_release(&a);
	metakey_release(&b);
	metakey_release(&c);
	close(fa);
	close(fb);
}

static void test_xattrs(void **state)
{
	struct metakey a, b;
	int fa = new_file(), fb = new_file();

	(void)state;
	if (!xattrs_work(fa)) {
		close(fa);
		close(fb);
		skip();
	}
	/* the same xattrs set in another order: one encoding */
	assert_int_equal(fsetxattr(fa, "user.b", "2", 1, 0), 0);
	assert_int_equal(fsetxattr(fa, "user.a", "1", 1, 0), 0);
	assert_int_equal(fsetxattr(fb, "user.a", "1", 1, 0), 0);
	assert_int_equal(fsetxattr(fb, "user.b", "2", 1, 0), 0);
	key_of(fa, false, &a);
	key_of(fb, false, &b);
	assert_true(metakey_equal(&a, &b));
	assert_true(a.n_xattrs >= 2);
	metakey_release(&b);
	/* one value differs: the keys differ */
	assert_int_equal(fsetxattr(fb, "user.b", "3", 1, 0), 0);
	key_of(fb, false, &b);
	assert_false(metakey_equal(&a, &b));
	metakey_release(&a);
	metakey_release(&b);
	close(fa);
	close(fb);
}

static void test_apply(void **state)
{
	struct metakey a, b;
	int fa = new_file(), fb;
	bool root = geteuid() == 0;

	(void)state;
	assert_int_equal(fchmod(fa, 04750), 0);
	if (root)
		assert_int_equal(fchown(fa, 1234, 4321), 0);
	if (xattrs_work(fa))
		assert_int_equal(fsetxattr(fa, "user.tag", "v", 1, 0), 0);
	key_of(fa, false, &a);
	fb = new_file();
	assert_int_equal(metakey_apply(&a, fb), 0);
	key_of(fb, false, &b);
	assert_true(metakey_equal(&a, &b));
	metakey_release(&a);
	metakey_release(&b);
	close(fa);
	close(fb);
}

/* Sets inode flags @set on @fd; false where the filesystem has none. */
static bool set_iflags(int fd, int set)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return false;
	flags |= set;
	return !ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

static void test_iflags(void **state)
{
	struct metakey a, b, c;
	int fa = new_file(), fb = new_file();
	size_t len;

	(void)state;
	key_of(fa, false, &a);
	len = a.enc_len;
	/* flags the filesystem sets itself (ext4's extents) are not in
	 * the key, so it is the old one; a guest's flags are */
	if (!set_iflags(fb, FS_NOATIME_FL | FS_NODUMP_FL)) {
		metakey_release(&a);
		close(fa);
		close(fb);
		skip();
	}
	key_of(fb, false, &b);
	assert_int_equal(b.iflags, FS_NOATIME_FL | FS_NODUMP_FL);
	assert_false(metakey_equal(&a, &b));
	assert_false(a.id == b.id);
	/* bit 1 of the flags byte, then u32 iflags and u32 projid */
	assert_int_equal(b.enc_len, len + 8);
	assert_int_equal(b.enc[5], 2);
	assert_int_equal(a.enc[5], 0);

	/* applied to a file without them: the same key again */
	assert_int_equal(metakey_apply(&b, fa), 0);
	key_of(fa, false, &c);
	assert_true(metakey_equal(&b, &c));
	metakey_release(&c);
	/* and taken off again */
	assert_int_equal(metakey_apply(&a, fa), 0);
	key_of(fa, false, &c);
	assert_true(metakey_equal(&a, &c));
	metakey_release(&a);
	metakey_release(&b);
	metakey_release(&c);
	close(fa);
	close(fb);
}

/* An xattr the file has and the key lacks is removed by apply. */
static void test_apply_removes(void **state)
{
	struct metakey a, b;
	int fa = new_file(), fb = new_file();

	(void)state;
	if (!xattrs_work(fb)) {
		close(fa);
		close(fb);
		skip();
	}
	assert_int_equal(fsetxattr(fa, "user.kept", "1", 1, 0), 0);
	assert_int_equal(fsetxattr(fb, "user.extra", "x", 1, 0), 0);
	assert_int_equal(fsetxattr(fb, "user.kept", "2", 1, 0), 0);
	key_of(fa, false, &a);
	assert_int_equal(metakey_apply(&a, fb), 0);
	key_of(fb, false, &b);
	assert_true(metakey_equal(&a, &b));
	assert_int_equal(fgetxattr(fb, "user.extra", NULL, 0), -1);
	assert_int_equal(errno, ENODATA);
	metakey_release(&a);
	metakey_release(&b);
	close(fa);
	close(fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_equal_and_different),
		cmocka_unit_test(test_xattrs),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_iflags),
		cmocka_unit_test(test_apply_removes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

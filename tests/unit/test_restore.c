// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --restore against a running guest: renameat() and renameat2() are
 * wrapped (-Wl,--wrap) so that the guest upgrades (a new file renamed
 * over the path) or deletes the file right before vhashify's own rename
 * call, the worst moment. The upgrade or delete must stand, and
 * nothing of ours may be left in the guest or the store. Also: two
 * names of one object in a guest get one private copy. The same for
 * --verify --detach-modified (verify_guests()), whose guest plants a
 * symlink to a host file or a FIFO at the path, or renames it away.
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

#include "guest.h"
#include "guest-restore.h"
#include "store.h"
#include "store-verify.h"
#include "tmpname.h"

/* What the guest does to usr/f just before the first rename onto it. */
enum guest_act { NOTHING, UPGRADE, DELETE, SYMLINK, FIFO, MOVE };
static enum guest_act guest_act;
static int renames;
static int usr_fd = -1;
static char host_file[128];	/* a host file a planted symlink names */

int __real_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath);
int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath);
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned int flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned int flags);

static void write_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), strlen(text));
	close(fd);
}

static void guest_acts(const char *newpath)
{
	if (strcmp(newpath, "f") || renames++ || guest_act == NOTHING)
		return;
	if (guest_act == DELETE) {
		assert_int_equal(unlinkat(usr_fd, "f", 0), 0);
		return;
	}
	if (guest_act == MOVE) {
		assert_int_equal(__real_renameat2(usr_fd, "f", usr_fd,
						  "f.moved", 0), 0);
		return;
	}
	if (guest_act == SYMLINK || guest_act == FIFO) {
		assert_int_equal(guest_act == FIFO ?
				 mkfifoat(usr_fd, "f.new", 0644) :
				 symlinkat(host_file, usr_fd, "f.new"), 0);
		assert_int_equal(__real_renameat2(usr_fd, "f.new", usr_fd,
						  "f", 0), 0);
		return;
	}
	write_file(usr_fd, "f.new", "upgraded");
	assert_int_equal(__real_renameat2(usr_fd, "f.new", usr_fd, "f", 0), 0);
}

int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd,
		    const char *newpath)
{
	guest_acts(newpath);
	return __real_renameat(olddirfd, oldpath, newdirfd, newpath);
}

int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, unsigned int flags)
{
	guest_acts(newpath);
	return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

struct fixture {
	char dir[64];
	int dirfd;
	struct store *store;
	struct guest g1, g2;
	struct stat object;
};

static void mkdirs(int dirfd, const char *path)
{
	char cmd[256];

	(void)dirfd;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
	assert_int_equal(system(cmd), 0);
}

/*
 * Guest g1 has usr/f and usr/g, two names of one object; g2 has usr/f,
 * another name of it. The store is made by hand: one object.
 */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[128];
	int fd;

	strcpy(f->dir, "/tmp/vhashify-restore.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%s/g1/usr %s/g2/usr", f->dir, f->dir);
	mkdirs(f->dirfd, path);
	snprintf(path, sizeof(path), "%s/store", f->dir);
	assert_int_equal(store_open(path, HASH_XXH3_128, false, false,
				    &f->store), 0);
	usr_fd = openat(f->dirfd, "g1/usr", O_RDONLY | O_DIRECTORY);
	assert_true(usr_fd >= 0);
	write_file(usr_fd, "f", "shared bytes");
	fd = openat(usr_fd, "f", O_RDONLY);
	assert_int_equal(fstat(fd, &f->object), 0);
	assert_int_equal(store_adopt(f->store, fd, &f->object,
				     "ab/cd-0123456789abcdef"), 0);
	close(fd);
	assert_int_equal(linkat(usr_fd, "f", usr_fd, "g", 0), 0);
	fd = openat(f->dirfd, "g2/usr", O_RDONLY | O_DIRECTORY);
	assert_int_equal(linkat(usr_fd, "f", fd, "f", 0), 0);
	close(fd);
	assert_int_equal(fstatat(usr_fd, "f", &f->object, 0), 0);
	snprintf(path, sizeof(path), "%s/g1", f->dir);
	assert_int_equal(guest_open(&f->g1, NULL, path), 0);
	f->g1.store = f->store;
	snprintf(path, sizeof(path), "%s/g2", f->dir);
	assert_int_equal(guest_open(&f->g2, NULL, path), 0);
	f->g2.store = f->store;
	snprintf(host_file, sizeof(host_file), "%s/host", f->dir);
	write_file(f->dirfd, "host", "host bytes");
	guest_act = NOTHING;
	renames = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	guest_close(&f->g1);
	guest_close(&f->g2);
	store_close(f->store);
	close(usr_fd);
	close(f->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Entries of @dir other than . and .. named like temporaries. */
static int temporaries(const struct fixture *f, const char *dir)
{
	char path[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", f->dir, dir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += tmpname_like(de->d_name);
	closedir(d);
	return n;
}

static const char *content_of(const char *name)
{
	static char buf[64];
	ssize_t n;
	int fd = openat(usr_fd, name, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static struct stat stat_of(const struct fixture *f, const char *path)
{
	struct stat st;

	assert_int_equal(fstatat(f->dirfd, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st;
}

static void no_leftovers(const struct fixture *f)
{
	assert_int_equal(temporaries(f, "g1/usr"), 0);
	assert_int_equal(temporaries(f, "store/tmp"), 0);
}

/* Two names of one object in g1 get one private copy; g2 keeps it. */
static void test_hard_links_kept(void **state)
{
	struct fixture *f = *state;
	struct tally t = { 0 };
	struct stat a, b, other;

	restore_guest(&f->g1, false, &t);
	assert_int_equal(t.failed, 0);
	assert_int_equal(t.restored, 2);
	a = stat_of(f, "g1/usr/f");
	b = stat_of(f, "g1/usr/g");
	other = stat_of(f, "g2/usr/f");
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_not_equal(a.st_ino, f->object.st_ino);
	assert_int_equal(a.st_nlink, 2);
	assert_int_equal(other.st_ino, f->object.st_ino);
	assert_string_equal(content_of("f"), "shared bytes");
	no_leftovers(f);
}

/* The guest upgrades usr/f at the moment of the swap: the upgrade stays. */
static void test_upgrade_stays(void **state)
{
	struct fixture *f = *state;
	struct tally t = { 0 };

	guest_act = UPGRADE;
	restore_guest(&f->g1, false, &t);
	assert_int_equal(t.failed, 0);
	assert_string_equal(content_of("f"), "upgraded");
	assert_int_not_equal(stat_of(f, "g1/usr/g").st_ino, f->object.st_ino);
	assert_string_equal(content_of("g"), "shared bytes");
	no_leftovers(f);
}

/* The guest deletes usr/f at the moment of the swap: it stays deleted. */
static void test_delete_stays(void **state)
{
	struct fixture *f = *state;
	struct tally t = { 0 };
	struct stat st;

	guest_act = DELETE;
	restore_guest(&f->g1, false, &t);
	assert_int_equal(t.failed, 0);
	assert_int_equal(fstatat(usr_fd, "f", &st, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(content_of("g"), "shared bytes");
	no_leftovers(f);
}

/*
 * --verify --detach-modified of the fixture's object, found modified,
 * with guests g1 and g2. Returns the failures.
 */
static unsigned long detach(struct fixture *f)
{
	struct bad_object bad = {
		.store = f->store, .name = "ab/cd-0123456789abcdef",
		.why = "written", .dev = f->object.st_dev,
		.ino = f->object.st_ino, .modified = true };
	struct verification v = { .detach = true, .bad = &bad, .n_bad = 1 };
	struct guest guests[2] = { f->g1, f->g2 };
	unsigned long failed;

	failed = verify_guests(&v, guests, 2);
	assert_int_equal(bad.paths, 3);
	return failed;
}

static bool object_in_store(const struct fixture *f)
{
	struct stat st;

	return !fstatat(f->dirfd, "store/objects/ab/cd-0123456789abcdef",
			&st, AT_SYMLINK_NOFOLLOW) &&
	       st.st_ino == f->object.st_ino;
}

/* Every path gets a private copy, g1's two names one; the object goes. */
static void test_detach(void **state)
{
	struct fixture *f = *state;
	struct stat a, b, other;

	assert_int_equal(detach(f), 0);
	a = stat_of(f, "g1/usr/f");
	b = stat_of(f, "g1/usr/g");
	other = stat_of(f, "g2/usr/f");
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	assert_int_not_equal(a.st_ino, f->object.st_ino);
	assert_int_not_equal(other.st_ino, f->object.st_ino);
	assert_int_not_equal(other.st_ino, a.st_ino);
	assert_int_equal(other.st_nlink, 1);
	assert_string_equal(content_of("f"), "shared bytes");
	assert_false(object_in_store(f));
	no_leftovers(f);
}

/*
 * The guest plants a symlink to a host file (or a FIFO) at usr/f right
 * before the swap: it stays, the host file is not touched, and the
 * other paths are detached.
 */
static void planted(struct fixture *f, enum guest_act act)
{
	struct stat st;

	guest_act = act;
	assert_int_equal(detach(f), 0);
	st = stat_of(f, "g1/usr/f");
	assert_true(act == FIFO ? S_ISFIFO(st.st_mode) : S_ISLNK(st.st_mode));
	st = stat_of(f, "host");
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_size, strlen("host bytes"));
	assert_int_not_equal(stat_of(f, "g1/usr/g").st_ino, f->object.st_ino);
	assert_int_not_equal(stat_of(f, "g2/usr/f").st_ino, f->object.st_ino);
	assert_string_equal(content_of("g"), "shared bytes");
	assert_false(object_in_store(f));
	no_leftovers(f);
}

static void test_detach_symlink_planted(void **state)
{
	planted(*state, SYMLINK);
}

static void test_detach_fifo_planted(void **state)
{
	planted(*state, FIFO);
}

/*
 * The guest renames usr/f away right before the swap: the new name is
 * still a link to the object, so the object stays in the store, and
 * the run says so as a failure.
 */
static void test_detach_renamed(void **state)
{
	struct fixture *f = *state;

	guest_act = MOVE;
	assert_int_equal(detach(f), 1);
	assert_int_equal(stat_of(f, "g1/usr/f.moved").st_ino,
			 f->object.st_ino);
	assert_int_not_equal(stat_of(f, "g1/usr/g").st_ino, f->object.st_ino);
	assert_true(object_in_store(f));
	no_leftovers(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_hard_links_kept),
		T(test_upgrade_stays),
		T(test_delete_stays),
		T(test_detach),
		T(test_detach_symlink_planted),
		T(test_detach_fifo_planted),
		T(test_detach_renamed),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* The content-addressed store: config, lock, objects; see store.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <xxhash.h>

#include "content.h"
#include "immutable.h"
#include "log.h"
#include "objmap.h"
#include "store.h"
#include "tmpname.h"
#include "u64set.h"

struct store {
	char *path;
	int dirfd;		/* the store root, -1 in a dry run of a new store */
	int objfd;		/* objects/, -1 likewise */
	int tmpfd;		/* tmp/, -1 likewise */
	int fanfd[STORE_FANOUTS]; /* fan-out directories opened so far;
				   * -1 not yet, -2 not a directory */
	int lockfd;
	dev_t dev;		/* the filesystem it serves */
	ino_t ino;		/* the store directory, 0 when not there */
	long link_max;		/* links an inode may have there */
	enum hash_method hash;
	bool dry_run;		/* never write; remember would-be objects */
	bool immutable;		/* every object has the immutable flag */
	bool pending;		/* we made immutable-pending */
	bool pending_keep;	/* a flag may be missing: leave it there */
	struct objmap *objects;	/* all objects by inode, with a lock */
	struct u64set planned;	/* dry run: names of would-be objects */
	pthread_mutex_t lock;	/* guards planned, fanfd and the pending
				 * flags: guests run in threads */
};

/*
 * Opens @name in @dirfd without following a symlink, as @flags; it must
 * be a directory (@dir) or a regular file of the store's filesystem.
 * Returns the fd or -errno; -EUCLEAN when it is something else.
 */
static int open_entry(struct store *s, int dirfd, const char *name,
		      int flags, bool dir, mode_t mode)
{
	struct stat st;
	int fd, ret;

	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		    (dir ? O_DIRECTORY : O_NOCTTY), mode);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if ((dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) ||
	    st.st_dev != s->dev) {
		close(fd);
		return -EUCLEAN;
	}
	return fd;
}

/*
 * Says why the store's entry @what (a directory if @dir) could not be
 * opened: @err from open_entry().
 */
static void bad_entry(const struct store *s, const char *what, bool dir,
		      int err)
{
	struct stat st;
	bool link = err == -ELOOP ||
		    (!fstatat(s->dirfd, what, &st, AT_SYMLINK_NOFOLLOW) &&
		     S_ISLNK(st.st_mode));

	if (err == -EUCLEAN || err == -ELOOP || err == -ENOTDIR)
		error("unexpected '%s/%s' in the store: %s", qs(s->path),
		      what, link ? "a symbolic link" : dir ?
		      "not a directory of its filesystem" :
		      "not a regular file of its filesystem");
	else
		error("cannot open '%s/%s': %s", qs(s->path), what,
		      strerror(-err));
}

static unsigned int lock_timeout = 600;

void store_set_lock_timeout(unsigned int seconds)
{
	lock_timeout = seconds;
}

/* The pid holding a flock() on @fd's file, from /proc/locks, or 0. */
static int lock_holder(int fd)
{
	unsigned int maj, min;
	unsigned long ino;
	struct stat st;
	char line[256];
	int pid, found = 0;
	FILE *f;

	if (fstat(fd, &st))
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid,
			   &maj, &min, &ino) == 4 && ino == st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev) &&
		    pid != getpid())
			found = pid;
	fclose(f);
	return found;
}

/*
 * Takes the store lock, telling the user when another run holds it;
 * gives up after the lock timeout, naming the holder.
 */
static int take_lock(struct store *s)
{
	int op = s->dry_run ? LOCK_SH : LOCK_EX, pid, ret;
	unsigned long long waited;
	char holder[32] = "";

	s->lockfd = open_entry(s, s->dirfd, "lock",
			       s->dry_run ? O_RDONLY : O_RDWR | O_CREAT,
			       false, 0600);
	if (s->lockfd < 0) {
		ret = s->lockfd;
		s->lockfd = -1;
		if (s->dry_run && ret == -ENOENT)
			return 0;	/* nothing to lock in a new store */
		bad_entry(s, "lock", false, ret);
		return ret;
	}
	if (!flock(s->lockfd, op | LOCK_NB))
		return 0;
	if (errno != EWOULDBLOCK) {
		ret = -errno;
		return error_errno(ret, "cannot lock store '%s'",
				   qs(s->path));
	}
	if (lock_timeout)
		warning("store '%s' is in use by another run, waiting up to "
			"%u seconds", qs(s->path), lock_timeout);
	/* polled, not blocked in flock(): a wait with a bound */
	for (waited = 0; waited < lock_timeout * 10ULL; waited++) {
		usleep(100000);
		if (!flock(s->lockfd, op | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			ret = -errno;
			return error_errno(ret, "cannot lock store '%s'",
					   qs(s->path));
		}
	}
	pid = lock_holder(s->lockfd);
	if (pid)
		snprintf(holder, sizeof(holder), " (pid %d)", pid);
	error("store '%s' is locked by another run%s for more than %u "
	      "seconds", qs(s->path), holder, lock_timeout);
	return -EWOULDBLOCK;
}

static int write_config(struct store *s)
{
	FILE *f;
	int fd, ret;

	fd = openat(s->dirfd, "config.new",
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0644);
	if (fd < 0)
		goto out_errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	fprintf(f, "# vhashify store: do not edit\nformat: %d\nhash: %s\n%s",
		STORE_FORMAT, hash_method_name(s->hash),
		s->immutable ? "immutable: yes\n" : "");
	if (fflush(f) || fsync(fileno(f))) {
		ret = -errno;
		fclose(f);
		goto out;
	}
	if (fclose(f))
		goto out_errno;
	if (renameat(s->dirfd, "config.new", s->dirfd, "config"))
		goto out_errno;
	fsync(s->dirfd);
	return 0;

out_errno:
	ret = -errno;
out:
	return error_errno(ret, "cannot write '%s/config'", qs(s->path));
}

/* Reads STORE/config; sets *found to false when there is none. */
static int read_config(struct store *s, enum hash_method want,
		       bool hash_forced, bool *found)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	int format = -1, fd, ret = 0;
	bool have_hash = false;
	FILE *f;

	*found = false;
	fd = open_entry(s, s->dirfd, "config", O_RDONLY, false, 0);
	if (fd < 0) {
		if (fd == -ENOENT)
			return 0;
		bad_entry(s, "config", false, fd);
		return fd;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		close(fd);
		return error_errno(ret, "cannot read '%s/config'",
				   qs(s->path));
	}
	*found = true;
	while (getline(&line, &cap, f) >= 0) {
		char *val;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		val = strstr(line, ": ");
		if (!val)
			goto bad_line;
		*val = '\0';
		val += 2;
		if (!strcmp(line, "format")) {
			format = atoi(val);
		} else if (!strcmp(line, "hash")) {
			if (hash_method_parse(val, &s->hash))
				goto bad_line;
			have_hash = true;
		} else if (!strcmp(line, "immutable") && !strcmp(val, "yes")) {
			s->immutable = true;
		} else {
			goto bad_line;
		}
	}
	if (format != STORE_FORMAT) {
		error("store '%s' has format %d, this vhashify knows format %d",
		      qs(s->path), format, STORE_FORMAT);
		ret = -EINVAL;
	} else if (!have_hash) {
		error("'%s/config' names no hash method", qs(s->path));
		ret = -EINVAL;
	} else if (hash_forced && s->hash != want) {
		error("store '%s' uses hash '%s', not '%s'", qs(s->path),
		      hash_method_name(s->hash), hash_method_name(want));
		ret = -EINVAL;
	}
	goto out;

bad_line:
	error("'%s/config' line %u: not understood", qs(s->path), lineno);
	ret = -EINVAL;
out:
	free(line);
	fclose(f);
	return ret;
}

/* Whether the store directory holds nothing but what we put there. */
static bool is_fresh(struct store *s)
{
	static const char *const ours[] = { ".", "..", "lock", "objects",
					    "tmp", "config.new" };
	struct dirent *de;
	bool fresh = true;
	size_t i;
	DIR *d;
	int fd;

	fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (fresh && (de = readdir(d))) {
		for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (!strcmp(de->d_name, ours[i]))
				break;
		fresh = i < sizeof(ours) / sizeof(ours[0]);
	}
	closedir(d);
	return fresh;
}

static int make_dir(struct store *s, const char *name)
{
	int ret;

	if (!mkdirat(s->dirfd, name, 0700) || errno == EEXIST)
		return 0;
	ret = -errno;
	return error_errno(ret, "cannot create '%s/%s'", qs(s->path), name);
}

/*
 * Makes every fan-out directory that is missing, where the filesystem
 * has room for them all, so that a new object
 * later needs no inode: on a filesystem that is full by then, linking
 * a guest's file as an object still works. A failure here is left to
 * the object that needs the directory (store_object_dir()) to report.
 */
static void make_fanouts(struct store *s)
{
	struct statvfs fs;
	char dir[3];
	int i;

	/* a filesystem short of blocks keeps them for the fan-outs in
	 * use (each directory takes one): those are made when needed */
	if (fstatvfs(s->objfd, &fs) || fs.f_bavail < 4 * STORE_FANOUTS ||
	    fs.f_favail < 2 * STORE_FANOUTS)
		return;
	for (i = 0; i < STORE_FANOUTS; i++) {
		snprintf(dir, sizeof(dir), "%02x", i);
		mkdirat(s->objfd, dir, 0700);
	}
}

/* 1 + the value of each lower-case hex digit, 0 for other bytes: a
 * name's digits are looked up, not compared (store_parse_name) */
static const unsigned char hex_digits[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static int hex_value(char c)
{
	return hex_digits[(unsigned char)c] - 1;
}

/*
 * The number of fan-out directory @name (two hex digits, then the end
 * or '/'), or -1 when @name is no such name.
 */
static int fanout_index(const char *name)
{
	int hi = hex_value(name[0]), lo = hi < 0 ? -1 : hex_value(name[1]);

	if (lo < 0 || (name[2] && name[2] != '/'))
		return -1;
	return hi << 4 | lo;
}

/*
 * Calls @fn for every entry of the fan-out directories whose name does
 * not start with "." (no object's does), with the directory's fd and
 * the entry's name in the store ("ab/cdef-..."), from readdir alone: no
 * stat. Whatever is not a fan-out directory is passed over (--verify
 * reports it). Stops at the first non-zero return of @fn and returns
 * it, or -errno.
 */
static int each_entry(struct store *s,
		      int (*fn)(int dirfd, const char *name,
				const struct dirent *de, void *arg),
		      void *arg)
{
	char name[3 + NAME_MAX + 1];
	struct dirent *de, *e;
	DIR *top, *sub;
	int fd, ret = 0;

	if (s->objfd < 0)
		return 0;	/* a store not made yet has no objects */
	name[2] = '/';
	fd = openat(s->objfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	top = fdopendir(fd);
	if (!top) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while (!ret && (de = readdir(top))) {
		if (fanout_index(de->d_name) < 0)
			continue;	/* not ours: verify reports it */
		fd = open_entry(s, s->objfd, de->d_name, O_RDONLY, true, 0);
		if (fd < 0)
			continue;	/* likewise */
		sub = fdopendir(fd);
		if (!sub) {
			ret = -errno;
			close(fd);
			break;
		}
		while (!ret && (e = readdir(sub))) {
			if (e->d_name[0] == '.')
				continue;
			/* "ab/" then the entry's name, NUL included */
			memcpy(name, de->d_name, 2);
			memcpy(name + 3, e->d_name, strlen(e->d_name) + 1);
			ret = fn(dirfd(sub), name, e, arg);
		}
		closedir(sub);
	}
	closedir(top);
	return ret;
}

static int add_object(int dirfd, const char *name, const struct dirent *de,
		      void *arg)
{
	struct store *s = arg;

	(void)dirfd;
	return objmap_scan(s->objects, de->d_ino, name);
}

/*
 * Reads the names and inode numbers of all objects into s->objects
 * (readdir, no stat): the one listing of the fan-out directories that
 * a run makes, for both store_is_object() and the checks of objmap.h.
 */
static int scan_objects(struct store *s)
{
	return each_entry(s, add_object, s);
}

#define PENDING "immutable-pending"

/* What flag_all() did. */
struct flagging {
	bool crashed;		/* after a crash: say each one */
	unsigned long set, failed;
};

/* Sets the immutable flag of object @name if it lacks it. */
static int flag_one(struct store *s, int dirfd, const char *name,
		    const struct stat *st, void *arg)
{
	struct flagging *f = arg;
	const char *base = strchr(name, '/');
	int fd, ret;

	if (!base || !S_ISREG(st->st_mode) || strstr(base, "-content"))
		return 0;	/* not an object verify could pass */
	fd = content_open(dirfd, base + 1, NULL);
	ret = fd < 0 ? fd : immutable_get(fd);
	if (!ret)
		ret = immutable_set(fd, true);
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		error("cannot make '%s/objects/%s' immutable: %s",
		      qs(s->path), qs(name), strerror(-ret));
		f->failed++;
	} else if (!ret) {
		f->set++;
		if (f->crashed)
			warning("'%s/objects/%s' was not immutable: a run was "
				"interrupted while it had cleared the flag; "
				"set again", qs(s->path), qs(name));
	}
	return 0;
}

/* Gives every object the immutable flag; returns 0 or -errno. */
static int flag_all(struct store *s, bool crashed)
{
	struct flagging f = { .crashed = crashed };
	int ret = store_each_object(s, flag_one, &f);

	if (ret) {
		error("cannot read objects of store '%s': %s", qs(s->path),
		      strerror(-ret));
		return ret;
	}
	note(1, "store '%s': set the immutable flag of %lu objects",
	     qs(s->path), f.set);
	return f.failed ? -EIO : 0;
}

int store_flags_clearing(struct store *s)
{
	int fd, ret = 0;

	if (s->dirfd < 0)
		return -ENOENT;
	pthread_mutex_lock(&s->lock);
	if (!s->pending) {
		fd = openat(s->dirfd, PENDING, O_WRONLY | O_CREAT | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC, 0600);
		if (fd < 0 || fsync(fd) || fsync(s->dirfd))
			ret = -errno;
		if (fd >= 0)
			close(fd);
		if (ret)
			error("cannot write '%s/%s': %s", qs(s->path), PENDING,
			      strerror(-ret));
		s->pending = !ret;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void store_flags_lost(struct store *s)
{
	store_flags_clearing(s);
	pthread_mutex_lock(&s->lock);
	s->pending_keep = true;
	pthread_mutex_unlock(&s->lock);
}

int store_set_immutable(struct store *s)
{
	int ret;

	if (s->immutable)
		return 0;
	/* killed before every object has its flag: the next run goes on */
	ret = store_flags_clearing(s);
	if (ret)
		return ret;
	s->immutable = true;
	ret = write_config(s);
	if (ret) {
		s->immutable = false;
		return ret;
	}
	ret = flag_all(s, false);
	if (ret)
		s->pending_keep = true;
	return ret;
}

/*
 * A run left STORE/immutable-pending: it was killed, or could not set a
 * flag back. In an immutable store, give every object its flag again.
 */
static int check_pending(struct store *s)
{
	struct stat st;

	if (fstatat(s->dirfd, PENDING, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	s->pending = true;
	/* a dry run changes nothing: the note stays for the next run */
	s->pending_keep = s->dry_run;
	if (s->dry_run || !s->immutable)
		return 0;
	if (flag_all(s, true)) {
		s->pending_keep = true;
		return -EIO;
	}
	return 0;
}

/* Finds the filesystem of a store that does not exist yet. */
static int stat_parent(const char *path, struct stat *st)
{
	char *copy = strdup(path);
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	if (stat(dirname(copy), st))
		ret = -errno;
	free(copy);
	return ret;
}

int store_open(const char *path, enum hash_method hash, bool hash_forced,
	       bool dry_run, struct store **out)
{
	struct store *s;
	struct stat st;
	bool found;
	int i, ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return error_errno(-ENOMEM, "cannot open store '%s'", qs(path));
	s->path = strdup(path);
	s->dirfd = s->objfd = s->lockfd = s->tmpfd = -1;
	for (i = 0; i < STORE_FANOUTS; i++)
		s->fanfd[i] = -1;
	s->hash = hash;
	s->dry_run = dry_run;
	pthread_mutex_init(&s->lock, NULL);
	if (!s->path || objmap_new(s, &s->objects)) {
		ret = error_errno(-ENOMEM, "cannot open store '%s'", qs(path));
		goto out_close;
	}

	if (!dry_run && mkdir(path, 0700) && errno != EEXIST) {
		ret = -errno;
		error_errno(ret, "cannot create store '%s'", qs(path));
		goto out_close;
	}
	s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		ret = -errno;
		if (dry_run && errno == ENOENT) {
			/* a dry run plans a store that is not there yet */
			ret = stat_parent(path, &st);
			if (!ret) {
				s->dev = st.st_dev;
				*out = s;
				return 0;
			}
		}
		error_errno(ret, "cannot open store '%s'", qs(path));
		goto out_close;
	}
	if (fstat(s->dirfd, &st)) {
		ret = -errno;
		error_errno(ret, "cannot open store '%s'", qs(path));
		goto out_close;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;

	ret = take_lock(s);
	if (ret)
		goto out_close;
	ret = read_config(s, hash, hash_forced, &found);
	if (ret)
		goto out_close;
	if (!found) {
		if (!is_fresh(s)) {
			error("'%s' is not a vhashify store: it has no config "
			      "file but other files", qs(path));
			ret = -EINVAL;
			goto out_close;
		}
		if (dry_run) {
			*out = s;
			return 0;
		}
		ret = write_config(s);
		if (ret)
			goto out_close;
	}
	if (!dry_run) {
		ret = make_dir(s, "objects");
		if (!ret)
			ret = make_dir(s, "tmp");
		if (ret)
			goto out_close;
	}
	s->tmpfd = open_entry(s, s->dirfd, "tmp", O_RDONLY, true, 0);
	if (s->tmpfd < 0) {
		ret = s->tmpfd;
		s->tmpfd = -1;
		if (!dry_run || ret != -ENOENT) {
			bad_entry(s, "tmp", true, ret);
			goto out_close;
		}
	}
	s->objfd = open_entry(s, s->dirfd, "objects", O_RDONLY, true, 0);
	if (s->objfd < 0) {
		ret = s->objfd;
		s->objfd = -1;
		if (dry_run && ret == -ENOENT) {
			*out = s;
			return 0;
		}
		bad_entry(s, "objects", true, ret);
		goto out_close;
	}
	if (!dry_run)
		make_fanouts(s);
	s->link_max = fpathconf(s->objfd, _PC_LINK_MAX);
	if (s->link_max < 2)
		s->link_max = LONG_MAX;	/* unknown: EMLINK will tell */
	ret = scan_objects(s);
	if (ret) {
		error("cannot read objects of store '%s': %s", qs(path),
		      strerror(-ret));
		goto out_close;
	}
	ret = check_pending(s);
	if (ret)
		goto out_close;
	*out = s;
	return 0;

out_close:
	store_close(s);
	return ret;
}

void store_close(struct store *s)
{
	int i;

	if (!s)
		return;
	if (s->pending && !s->pending_keep && !unlinkat(s->dirfd, PENDING, 0))
		fsync(s->dirfd);
	for (i = 0; i < STORE_FANOUTS; i++)
		if (s->fanfd[i] >= 0)
			close(s->fanfd[i]);
	if (s->tmpfd >= 0)
		close(s->tmpfd);
	if (s->objfd >= 0)
		close(s->objfd);
	if (s->lockfd >= 0)
		close(s->lockfd);	/* releases the lock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	objmap_free(s->objects);
	u64set_release(&s->planned);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

ino_t store_ino(const struct store *s)
{
	return s->ino;
}

bool store_is_dir(const struct store *s, const struct stat *st)
{
	return s->ino && st->st_ino == s->ino && st->st_dev == s->dev;
}

int store_open_tmp_dir(const struct store *s)
{
	int fd;

	if (s->tmpfd < 0)
		return -ENOENT;
	fd = openat(s->tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

enum hash_method store_hash(const struct store *s)
{
	return s->hash;
}

bool store_is_dry_run(const struct store *s)
{
	return s->dry_run;
}

bool store_is_immutable(const struct store *s)
{
	return s->immutable;
}

bool store_is_object(struct store *s, const struct stat *st)
{
	if (st->st_dev != s->dev || st->st_nlink < 2)
		return false;
	return objmap_has(s->objects, st->st_ino);
}

struct objmap *store_objmap(struct store *s)
{
	return s->objects;
}

bool store_object_full(const struct store *s, const struct stat *st)
{
	return st->st_nlink >= (nlink_t)s->link_max;
}

void store_object_name(const struct digest *d, uint64_t meta_id,
		       unsigned int sibling, char name[STORE_NAME_MAX])
{
	char hex[DIGEST_HEX_MAX];
	int n;

	digest_hex(d, hex);
	n = snprintf(name, STORE_NAME_MAX, "%.2s/%s-%016llx", hex, hex + 2,
		     (unsigned long long)meta_id);
	if (sibling)
		snprintf(name + n, STORE_NAME_MAX - n, ".%u", sibling);
}

bool store_valid_group(const char *group)
{
	size_t n;

	if (!group || !((*group >= 'a' && *group <= 'z') ||
			(*group >= '0' && *group <= '9')))
		return false;
	n = strspn(group, "abcdefghijklmnopqrstuvwxyz0123456789-_");
	return !group[n] && n <= STORE_GROUP_MAX;
}

bool store_default_group(const char *group)
{
	return !group || !strcmp(group, "default");
}

void store_group_object_name(const struct digest *d, uint64_t meta_id,
			     const char *group, unsigned int sibling,
			     char name[STORE_NAME_MAX])
{
	int n;

	if (store_default_group(group)) {
		store_object_name(d, meta_id, sibling, name);
		return;
	}
	store_object_name(d, meta_id, 0, name);
	n = strlen(name);
	n += snprintf(name + n, STORE_NAME_MAX - n, "@%.*s", STORE_GROUP_MAX,
		      group);
	if (sibling)
		snprintf(name + n, STORE_NAME_MAX - n, ".%u", sibling);
}

size_t store_name_group(const char *name, const char **group)
{
	const char *at = strchr(name, '@');

	if (!at)
		return 0;
	*group = at + 1;
	return strcspn(at + 1, ".");
}

/* store_find_names()'s caller, for each_entry() */
struct names_of {
	struct store *s;
	const struct u64set *inodes;	/* the inodes asked for */
	int (*find)(struct store *s, int dirfd, const char *name, ino_t ino,
		    void *arg);
	void *arg;
};

static int name_of(int dirfd, const char *name, const struct dirent *de,
		   void *arg)
{
	struct names_of *n = arg;

	if (!u64set_has(n->inodes, de->d_ino) ||
	    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
		return 0;
	return n->find(n->s, dirfd, name, de->d_ino, n->arg);
}

void store_content_name(const struct digest *d, unsigned int sibling,
			char name[STORE_NAME_MAX])
{
	char hex[DIGEST_HEX_MAX];
	int n;

	digest_hex(d, hex);
	n = snprintf(name, STORE_NAME_MAX, "%.2s/%s-content", hex, hex + 2);
	if (sibling)
		snprintf(name + n, STORE_NAME_MAX - n, ".%u", sibling);
}

void store_names_init(struct store_names *n, const struct digest *d,
		      uint64_t meta_id, const char *group, bool content)
{
	n->digest = d;
	n->meta_id = meta_id;
	n->group = group;
	n->content = content;
	n->next = 0;
	n->retries = 0;
	n->name[0] = '\0';
}

bool store_names_next(struct store_names *n)
{
	if (n->next >= STORE_MAX_SIBLINGS)
		return false;
	if (n->content)
		store_content_name(n->digest, n->next, n->name);
	else
		store_group_object_name(n->digest, n->meta_id, n->group,
					n->next, n->name);
	n->next++;
	return true;
}

bool store_names_again(struct store_names *n)
{
	if (!n->next || n->retries >= STORE_MAX_RETRIES)
		return false;
	n->retries++;
	n->next--;
	return true;
}

/* Opens fan-out directory @i (of name @dir), making it if @create. */
static int open_fanout(struct store *s, int i, const char *dir, bool create)
{
	int fd = open_entry(s, s->objfd, dir, O_RDONLY, true, 0);

	if (fd == -ENOENT && create) {
		if (mkdirat(s->objfd, dir, 0700) && errno != EEXIST)
			return -errno;
		fd = open_entry(s, s->objfd, dir, O_RDONLY, true, 0);
	}
	if (fd >= 0) {
		s->fanfd[i] = fd;
	} else if (fd == -EUCLEAN || fd == -ELOOP || fd == -ENOTDIR) {
		char what[16];

		snprintf(what, sizeof(what), "objects/%s", dir);
		bad_entry(s, what, true, fd);
		s->fanfd[i] = -2;	/* said once: not again */
		fd = -EUCLEAN;
	}
	return fd;
}

int store_object_dir(struct store *s, const char *name, bool create)
{
	int i = fanout_index(name), fd;
	char dir[3];

	if (i < 0 || !name[2])
		return -EINVAL;
	if (s->objfd < 0)
		return -ENOENT;
	pthread_mutex_lock(&s->lock);
	fd = s->fanfd[i];
	if (fd == -2) {
		fd = -EUCLEAN;
	} else if (fd < 0) {
		memcpy(dir, name, 2);
		dir[2] = '\0';
		fd = open_fanout(s, i, dir, create);
	}
	pthread_mutex_unlock(&s->lock);
	return fd;
}

int store_open_object(struct store *s, const char *name, struct stat *st)
{
	int dirfd, fd;

	dirfd = store_object_dir(s, name, false);
	if (dirfd < 0)
		return dirfd;
	fd = content_open(dirfd, name + 3, st);
	if (fd == -ELOOP || fd == -ENXIO) {
		/* not ours: the run and verify say so */
		error("unexpected '%s/objects/%s' in the store: %s",
		      qs(s->path), name, fd == -ELOOP ? "a symbolic link" :
		      "not a regular file");
		return -EUCLEAN;
	}
	return fd;
}

int store_open_object_meta(struct store *s, const char *name,
			   struct stat *st)
{
	int dirfd, fd, ret;

	dirfd = store_object_dir(s, name, false);
	if (dirfd < 0)
		return dirfd;
	fd = open_entry(s, dirfd, name + 3, O_RDONLY, false, 0);
	if (fd >= 0 && fstat(fd, st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int store_tmp_create(struct store *s, struct store_tmp *t)
{
	t->name[0] = '\0';
	t->fd = openat(s->objfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t->fd >= 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;

	/* no O_TMPFILE here: a named temporary that gc can find */
	if (s->tmpfd < 0)
		return -ENOENT;
	t->fd = tmpname_create(s->tmpfd, t->name, sizeof(t->name));
	return t->fd < 0 ? t->fd : 0;
}


/*
 * Gives the file open as @fd, or the named temporary STORE/tmp/@tmp,
 * the object name @name, in its fan-out directory (made if missing).
 */
static int publish(struct store *s, int fd, const char *tmp,
		   const char *name)
{
	int dirfd = store_object_dir(s, name, true);
	char path[80];

	if (dirfd < 0)
		return dirfd;
	if (tmp)
		return linkat(s->tmpfd, tmp, dirfd, name + 3, 0) ? -errno : 0;
	if (!linkat(fd, "", dirfd, name + 3, AT_EMPTY_PATH))
		return 0;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not */
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, path, dirfd, name + 3, AT_SYMLINK_FOLLOW))
		return -errno;
	return 0;
}

int store_tmp_publish(struct store *s, struct store_tmp *t,
		      const char *name)
{
	struct stat st;
	int ret;

	ret = publish(s, t->fd, t->name[0] ? t->name : NULL, name);
	if (ret)
		return ret;
	if (t->name[0]) {
		unlinkat(s->tmpfd, t->name, 0);
		t->name[0] = '\0';
	}
	return fstat(t->fd, &st) ? 0 : objmap_add(s->objects, st.st_ino, name);
}

int store_adopt(struct store *s, int fd, const struct stat *st,
		const char *name)
{
	int ret = publish(s, fd, NULL, name);

	return ret ? ret : objmap_add(s->objects, st->st_ino, name);
}

int store_unadopt(struct store *s, const char *name, const struct stat *st)
{
	int dirfd = store_object_dir(s, name, false);

	if (dirfd < 0)
		return dirfd;
	if (unlinkat(dirfd, name + 3, 0))
		return -errno;
	objmap_remove(s->objects, st->st_ino);
	return 0;
}

void store_tmp_discard(struct store *s, struct store_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->name[0]) {
		unlinkat(s->tmpfd, t->name, 0);
		t->name[0] = '\0';
	}
}

int store_each_object(struct store *s,
		      int (*fn)(struct store *s, int dirfd, const char *name,
				const struct stat *st, void *arg),
		      void *arg)
{
	struct dirent **fan, *de;
	char name[3 + NAME_MAX + 1];
	struct stat st;
	int n, i, fd, ret = 0;
	DIR *d;

	if (s->objfd < 0)
		return 0;	/* a store not made yet has no objects */
	fd = openat(s->objfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = scandirat(fd, ".", &fan, NULL, alphasort);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		const char *dir = fan[i]->d_name;

		if (ret || !strcmp(dir, ".") || !strcmp(dir, ".."))
			goto next;
		fd = -EUCLEAN;
		if (fanout_index(dir) >= 0)
			fd = open_entry(s, s->objfd, dir, O_RDONLY, true, 0);
		if (fd == -ENOENT)
			goto next;	/* gone meanwhile */
		if (fd < 0) {
			/* not a fan-out directory: the caller says so */
			if (!fstatat(s->objfd, dir, &st, AT_SYMLINK_NOFOLLOW))
				ret = fn(s, s->objfd, dir, &st, arg);
			goto next;
		}
		d = fdopendir(fd);
		if (!d) {
			ret = -errno;
			close(fd);
			goto next;
		}
		while (!ret && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW))
				continue;	/* gone meanwhile */
			snprintf(name, sizeof(name), "%.2s/%s", dir,
				 de->d_name);
			ret = fn(s, dirfd(d), name, &st, arg);
		}
		closedir(d);
next:
		free(fan[i]);
	}
	free(fan);
	return ret;
}

int store_parse_name(const char *name, struct digest *d, uint64_t *meta_id,
		     bool *content)
{
	const unsigned char *p = (const unsigned char *)name + 3;
	const char *dash;
	unsigned int hi, lo;
	size_t n;
	int i;

	/* read once per object and run (store_open): no copy, no strtoull,
	 * no branch per digit */
	hi = hex_digits[(unsigned char)name[0]];
	lo = hi ? hex_digits[(unsigned char)name[1]] : 0;
	if (!lo || name[2] != '/')
		return -EINVAL;
	d->bytes[0] = (hi - 1) << 4 | (lo - 1);
	for (n = 1; n < DIGEST_MAX; n++, p += 2) {
		hi = hex_digits[p[0]];
		lo = hi ? hex_digits[p[1]] : 0;
		if (!lo)
			break;
		d->bytes[n] = (hi - 1) << 4 | (lo - 1);
	}
	dash = (const char *)p;
	if (*dash != '-' || (n != 16 && n != 32))
		return -EINVAL;
	d->len = n;
	*content = dash[1] == 'c' && !strncmp(dash + 1, "content", 7) &&
		   (!dash[8] || dash[8] == '.');
	*meta_id = 0;
	if (*content)
		return 0;
	for (i = 1; i <= 16; i++) {
		hi = hex_digits[(unsigned char)dash[i]];
		if (!hi)
			return -EINVAL;
		*meta_id = *meta_id << 4 | (hi - 1);
	}
	dash += 17;
	if (*dash == '@') {	/* a trust group's object */
		n = strcspn(dash + 1, ".");
		if (!n || n > STORE_GROUP_MAX)
			return -EINVAL;
		dash += 1 + n;
	}
	if (*dash && *dash != '.')
		return -EINVAL;
	return 0;
}

int store_clean_tmp(struct store *s)
{
	struct dirent *de;
	int fd, count = 0;
	DIR *d;

	if (s->tmpfd < 0)
		return 0;
	fd = openat(s->tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		count = -errno;
		close(fd);
		return count;
	}
	while ((de = readdir(d)))
		if (tmpname_is(de->d_name) && !s->dry_run &&
		    !unlinkat(dirfd(d), de->d_name, 0))
			count++;
		else if (tmpname_is(de->d_name) && s->dry_run)
			count++;
	closedir(d);
	return count;
}

int store_plan(struct store *s, const char *name)
{
	uint64_t key = XXH3_64bits(name, strlen(name));
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	if (!u64set_has(&s->planned, key))
		ret = u64set_add(&s->planned, key) ?: 1;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int store_find_names(struct store *s, const struct u64set *inodes,
		     int (*fn)(struct store *s, int dirfd, const char *name,
			       ino_t ino, void *arg),
		     void *arg)
{
	struct names_of n = { .s = s, .inodes = inodes, .find = fn,
			      .arg = arg };

	return inodes->count ? each_entry(s, name_of, &n) : 0;
}

/* The filesystem a store serves, also before the store exists. */
static int store_device(const char *path, dev_t *dev)
{
	struct stat st;
	char *parent;
	int ret = 0;

	if (!stat(path, &st)) {
		*dev = st.st_dev;
		return 0;
	}
	if (errno != ENOENT) {
		ret = -errno;
		goto out_error;
	}
	parent = strdup(path);
	if (!parent)
		return -ENOMEM;
	if (stat(dirname(parent), &st))
		ret = -errno;
	else
		*dev = st.st_dev;
	free(parent);
	if (!ret)
		return 0;
out_error:
	return error_errno(ret, "cannot use store '%s'", qs(path));
}

int store_devices(const char *const *paths, int n, dev_t *devs)
{
	int i, j, ret;

	for (i = 0; i < n; i++) {
		ret = store_device(paths[i], &devs[i]);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			if (devs[j] == devs[i]) {
				error("stores '%s' and '%s' are on one "
				      "filesystem: give one store per "
				      "filesystem", qs(paths[j]),
				      qs(paths[i]));
				return -EINVAL;
			}
		}
	}
	return 0;
}

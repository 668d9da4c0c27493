// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fd-relative walk of a guest tree; see walk.h. An explicit stack of
 * directory levels, not recursion: a guest decides how deep its tree is.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "walk.h"

#define DENTS_BUF 32768

struct dent {
	ino_t ino;
	char *name;
	bool gone;		/* file() removed it */
};

/* A directory on the current path. */
struct level {
	int fd;			/* -1: closed for now (see walk.h) or lost */
	dev_t dev;		/* identity, to check a reopened fd */
	ino_t ino;
	struct timespec mtime;	/* to give back */
	struct dent *v;		/* its entries, in inode order */
	size_t n, i;		/* count, next to visit */
	size_t pathlen;		/* length of its path in walk.path */
	bool replaced;		/* file() replaced something in it */
	bool unsure;		/* a replaced name could not be looked up */
};

struct walk {
	const struct walk_ops *ops;
	void *arg;
	char *path;		/* guest-absolute path being visited */
	size_t len, cap;
	struct level *lv;	/* lv[0] is the root */
	size_t depth, lv_cap;	/* levels in use, allocated */
	size_t open_from;	/* lv[1] to lv[open_from - 1] are closed */
	dev_t root_dev;
	uint64_t root_mnt;	/* 0: the kernel gives no mount IDs */
	char *buf;		/* for getdents64 */
};

static const unsigned int stx_want = STATX_BASIC_STATS | STATX_MNT_ID;

static int cmp_ino(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int cmp_name(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void free_dents(struct dent *v, size_t n)
{
	while (n)
		free(v[--n].name);
	free(v);
}

/* Sets the path to that of the directory (@dirlen bytes) + "/" + @name. */
static int path_set(struct walk *w, size_t dirlen, const char *name)
{
	size_t n = strlen(name), need = dirlen + 1 + n + 1;

	if (need > w->cap) {
		size_t cap = need * 2;
		char *p = realloc(w->path, cap);

		if (!p)
			return -ENOMEM;
		w->path = p;
		w->cap = cap;
	}
	w->len = dirlen;
	if (w->len != 1)	/* the root is "/" alone */
		w->path[w->len++] = '/';
	memcpy(w->path + w->len, name, n + 1);
	w->len += n;
	return 0;
}

/* Cuts the path back to the directory of @dirlen bytes. */
static void path_cut(struct walk *w, size_t dirlen)
{
	w->len = dirlen;
	w->path[dirlen] = '\0';
}

/* Lists the directory @fd from its start, sorted by inode. */
static int list_dir(struct walk *w, int fd, struct dent **out, size_t *count)
{
	struct dent *v = NULL;
	size_t n = 0, cap = 0;
	ssize_t got, off;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((got = getdents64(fd, w->buf, DENTS_BUF)) > 0) {
		for (off = 0; off < got;) {
			struct dirent64 *de = (void *)(w->buf + off);

			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			if (n == cap) {
				struct dent *nv;

				cap = cap ? 2 * cap : 64;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					goto out_nomem;
				v = nv;
			}
			v[n].ino = de->d_ino;
			v[n].gone = false;
			v[n].name = strdup(de->d_name);
			if (!v[n].name)
				goto out_nomem;
			n++;
		}
	}
	if (got < 0) {
		int ret = -errno;

		free_dents(v, n);
		return ret;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_ino);
	*out = v;
	*count = n;
	return 0;

out_nomem:
	free_dents(v, n);
	return -ENOMEM;
}

/*
 * Whether the listing @b (sorted by name) holds the names and inodes of
 * @a (sorted by name) but those flagged gone, and nothing else.
 */
static bool same_listing(const struct dent *a, size_t na,
			 const struct dent *b, size_t nb)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < na && a[i].gone)
			i++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (a[i].ino != b[j].ino || strcmp(a[i].name, b[j].name))
			return false;
		i++;
		j++;
	}
}

/* Lists @fd sorted by name; false when it cannot. */
static bool list_by_name(struct walk *w, int fd, struct dent **v, size_t *n)
{
	if (list_dir(w, fd, v, n))
		return false;
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), cmp_name);
	return true;
}

/*
 * Gives the directory @l its mtime back, if nothing but file() changed
 * it; see walk_tree() in walk.h.
 */
static void give_mtime_back(struct walk *w, struct level *l)
{
	struct timespec t[2] = { { .tv_nsec = UTIME_OMIT }, l->mtime };
	struct dent *now, *later;
	size_t n_now, n_later;
	bool same;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_name);
	if (!list_by_name(w, l->fd, &now, &n_now))
		return;
	if (same_listing(l->v, l->n, now, n_now) && !futimens(l->fd, t)) {
		/* changed between that listing and futimens(): undo */
		same = list_by_name(w, l->fd, &later, &n_later);
		if (same) {
			same = same_listing(now, n_now, later, n_later);
			free_dents(later, n_later);
		}
		if (!same) {
			t[1].tv_nsec = UTIME_NOW;
			futimens(l->fd, t);
		}
	}
	free_dents(now, n_now);
}

static void stat_from_statx(struct stat *st, const struct statx *x);

int walk_stat(int dirfd, const char *name, struct walk_entry *e,
	      struct statx *x)
{
	struct statx own;

	if (!x)
		x = &own;
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  stx_want, x))
		return -errno;
	stat_from_statx(&e->st, x);
	e->mnt_id = x->stx_mask & STATX_MNT_ID ? x->stx_mnt_id : 0;
	e->attributes = x->stx_attributes & x->stx_attributes_mask;
	return 0;
}

static void stat_from_statx(struct stat *st, const struct statx *x)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	st->st_size = x->stx_size;
	st->st_blksize = x->stx_blksize;
	st->st_blocks = x->stx_blocks;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/* Whether the statx @x is on another mount than the guest root. */
static bool other_mount(const struct walk *w, const struct statx *x)
{
	if (makedev(x->stx_dev_major, x->stx_dev_minor) != w->root_dev)
		return true;
	return w->root_mnt && (x->stx_mask & STATX_MNT_ID) &&
	       x->stx_mnt_id != w->root_mnt;
}

/* Closes the shallowest open level but the root when too many are open. */
static void limit_open(struct walk *w)
{
	if (w->depth - w->open_from <= WALK_OPEN_LEVELS)
		return;
	close(w->lv[w->open_from].fd);
	w->lv[w->open_from].fd = -1;
	w->open_from++;
}

/* Opens the directory @e, checks it is what was listed, lists it. */
static void push_level(struct walk *w, const struct walk_entry *e)
{
	struct statx x;
	struct level *l;
	int fd, ret;

	fd = openat(e->dirfd, e->name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		w->ops->fail(e->path, -errno, w->arg);
		return;
	}
	if (statx(fd, "", AT_EMPTY_PATH, stx_want, &x)) {
		ret = -errno;
		goto out_fail;
	}
	/* swapped or mounted on since listed: the guest is changing */
	ret = -ESTALE;
	if (makedev(x.stx_dev_major, x.stx_dev_minor) != e->st.st_dev ||
	    x.stx_ino != e->st.st_ino || other_mount(w, &x))
		goto out_fail;
	if (w->depth == w->lv_cap) {
		size_t cap = 2 * w->lv_cap;
		struct level *v = realloc(w->lv, cap * sizeof(*v));

		ret = -ENOMEM;
		if (!v)
			goto out_fail;
		w->lv = v;
		w->lv_cap = cap;
	}
	l = &w->lv[w->depth];
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->dev = e->st.st_dev;
	l->ino = e->st.st_ino;
	l->mtime.tv_sec = x.stx_mtime.tv_sec;
	l->mtime.tv_nsec = x.stx_mtime.tv_nsec;
	l->pathlen = e->pathlen;
	ret = list_dir(w, fd, &l->v, &l->n);
	if (ret)
		goto out_fail;
	w->depth++;
	limit_open(w);
	return;

out_fail:
	w->ops->fail(e->path, ret, w->arg);
	close(fd);
}

/* Opens the closed level @p again through ".." of its child's @fd. */
static int reopen(struct level *p, int fd)
{
	struct stat st;

	if (fd < 0)
		return -ESTALE;		/* the child was lost too */
	fd = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != p->dev || st.st_ino != p->ino) {
		close(fd);
		return -ESTALE;	/* moved meanwhile */
	}
	p->fd = fd;
	return 0;
}

/* Done with the deepest level: its mtime, its parent's descriptor. */
static void pop_level(struct walk *w)
{
	size_t k = w->depth - 1;
	struct level *l = &w->lv[k];
	int ret;

	if (l->fd >= 0 && l->replaced && !l->unsure)
		give_mtime_back(w, l);
	if (k >= 2 && k - 1 < w->open_from) {
		struct level *p = &w->lv[k - 1];

		ret = reopen(p, l->fd);
		w->open_from = k - 1;
		if (ret) {
			/* the walk cannot go on in it: it is lost */
			path_cut(w, p->pathlen);
			w->ops->fail(w->path, ret, w->arg);
		}
	}
	if (l->fd >= 0)
		close(l->fd);
	free_dents(l->v, l->n);
	w->depth--;
}

/* Notes what file() left at the name @d it replaced. */
static void note_replaced(struct level *l, struct dent *d)
{
	struct stat st;

	l->replaced = true;
	if (!fstatat(l->fd, d->name, &st, AT_SYMLINK_NOFOLLOW))
		d->ino = st.st_ino;
	else if (errno == ENOENT)
		d->gone = true;
	else
		l->unsure = true;
}

/* Visits the next entry of the deepest level. */
static void visit(struct walk *w)
{
	struct level *l = &w->lv[w->depth - 1];
	struct dent *d = &l->v[l->i++];
	struct walk_entry e = { .dirfd = l->fd, .name = d->name,
				.depth = w->depth };
	struct statx x;
	int ret;

	ret = path_set(w, l->pathlen, d->name);
	if (ret) {
		path_cut(w, l->pathlen);
		w->ops->fail(w->path, ret, w->arg);
		return;
	}
	e.path = w->path;
	e.pathlen = w->len;
	ret = walk_stat(l->fd, d->name, &e, &x);
	if (ret) {
		/* ENOENT: removed since listed, nothing to do */
		if (ret != -ENOENT)
			w->ops->fail(w->path, ret, w->arg);
		return;
	}
	e.other_mount = other_mount(w, &x);
	if (S_ISDIR(e.st.st_mode)) {
		if (w->ops->enter(&e, w->arg) && !e.other_mount)
			push_level(w, &e);
	} else if (w->ops->file(&e, w->arg)) {
		note_replaced(l, d);
	}
}

int walk_tree(int rootfd, const struct walk_ops *ops, void *arg)
{
	return walk_tree_until(rootfd, ops, arg, NULL);
}

int walk_tree_until(int rootfd, const struct walk_ops *ops, void *arg,
		    bool (*stop)(void *arg))
{
	struct walk w = { .ops = ops, .arg = arg, .open_from = 1 };
	bool stopped = false;
	struct statx x;
	int fd, ret;

	/* a directory fd of our own: the walk closes its levels' fds */
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (statx(fd, "", AT_EMPTY_PATH, stx_want, &x)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	w.root_dev = makedev(x.stx_dev_major, x.stx_dev_minor);
	w.root_mnt = x.stx_mask & STATX_MNT_ID ? x.stx_mnt_id : 0;
	w.cap = 4096;
	w.path = malloc(w.cap);
	w.buf = malloc(DENTS_BUF);
	w.lv_cap = 16;
	w.lv = calloc(w.lv_cap, sizeof(*w.lv));
	ret = -ENOMEM;
	if (!w.path || !w.buf || !w.lv)
		goto out;
	strcpy(w.path, "/");
	w.len = 1;

	w.lv[0].fd = fd;
	w.lv[0].dev = w.root_dev;
	w.lv[0].ino = x.stx_ino;
	w.lv[0].mtime.tv_sec = x.stx_mtime.tv_sec;
	w.lv[0].mtime.tv_nsec = x.stx_mtime.tv_nsec;
	w.lv[0].pathlen = 1;
	ret = list_dir(&w, fd, &w.lv[0].v, &w.lv[0].n);
	if (ret) {
		ops->fail("/", ret, arg);
		ret = 0;
		goto out;
	}
	fd = -1;		/* the root level's now */
	w.depth = 1;
	while (w.depth) {
		struct level *l = &w.lv[w.depth - 1];

		if (!stopped && stop && stop(arg))
			stopped = true;
		if (l->fd < 0 || l->i == l->n || stopped)
			pop_level(&w);
		else
			visit(&w);
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(w.lv);
	free(w.buf);
	free(w.path);
	return ret;
}

bool walk_change_entry(int dirfd, const char *name,
		       bool (*change)(void *arg), void *arg)
{
	struct walk w = { .buf = malloc(DENTS_BUF) };
	struct level l = { .fd = dirfd };
	struct stat st;
	bool changed;
	size_t i;

	/* without a first listing there is nothing to compare: the
	 * change is made all the same, and the mtime left as it is */
	if (!w.buf || fstat(dirfd, &st) || list_dir(&w, dirfd, &l.v, &l.n)) {
		free(w.buf);
		return change(arg);
	}
	l.mtime = st.st_mtim;
	changed = change(arg);
	for (i = 0; changed && i < l.n; i++) {
		if (!strcmp(l.v[i].name, name)) {
			note_replaced(&l, &l.v[i]);
			if (!l.unsure)
				give_mtime_back(&w, &l);
			break;
		}
	}
	free_dents(l.v, l.n);
	free(w.buf);
	return changed;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* The fd-relative walk of a guest tree; see walk.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "walk.h"

struct dent {
	ino_t ino;
	char *name;
};

struct walk {
	const struct walk_ops *ops;
	void *arg;
	char *path;		/* guest-absolute path being visited */
	size_t len, cap;
};

static int cmp_dent(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Appends "/name" to the path; returns the old length to restore. */
static int path_push(struct walk *w, const char *name, size_t *old)
{
	size_t n = strlen(name), need = w->len + 1 + n + 1;

	if (need > w->cap) {
		size_t cap = need * 2;
		char *p = realloc(w->path, cap);

		if (!p)
			return -ENOMEM;
		w->path = p;
		w->cap = cap;
	}
	*old = w->len;
	if (w->len != 1)	/* the root is "/" alone */
		w->path[w->len++] = '/';
	memcpy(w->path + w->len, name, n + 1);
	w->len += n;
	return 0;
}

static void path_pop(struct walk *w, size_t old)
{
	w->len = old;
	w->path[old] = '\0';
}

/* Lists a directory into a sorted array; the DIR keeps @fd open. */
static int list_dir(DIR *d, struct dent **out, size_t *count)
{
	struct dent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
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
		v[n].name = strdup(de->d_name);
		if (!v[n].name)
			goto out_nomem;
		n++;
	}
	if (errno) {
		int ret = -errno;

		while (n)
			free(v[--n].name);
		free(v);
		return ret;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_dent);
	*out = v;
	*count = n;
	return 0;

out_nomem:
	while (n)
		free(v[--n].name);
	free(v);
	return -ENOMEM;
}

static void walk_dir(struct walk *w, int dirfd);

/* Opens and walks the subdirectory @e, checking it is what was listed. */
static void enter_dir(struct walk *w, const struct walk_entry *e)
{
	struct stat st;
	int fd;

	fd = openat(e->dirfd, e->name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		w->ops->fail(w->path, -errno, w->arg);
		return;
	}
	if (fstat(fd, &st)) {
		w->ops->fail(w->path, -errno, w->arg);
	} else if (st.st_dev != e->st.st_dev || st.st_ino != e->st.st_ino) {
		/* swapped since listed: the guest is changing under us */
		w->ops->fail(w->path, -ESTALE, w->arg);
	} else {
		walk_dir(w, fd);
		return;		/* walk_dir closed fd */
	}
	close(fd);
}

/* Visits every entry of the open directory @dirfd; closes it. */
static void walk_dir(struct walk *w, int dirfd)
{
	struct walk_entry e = { .dirfd = dirfd };
	bool replaced = false;
	struct stat dst;
	struct dent *v;
	size_t n, i, old;
	DIR *d;
	int ret;

	if (fstat(dirfd, &dst)) {
		w->ops->fail(w->path, -errno, w->arg);
		close(dirfd);
		return;
	}
	d = fdopendir(dirfd);
	if (!d) {
		w->ops->fail(w->path, -errno, w->arg);
		close(dirfd);
		return;
	}
	ret = list_dir(d, &v, &n);
	if (ret) {
		w->ops->fail(w->path, ret, w->arg);
		closedir(d);
		return;
	}
	for (i = 0; i < n; i++) {
		ret = path_push(w, v[i].name, &old);
		if (ret) {
			w->ops->fail(w->path, ret, w->arg);
			break;
		}
		e.name = v[i].name;
		e.path = w->path;
		e.pathlen = w->len;
		if (fstatat(dirfd, e.name, &e.st, AT_SYMLINK_NOFOLLOW)) {
			/* ENOENT: removed since listed, nothing to do */
			if (errno != ENOENT)
				w->ops->fail(w->path, -errno, w->arg);
		} else if (S_ISDIR(e.st.st_mode)) {
			if (w->ops->enter(&e, w->arg))
				enter_dir(w, &e);
		} else {
			replaced |= w->ops->file(&e, w->arg);
		}
		path_pop(w, old);
	}
	if (replaced) {
		struct timespec times[2] = { { .tv_nsec = UTIME_OMIT },
					     dst.st_mtim };

		futimens(dirfd, times);
	}
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	closedir(d);
}

int walk_tree(int rootfd, const struct walk_ops *ops, void *arg)
{
	struct walk w = { .ops = ops, .arg = arg };
	int fd;

	w.cap = 4096;
	w.path = malloc(w.cap);
	if (!w.path)
		return -ENOMEM;
	strcpy(w.path, "/");
	w.len = 1;

	/* a directory fd of our own: walk_dir closes what it is given */
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		free(w.path);
		return -errno;
	}
	walk_dir(&w, fd);
	free(w.path);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* A guest root tree; see guest.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "conf.h"
#include "content.h"
#include "detect.h"
#include "guest.h"
#include "log.h"
#include "match.h"
#include "u64set.h"
#include "vserver.h"

int guest_open(struct guest *g, const char *name, const char *path)
{
	size_t len;
	int ret;

	memset(g, 0, sizeof(*g));
	g->rootfd = -1;
	g->path = strdup(path);
	g->prefix = strdup(path);
	g->name = name ? strdup(name) : NULL;
	if (!g->path || !g->prefix || (name && !g->name)) {
		guest_close(g);
		return -ENOMEM;
	}
	for (len = strlen(g->prefix); len && g->prefix[len - 1] == '/'; len--)
		g->prefix[len - 1] = '\0';
	g->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->rootfd < 0 || fstat(g->rootfd, &g->st)) {
		ret = -errno;
		error("cannot open guest '%s': %s", qs(path),
		      ret == -ENOTDIR ? "not a directory" : strerror(-ret));
		guest_close(g);
		return ret;
	}
	return 0;
}

void guest_close(struct guest *g)
{
	if (g->rootfd >= 0)
		close(g->rootfd);
	g->rootfd = -1;
	free(g->name);
	free(g->path);
	free(g->prefix);
	matcher_free(g->excludes);
	detect_matches_free(g->backends, g->n_backends);
	free(g->backend_names);
	vserver_guest_free(g->vserver);
	g->vserver = NULL;
	g->name = g->path = g->prefix = NULL;
	g->excludes = NULL;
	g->backends = NULL;
	g->n_backends = 0;
	g->backend_names = NULL;
}

/* The guest of @guests whose root is the directory @st, or -1. */
static int guest_with_root(const struct stat *st, const struct guest *guests,
			   int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (guests[i].st.st_dev == st->st_dev &&
		    guests[i].st.st_ino == st->st_ino)
			return i;
	return -1;
}

int guest_find_above(int fd, const struct guest *guests, int n)
{
	struct stat st, up;
	int cur, parent, ret;

	cur = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0 || fstat(cur, &st)) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ret = guest_with_root(&st, guests, n);
		if (ret >= 0)
			break;
		parent = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up)) {
			ret = -errno;
			if (parent >= 0)
				close(parent);
			break;
		}
		close(cur);
		cur = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {
			ret = -1;	/* the root is its own parent */
			break;
		}
		st = up;
	}
out:
	if (cur >= 0)
		close(cur);
	return ret;
}

/* @template with every "{name}" replaced by @name, as a new string. */
static char *expand(const char *template, const char *name)
{
	size_t n = strlen(name), len = 0;
	const char *p;
	char *out, *o;

	for (p = template; *p; p++)
		len += strncmp(p, "{name}", 6) ? 1 : n;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	for (p = template, o = out; *p;) {
		if (!strncmp(p, "{name}", 6)) {
			memcpy(o, name, n);
			o += n;
			p += 6;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static bool is_dir(const char *path, struct stat *st)
{
	return !stat(path, st) && S_ISDIR(st->st_mode);
}

/*
 * The root of the guest named @name: the first of @templates that makes
 * an existing directory (its stat in @st). Returns a new string, or NULL
 * when there is none (or no memory).
 */
static char *name_root(const char *name, const char *const *templates,
		       struct stat *st)
{
	const char *const *t;
	char *path;

	for (t = templates; *t; t++) {
		path = expand(*t, name);
		if (!path || is_dir(path, st))
			return path;
		free(path);
	}
	return NULL;
}

int guest_resolve(const char *arg, const char *const *templates,
		  char **root)
{
	const char *const *t;
	char *tried = NULL, *path, *more;
	struct stat st;

	if (strchr(arg, '/')) {
		*root = strdup(arg);
		return *root ? 0 : -ENOMEM;
	}
	if (!conf_valid_name(arg)) {
		error("'%s' is not a guest name", qs(arg));
		return -EINVAL;
	}
	*root = name_root(arg, templates, &st);
	if (*root)
		return 0;
	/* say where we looked */
	for (t = templates; *t; t++) {
		path = expand(*t, arg);
		if (!path || asprintf(&more, "%s%s'%s'", tried ? tried : "",
				      tried ? ", " : "", qs(path)) < 0)
			more = NULL;
		free(tried);
		free(path);
		tried = more;
	}
	error("unknown guest '%s': not found in %s", qs(arg),
	      tried ? tried : "any guest path");
	free(tried);
	return -ENOENT;
}

bool guest_is_named(const struct guest *g, const char *name,
		    const char *const *templates)
{
	struct stat st;
	char *path = name_root(name, templates, &st);
	bool same = path && st.st_dev == g->st.st_dev &&
		    st.st_ino == g->st.st_ino;

	free(path);
	return same;
}

int guest_find_all(const char *const *templates,
		   int (*fn)(const char *name, const char *root, void *arg),
		   void *arg)
{
	struct u64set seen_ino = U64SET_INIT;
	const char *const *t;
	struct dirent **list;
	int n, i, ret = 0;

	for (t = templates; !ret && *t; t++) {
		const char *mark = strstr(*t, "{name}");
		char *parent;

		if (!mark || mark == *t || mark[-1] != '/')
			continue;	/* "{name}" must be a whole component */
		parent = strndup(*t, mark - *t);
		if (!parent)
			return -ENOMEM;
		n = scandir(parent, &list, NULL, alphasort);
		free(parent);
		for (i = 0; i < n; i++) {
			const char *name = list[i]->d_name;
			struct stat st;
			char *root;

			if (!ret && conf_valid_name(name) && name[0] != '.' &&
			    (root = expand(*t, name))) {
				/* one directory, found twice, is one guest */
				if (is_dir(root, &st) &&
				    !u64set_has(&seen_ino, st.st_ino ^
						((uint64_t)st.st_dev << 40))) {
					u64set_add(&seen_ino, st.st_ino ^
						   ((uint64_t)st.st_dev << 40));
					ret = fn(name, root, arg);
				}
				free(root);
			}
			free(list[i]);
		}
		if (n >= 0)
			free(list);
	}
	u64set_release(&seen_ino);
	return ret;
}

/* the kernel's retries of a lookup a rename raced with, before it gives
 * up with EAGAIN; we try that many times again */
#define OPENAT2_TRIES 64

int guest_openat2(int rootfd, const char *path, struct open_how *how)
{
	long fd;
	int tries = 0;

	do
		fd = syscall(SYS_openat2, rootfd, path, how, sizeof(*how));
	while (fd < 0 && errno == EAGAIN && ++tries < OPENAT2_TRIES);
	return fd < 0 ? -errno : (int)fd;
}

int guest_openat(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	int ret;

	if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))
		return -EPERM;	/* the guest is only ever read */
	/*
	 * O_PATH opens nothing, and the kernel refuses O_DIRECTORY on a
	 * non-directory before it opens anything: both go straight. A file
	 * is first reached with O_PATH and opened only when regular.
	 */
	if (!(flags & (O_PATH | O_DIRECTORY)))
		how.flags = O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW);
	else if (!(flags & O_PATH))
		how.flags |= O_NOCTTY;	/* openat2 refuses it with O_PATH */
	fd = guest_openat2(rootfd, path, &how);
	if (fd < 0)
		return fd;
	if (flags & (O_PATH | O_DIRECTORY))
		return fd;
	ret = content_reopen(fd, flags, NULL);
	close(fd);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* The backend plugin loader; see plugin.h. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "plugin.h"

const char *plugins_default_dir(const char *dir)
{
	const char *env = getenv("VHASHIFY_PLUGIN_DIR");

	if (dir)
		return dir;
	if (env && *env)
		return env;
	return PLUGINDIR;
}

int plugins_init(struct plugins *ps, const char *dir)
{
	memset(ps, 0, sizeof(*ps));
	ps->dir = strdup(dir);
	return ps->dir ? 0 : -ENOMEM;
}

void plugin_release(struct plugin *p)
{
	if (p->handle)
		dlclose(p->handle);
	free(p->name);
	free(p->file);
	memset(p, 0, sizeof(*p));
}

void plugins_release(struct plugins *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		plugin_release(ps->v[i]);
		free(ps->v[i]);
	}
	free(ps->v);
	free(ps->dir);
	memset(ps, 0, sizeof(*ps));
}

/*
 * Whether a backend's name may be printed as it is, in messages, lists
 * and JSON: ASCII letters, digits and "+-._", not starting with a dot.
 */
static bool plain_name(const char *name)
{
	const char *c;

	if (*name == '.' || strlen(name) > 64)
		return false;
	for (c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("+-._", *c))
			return false;
	return true;
}

/* Checks a descriptor against what this host knows. */
static int check_backend(const char *file, const char *name,
			 const struct vhashify_backend *b)
{
	if (!b) {
		error("cannot load plugin '%s': %s() returned no backend",
		      qs(file), VHASHIFY_BACKEND_SYMBOL);
		return -EINVAL;
	}
	if (b->abi_major != VHASHIFY_BACKEND_ABI_MAJOR ||
	    b->abi_minor > VHASHIFY_BACKEND_ABI_MINOR) {
		error("cannot load plugin '%s': it needs backend ABI %u.%u, "
		      "this vhashify has %u.%u", qs(file), b->abi_major,
		      b->abi_minor, VHASHIFY_BACKEND_ABI_MAJOR,
		      VHASHIFY_BACKEND_ABI_MINOR);
		return -EPROTO;
	}
	/* every 1.0 slot there before any is read */
	if (b->struct_size < VHASHIFY_BACKEND_SIZE_1_0) {
		error("cannot load plugin '%s': descriptor of %zu bytes is "
		      "too small for ABI 1.0 (%zu)", qs(file), b->struct_size,
		      (size_t)VHASHIFY_BACKEND_SIZE_1_0);
		return -EPROTO;
	}
	if (!b->name || !*b->name || !b->list_exclusions) {
		error("cannot load plugin '%s': descriptor has no name or "
		      "no list_exclusions", qs(file));
		return -EINVAL;
	}
	if (!plain_name(b->name)) {
		error("cannot load plugin '%s': its name '%s' is not made of "
		      "letters, digits and '+-._'", qs(file), qs(b->name));
		return -EINVAL;
	}
	if (name && strcmp(b->name, name)) {
		error("cannot load plugin '%s': it calls itself '%s', not "
		      "'%s'", qs(file), qs(b->name), qs(name));
		return -EINVAL;
	}
	return 0;
}

/* Whether a file or directory of @st is root's or ours. */
static bool trusted_owner(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/*
 * Checks the directory open at @fd, named @path, and every directory
 * above it: owned by root or us; the directory itself writable by its
 * owner only (anyone else could add a plugin, sticky bit or not), those
 * above it only when sticky (others cannot then rename what is ours).
 * Returns 0, or -EPERM after saying why.
 */
static int check_dir(int fd, const char *path)
{
	struct stat st, up;
	char *name = NULL, *longer;
	int cur = fd, parent, ret = 0;

	if (fstat(fd, &st))
		ret = -errno;
	while (!ret) {
		if (!trusted_owner(&st)) {
			error("refusing plugins in '%s': %s%s%s is owned by "
			      "user %u", qs(path), name ? "'" : "it",
			      name ? qs(name) : "", name ? "'" : "",
			      st.st_uid);
			ret = -EPERM;
		} else if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
			   (!name || !(st.st_mode & S_ISVTX))) {
			error("refusing plugins in '%s': %s%s%s is writable by "
			      "others", qs(path), name ? "'" : "it",
			      name ? qs(name) : "", name ? "'" : "");
			ret = -EPERM;
		}
		if (ret)
			break;
		parent = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up)) {
			ret = -errno;
			if (parent >= 0)
				close(parent);
			break;
		}
		if (cur != fd)
			close(cur);
		cur = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break;	/* the root */
		st = up;
		if (asprintf(&longer, "%s/..", name ? name : path) < 0) {
			ret = -ENOMEM;
			break;
		}
		free(name);
		name = longer;
	}
	if (cur != fd)
		close(cur);
	free(name);
	if (ret && ret != -EPERM)
		error("cannot check plugin directory '%s': %s", qs(path),
		      strerror(-ret));
	return ret;
}

/*
 * Opens plugin @file for dlopen() of its /proc/self/fd name, so that
 * the file checked is the file loaded: its directory must pass
 * check_dir(), and the file, reached through symlinks or not, be a
 * regular file of root or us that no one else may write. Returns an
 * O_PATH descriptor, or -errno after saying why.
 */
static int open_trusted(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir, self[64], target[4096], quoted[4200];
	struct stat st, lst;
	const char *what = "it";
	ssize_t n;
	int dfd, fd, ret;

	dir = slash ? strndup(file, slash == file ? 1 : slash - file) :
		      strdup(".");
	if (!dir)
		return -ENOMEM;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = dfd < 0 ? -errno : check_dir(dfd, dir);
	free(dir);
	if (ret) {
		if (dfd >= 0)
			close(dfd);
		else
			error("cannot load plugin '%s': %s", qs(file),
			      strerror(-ret));
		return ret;
	}
	fd = openat(dfd, slash ? slash + 1 : file, O_PATH | O_CLOEXEC);
	ret = fd < 0 || fstat(fd, &st) ? -errno : 0;
	if (!ret && !fstatat(dfd, slash ? slash + 1 : file, &lst,
			     AT_SYMLINK_NOFOLLOW) && S_ISLNK(lst.st_mode)) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		n = readlink(self, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		snprintf(quoted, sizeof(quoted), "'%s'", qs(target));
		what = n > 0 ? quoted : "the file it leads to";
	}
	close(dfd);
	if (ret) {
		error("cannot load plugin '%s': %s", qs(file), strerror(-ret));
	} else if (!S_ISREG(st.st_mode)) {
		error("refusing plugin '%s': %s is not a regular file",
		      qs(file), what);
		ret = -EPERM;
	} else if (!trusted_owner(&st)) {
		error("refusing plugin '%s': %s is owned by user %u",
		      qs(file), what, st.st_uid);
		ret = -EPERM;
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		error("refusing plugin '%s': %s is writable by others",
		      qs(file), what);
		ret = -EPERM;
	}
	if (ret) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	return fd;
}

int plugin_load_file(const char *file, const char *name, struct plugin *p)
{
	vhashify_backend_v1_fn entry;
	char self[64];
	const char *why;
	int ret, fd;

	memset(p, 0, sizeof(*p));
	fd = open_trusted(file);
	if (fd < 0)
		return fd;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (access(self, F_OK)) {
		error("cannot load plugin '%s': /proc is not mounted",
		      qs(file));
		close(fd);
		return -ENOENT;
	}
	/* never unmapped: leak reports can then name a library's code */
	p->handle = dlopen(self, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!p->handle) {
		why = dlerror();
		if (!strncmp(why, self, strlen(self)) &&
		    !strncmp(why + strlen(self), ": ", 2))
			why += strlen(self) + 2;
		error("cannot load plugin '%s': %s", qs(file), qs(why));
		close(fd);
		return -ENOEXEC;
	}
	/*
	 * fd stays open for good: the loader knows the object by the name
	 * "/proc/self/fd/N" and, the object never unloaded, would give it
	 * again for another file opened under the same number.
	 */
	*(void **)&entry = dlsym(p->handle, VHASHIFY_BACKEND_SYMBOL);
	if (!entry) {
		error("cannot load plugin '%s': no symbol '%s'", qs(file),
		      VHASHIFY_BACKEND_SYMBOL);
		ret = -ENOEXEC;
		goto out_release;
	}
	p->backend = entry();
	ret = check_backend(file, name, p->backend);
	if (ret)
		goto out_release;
	p->name = strdup(p->backend->name);
	p->file = strdup(file);
	if (!p->name || !p->file) {
		ret = -ENOMEM;
		goto out_release;
	}
	return 0;

out_release:
	plugin_release(p);
	return ret;
}

/* Whether @name may name a plugin file: no path, no leading dot. */
static bool valid_name(const char *name)
{
	return *name && *name != '.' && !strchr(name, '/');
}

bool plugins_installed(const struct plugins *ps, const char *name)
{
	char *file;
	bool there;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i]->name, name))
			return true;
	if (!valid_name(name) || asprintf(&file, "%s/%s.so", ps->dir,
					  name) < 0)
		return false;
	there = !access(file, F_OK);
	free(file);
	return there;
}

const struct plugin *plugins_get(struct plugins *ps, const char *name,
				 int *err)
{
	struct plugin *p, **v;
	char *file;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i]->name, name))
			return ps->v[i];
	if (!valid_name(name)) {
		*err = -ENOENT;
		return NULL;
	}
	if (asprintf(&file, "%s/%s.so", ps->dir, name) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	if (access(file, F_OK)) {
		free(file);
		*err = -ENOENT;
		return NULL;
	}
	p = malloc(sizeof(*p));
	v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
	if (v)
		ps->v = v;
	if (!p || !v) {
		free(p);
		free(file);
		*err = -ENOMEM;
		return NULL;
	}
	*err = plugin_load_file(file, name, p);
	free(file);
	if (*err) {
		free(p);
		return NULL;
	}
	ps->v[ps->n++] = p;
	/* loaded when first needed: -v shows which a run needed */
	note(1, "loaded plugin '%s' from '%s'", p->name, qs(p->file));
	return p;
}

static int filter_so(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 3 && de->d_name[0] != '.' &&
	       !strcmp(de->d_name + n - 3, ".so");
}

int plugins_each(struct plugins *ps,
		 void (*fn)(const struct plugin *p, void *arg), void *arg)
{
	struct dirent **list;
	const struct plugin *p;
	int n, i, err, ret = 0;

	n = scandir(ps->dir, &list, filter_so, alphasort);
	if (n < 0) {
		err = -errno;
		return error_errno(err, "cannot read plugin directory '%s'",
				   qs(ps->dir));
	}
	for (i = 0; i < n; i++) {
		list[i]->d_name[strlen(list[i]->d_name) - 3] = '\0';
		p = plugins_get(ps, list[i]->d_name, &err);
		if (p)
			fn(p, arg);
		else if (err != -ENOENT && !ret)
			ret = err;	/* refused (said), or out of memory */
		free(list[i]);
	}
	free(list);
	return ret;
}

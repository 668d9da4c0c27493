// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The portage backend: configuration files of Gentoo and derived
 * guests, as portage itself decides them: by path. A file is protected
 * when the longest CONFIG_PROTECT or CONFIG_PROTECT_MASK entry that
 * covers it (the entry itself or a directory above it) is a
 * CONFIG_PROTECT entry; on a tie the mask wins. Portage does not ask
 * which package owns a file, so neither does this backend.
 *
 * Both variables are incremental and stacked in portage's order: the
 * env.d files (what env-update writes to /etc/profile.env), make.globals,
 * the profile stack (parents depth-first, then /etc/portage/profile),
 * then make.conf (/etc/make.conf and /etc/portage/make.conf, each a file
 * or a directory of files). The environment emerge runs in cannot be
 * known offline.
 *
 * Emission: the matcher lets the first matching rule decide and a rule
 * covers everything below its path, so the entries are emitted longest
 * first, masks as includes: the first rule that matches a path is then
 * its longest entry, which is portage's rule. Before them, as excludes
 * that no include can undo: the package database, portage's state and
 * the pending updates (._cfg0000_NAME) it writes beside protected files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <vhashify/backend.h>

#include "makeconf.h"

#define VDB "/var/db/pkg"
#define ENVD "/etc/env.d"
#define MAKE_GLOBALS "/usr/share/portage/config/make.globals"
#define USER_PROFILE "/etc/portage/profile"
#define MAX_CONF_SIZE (4u << 20)
#define MAX_PARENT_DEPTH 32	/* real stacks are about 10 deep */
#define MAX_PROFILES 256
#define MAX_DIR_DEPTH 8		/* make.conf/ and make.defaults/ */
#define MAX_DIR_FILES 4096

/* never shared, whatever CONFIG_PROTECT says */
static const char *const state[] = {
	VDB, "/var/cache/edb", "/var/lib/portage",
};
static const char pending[] = "/**/._cfg[0-9][0-9][0-9][0-9]_*";

static const char *const profile_links[] = {
	"/etc/portage/make.profile", "/etc/make.profile",
};
static const char *const make_confs[] = {
	"/etc/make.conf", "/etc/portage/make.conf",
};

struct portage {
	const struct vhashify_host *host;
	char *root;			/* the guest root as the kernel names it */
	struct pconf_vars expand;	/* portage's expansion map */
	struct pconf_list protect, mask;
	char **profiles;		/* guest paths, in stacking order */
	size_t n_profiles;
};

/*
 * open_in_guest(), again while it fails with EAGAIN: openat2() gives
 * that up when a rename anywhere on the system races with a ".." it
 * resolves (relative profile links hold some), and asks for a retry.
 */
static int open_guest(const struct vhashify_host *host, const char *path,
		      int flags)
{
	int fd, tries = 0;

	do
		fd = host->open_in_guest(host, path, flags);
	while (fd == -EAGAIN && ++tries < 64);
	return fd;
}

/* Guest text for a message: control characters become '?'. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
			 '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void log_refused(struct portage *p, const char *path,
			const struct pconf_error *err)
{
	char b[PATH_MAX];

	p->host->log(p->host, VHASHIFY_LOG_ERROR,
		     "cannot parse '%s' line %u: %s",
		     printable(path, b, sizeof(b)), err->line, err->why);
}

/* The kernel's name of @fd, from /proc: a new string or NULL. */
static char *fd_path(int fd)
{
	char proc[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* The guest-absolute path of @fd, opened inside the guest. */
static char *guest_path(struct portage *p, int fd)
{
	size_t n = strcmp(p->root, "/") ? strlen(p->root) : 0;
	char *host = fd_path(fd), *guest = NULL;

	if (host && !strncmp(host, p->root, n) &&
	    (host[n] == '/' || !host[n]))
		guest = strdup(host[n] ? host + n : "/");
	free(host);
	return guest;
}

/*
 * Reads the regular guest file @path into a new NUL-terminated buffer.
 * Returns 0, -ENOENT (not logged), or another -errno (logged).
 */
static int read_conf(struct portage *p, const char *path, char **buf,
		     size_t *len)
{
	int fd = open_guest(p->host, path, O_RDONLY | O_NONBLOCK);
	char *b = NULL, *nb, pb[PATH_MAX];
	size_t n = 0, cap = 4096;
	struct stat st;
	ssize_t r;
	int ret;

	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	ret = S_ISREG(st.st_mode) ? 0 : -EINVAL;
	for (; !ret; n += r) {
		if (n + 1 >= cap || !b) {
			if (b)
				cap *= 2;
			if (cap > MAX_CONF_SIZE + 1) {
				ret = -EFBIG;
				break;
			}
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			r = 0;
		else if (r < 0)
			ret = -errno;
		else if (!r)
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	if (ret) {
		free(b);
		if (ret != -ENOENT && ret != -ENOMEM)
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot read '%s': %s",
				     printable(path, pb, sizeof(pb)),
				     ret == -EINVAL ? "not a regular file" :
				     ret == -EFBIG ? "too large" :
				     strerror(-ret));
		return ret;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Reads the getconfig-format file @path into @out. */
static int load_file(struct portage *p, const char *path,
		     struct pconf_vars *out, struct pconf_vars *expand)
{
	struct pconf_error err;
	size_t len;
	char *buf;
	int ret;

	ret = read_conf(p, path, &buf, &len);
	if (ret)
		return ret;
	ret = pconf_parse(buf, len, out, expand, &err);
	free(buf);
	if (ret == -EINVAL)
		log_refused(p, path, &err);
	return ret;
}

/* The file type of guest @path: 0 and *mode, or -errno (not logged). */
static int guest_mode(struct portage *p, const char *path, mode_t *mode)
{
	int fd = open_guest(p->host, path, O_PATH);
	struct stat st;
	int ret = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st))
		ret = -errno;
	else
		*mode = st.st_mode;
	close(fd);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in guest directory @path that @keep accepts, sorted. */
static int list_dir(struct portage *p, const char *path,
		    bool (*keep)(const char *name), char ***names,
		    size_t *count)
{
	char **v = NULL, **nv, b[PATH_MAX];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = open_guest(p->host, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (!ret && (errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !keep(de->d_name))
			continue;
		if (n == MAX_DIR_FILES) {
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot read '%s': more than %d files",
				     printable(path, b, sizeof(b)),
				     MAX_DIR_FILES);
			ret = -EFBIG;
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n] = strdup(de->d_name);
		if (!v[n++])
			ret = -ENOMEM;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	if (ret) {
		while (n)
			free(v[--n]);
		free(v);
		return ret;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*count = n;
	return 0;
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/*
 * Reads @path, a file or a directory of files read in name order (as
 * portage reads make.conf and make.defaults), into @out. Returns 0,
 * -ENOENT when @path is missing, or another -errno (logged).
 */
static int load_tree(struct portage *p, const char *path,
		     struct pconf_vars *out, struct pconf_vars *expand,
		     unsigned int depth)
{
	char **names, *child, b[PATH_MAX];
	size_t n, i;
	mode_t mode;
	int ret;

	ret = guest_mode(p, path, &mode);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return -ENOENT;
	if (ret)
		goto fail;
	if (S_ISREG(mode))
		return load_file(p, path, out, expand);
	if (!S_ISDIR(mode))
		return 0;	/* portage reads regular files alone */
	if (depth >= MAX_DIR_DEPTH) {
		ret = -ELOOP;
		goto fail;
	}
	ret = list_dir(p, path, pconf_dir_name, &names, &n);
	if (ret)
		goto fail;
	for (i = 0; !ret && i < n; i++) {
		if (asprintf(&child, "%s/%s", path, names[i]) < 0) {
			ret = -ENOMEM;
			break;
		}
		ret = load_tree(p, child, out, expand, depth + 1);
		if (ret == -ENOENT)
			ret = 0;	/* gone since listed */
		free(child);
	}
	free_names(names, n);
	return ret;

fail:
	if (ret != -ENOMEM)
		p->host->log(p->host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			     printable(path, b, sizeof(b)), strerror(-ret));
	return ret;
}

/* Stacks one layer's values of the two variables. */
static int apply_layer(struct portage *p, const struct pconf_vars *layer)
{
	const char *v = pconf_get(layer, "CONFIG_PROTECT");
	int ret = v ? pconf_incremental(&p->protect, v) : 0;

	v = pconf_get(layer, "CONFIG_PROTECT_MASK");
	if (!ret && v)
		ret = pconf_incremental(&p->mask, v);
	return ret;
}

/* A list's words joined by spaces, as a new string. */
static char *join(const struct pconf_list *l)
{
	size_t i, n = 1;
	char *s, *o;

	for (i = 0; i < l->n; i++)
		n += strlen(l->items[i]) + 1;
	s = o = malloc(n);
	if (!s)
		return NULL;
	*o = '\0';
	for (i = 0; i < l->n; i++)
		o += sprintf(o, "%s%s", i ? " " : "", l->items[i]);
	return s;
}

/* One layer from a joined list, also into the expansion map. */
static int apply_words(struct portage *p, const char *name,
		       const struct pconf_list *words)
{
	struct pconf_vars layer = { 0 };
	char *v;
	int ret;

	if (!words->n)
		return 0;
	v = join(words);
	if (!v)
		return -ENOMEM;
	ret = pconf_set(&layer, name, v);
	if (!ret)
		ret = pconf_set(&p->expand, name, v);
	if (!ret)
		ret = apply_layer(p, &layer);
	free(v);
	pconf_vars_free(&layer);
	return ret;
}

/*
 * The env.d layer: env-update joins the two variables of every env.d
 * file (in name order, words once) into /etc/profile.env, which portage
 * reads unexpanded. The files are read here, not profile.env, which is
 * their copy as of the last env-update.
 */
static int read_envd(struct portage *p)
{
	struct pconf_list protect = { 0 }, mask = { 0 };
	struct pconf_vars file;
	char **names, *path, b[PATH_MAX];
	const char *v;
	size_t n, i;
	mode_t mode;
	int ret;

	ret = list_dir(p, ENVD, pconf_envd_name, &names, &n);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return 0;
	if (ret) {
		if (ret != -ENOMEM)
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot read '" ENVD "': %s",
				     strerror(-ret));
		return ret;
	}
	for (i = 0; !ret && i < n; i++) {
		if (asprintf(&path, ENVD "/%s", names[i]) < 0) {
			ret = -ENOMEM;
			break;
		}
		memset(&file, 0, sizeof(file));
		/* env-update skips what is gone or not a file */
		ret = guest_mode(p, path, &mode);
		if (!ret && S_ISREG(mode))
			ret = load_file(p, path, &file, NULL);
		if (ret == -ENOENT || ret == -ENOTDIR)
			ret = 0;
		else if (ret && ret != -EINVAL && ret != -ENOMEM)
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot read '%s': %s",
				     printable(path, b, sizeof(b)),
				     strerror(-ret));
		v = pconf_get(&file, "CONFIG_PROTECT");
		if (!ret && v)
			ret = pconf_words(&protect, v);
		v = pconf_get(&file, "CONFIG_PROTECT_MASK");
		if (!ret && v)
			ret = pconf_words(&mask, v);
		pconf_vars_free(&file);
		free(path);
	}
	free_names(names, n);
	if (!ret)
		ret = apply_words(p, "CONFIG_PROTECT", &protect);
	if (!ret)
		ret = apply_words(p, "CONFIG_PROTECT_MASK", &mask);
	pconf_list_free(&protect);
	pconf_list_free(&mask);
	return ret;
}

/* Reads one layer from @path (a file or a directory) and stacks it. */
static int read_layer(struct portage *p, const char *path)
{
	struct pconf_vars layer = { 0 };
	int ret = load_tree(p, path, &layer, &p->expand, 0);

	if (ret == -ENOENT)
		ret = 0;
	if (!ret)
		ret = apply_layer(p, &layer);
	pconf_vars_free(&layer);
	return ret;
}

struct parent_ctx {
	struct portage *p;
	const char *dir;	/* the profile listing them */
	const char *file;	/* its parent file */
	unsigned int depth;
};

static int add_profile(struct portage *p, const char *dir,
		       unsigned int depth);

/* Appends @dir to the stack. */
static int push_profile(struct portage *p, const char *dir)
{
	char **v = realloc(p->profiles, (p->n_profiles + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->profiles = v;
	v[p->n_profiles] = strdup(dir);
	return v[p->n_profiles++] ? 0 : -ENOMEM;
}

/* The guest path of @fd, or NULL after a message naming @what. */
static char *resolved(struct portage *p, int fd, const char *what)
{
	char *real = guest_path(p, fd), b[PATH_MAX];

	if (!real)
		p->host->log(p->host, VHASHIFY_LOG_ERROR, "cannot resolve "
			     "'%s' inside the guest",
			     printable(what, b, sizeof(b)));
	return real;
}

static int add_parent(void *arg, const char *parent, unsigned int line)
{
	struct parent_ctx *pc = arg;
	struct portage *p = pc->p;
	char *joined, *real, b[PATH_MAX], c[PATH_MAX];
	int fd, ret;

	if (strchr(parent, ':')) {
		p->host->log(p->host, VHASHIFY_LOG_ERROR, "cannot read '%s' "
			     "line %u: parent '%s' names a repository, which "
			     "is not supported",
			     printable(pc->file, b, sizeof(b)), line,
			     printable(parent, c, sizeof(c)));
		return -EINVAL;
	}
	if (asprintf(&joined, "%s/%s", parent[0] == '/' ? "" : pc->dir,
		     parent) < 0)
		return -ENOMEM;
	fd = open_guest(p->host, joined, O_PATH | O_DIRECTORY);
	free(joined);
	if (fd < 0) {
		p->host->log(p->host, VHASHIFY_LOG_ERROR, "cannot read '%s' "
			     "line %u: parent '%s': %s",
			     printable(pc->file, b, sizeof(b)), line,
			     printable(parent, c, sizeof(c)), strerror(-fd));
		return fd;
	}
	real = resolved(p, fd, parent);
	close(fd);
	if (!real)
		return -EXDEV;
	ret = add_profile(p, real, pc->depth + 1);
	free(real);
	return ret;
}

/* Adds the profile directory @dir after its parents, depth-first. */
static int add_profile(struct portage *p, const char *dir,
		       unsigned int depth)
{
	struct parent_ctx pc = { .p = p, .dir = dir, .depth = depth };
	struct pconf_error err = { 0 };	/* unset when a parent failed */
	char *file, *buf, b[PATH_MAX];
	size_t len;
	int ret;

	if (depth > MAX_PARENT_DEPTH || p->n_profiles >= MAX_PROFILES) {
		p->host->log(p->host, VHASHIFY_LOG_ERROR, "cannot read "
			     "profile '%s': more than %d parents deep or %d "
			     "profiles (a loop?)", printable(dir, b, sizeof(b)),
			     MAX_PARENT_DEPTH, MAX_PROFILES);
		return -ELOOP;
	}
	if (asprintf(&file, "%s/parent", strcmp(dir, "/") ? dir : "") < 0)
		return -ENOMEM;
	pc.file = file;
	ret = read_conf(p, file, &buf, &len);
	if (!ret) {
		ret = pconf_parents(buf, len, add_parent, &pc, &err);
		free(buf);
		if (ret == -EINVAL && err.why)
			log_refused(p, file, &err);
	} else if (ret == -ENOENT) {
		ret = 0;
	}
	free(file);
	return ret ? ret : push_profile(p, dir);
}

/* The profile stack: make.profile and its parents, then the user's. */
static int read_profiles(struct portage *p)
{
	char *real, *path;
	size_t i;
	mode_t mode;
	int fd, ret = 0;

	for (i = 0; i < sizeof(profile_links) / sizeof(*profile_links); i++) {
		fd = open_guest(p->host, profile_links[i],
					    O_PATH | O_DIRECTORY);
		if (fd == -ENOENT || fd == -ENOTDIR)
			continue;
		if (fd < 0) {
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot open '%s': %s", profile_links[i],
				     strerror(-fd));
			return fd;
		}
		real = resolved(p, fd, profile_links[i]);
		close(fd);
		if (!real)
			return -EXDEV;
		ret = add_profile(p, real, 0);
		free(real);
		break;
	}
	if (!ret && p->n_profiles &&
	    !guest_mode(p, USER_PROFILE, &mode) && S_ISDIR(mode))
		ret = push_profile(p, USER_PROFILE);	/* no parents */
	for (i = 0; !ret && i < p->n_profiles; i++) {
		if (asprintf(&path, "%s/make.defaults", p->profiles[i]) < 0)
			return -ENOMEM;
		ret = read_layer(p, path);
		free(path);
	}
	return ret;
}

/* Whether guest paths @a and @b are one file. */
static bool same_file(struct portage *p, const char *a, const char *b)
{
	int fa = open_guest(p->host, a, O_PATH);
	int fb = open_guest(p->host, b, O_PATH);
	struct stat sa, sb;
	bool same = fa >= 0 && fb >= 0 && !fstat(fa, &sa) && !fstat(fb, &sb) &&
		    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;

	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

/* make.conf: both places make one layer, the later assignment wins. */
static int read_make_conf(struct portage *p)
{
	struct pconf_vars layer = { 0 };
	int ret = 0;
	size_t i;

	for (i = 0; !ret && i < sizeof(make_confs) / sizeof(*make_confs);
	     i++) {
		if (i && same_file(p, make_confs[0], make_confs[i]))
			continue;
		ret = load_tree(p, make_confs[i], &layer, &p->expand, 0);
		if (ret == -ENOENT)
			ret = 0;
	}
	if (!ret)
		ret = apply_layer(p, &layer);
	pconf_vars_free(&layer);
	return ret;
}

/* Portage's predefined expansions, for a guest without a prefix. */
static int predefine(struct portage *p)
{
	static const char *const vars[][2] = {
		{ "BROOT", "" }, { "EPREFIX", "" }, { "EROOT", "/" },
		{ "ESYSROOT", "/" }, { "PORTAGE_CONFIGROOT", "/" },
		{ "ROOT", "/" }, { "SYSROOT", "/" },
	};
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < sizeof(vars) / sizeof(*vars); i++)
		ret = pconf_set(&p->expand, vars[i][0], vars[i][1]);
	return ret;
}

struct entry {
	char *path;
	bool mask;
};

/* Longest first; a mask before a protect of the same path. */
static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t lx = strlen(x->path), ly = strlen(y->path);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (x->mask != y->mask)
		return x->mask ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int add_entries(struct portage *p, const struct pconf_list *l,
		       bool mask, struct entry *e, size_t *n)
{
	char b[PATH_MAX];
	size_t i;

	for (i = 0; i < l->n; i++) {
		e[*n].path = pconf_entry_path(l->items[i]);
		if (!e[*n].path) {
			if (errno != EINVAL)
				return -ENOMEM;
			p->host->log(p->host, VHASHIFY_LOG_ERROR, "cannot use "
				     "%s entry '%s': quotes and backslashes "
				     "are not supported",
				     mask ? "CONFIG_PROTECT_MASK" :
				     "CONFIG_PROTECT",
				     printable(l->items[i], b, sizeof(b)));
			return -EINVAL;
		}
		e[(*n)++].mask = mask;
	}
	return 0;
}

/* Emits the entries, longest first, so that the longest match decides. */
static int emit_entries(struct portage *p, vhashify_emit_fn emit, void *ctx)
{
	size_t n = 0, i, total = p->protect.n + p->mask.n;
	struct entry *e = calloc(total ? total : 1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = add_entries(p, &p->protect, false, e, &n);
	if (!ret)
		ret = add_entries(p, &p->mask, true, e, &n);
	if (!ret)
		qsort(e, n, sizeof(*e), cmp_entry);
	for (i = 0; !ret && i < n; i++) {
		if (i && !strcmp(e[i].path, e[i - 1].path))
			continue;	/* the first one decides anyway */
		ret = emit(ctx, e[i].path,
			   e[i].mask ? VHASHIFY_EMIT_INCLUDE : 0);
	}
	for (i = 0; i < n; i++)
		free(e[i].path);
	free(e);
	p->host->log(p->host, VHASHIFY_LOG_DEBUG, "%zu profiles, %zu "
		     "CONFIG_PROTECT and %zu CONFIG_PROTECT_MASK entries",
		     p->n_profiles, p->protect.n, p->mask.n);
	return ret;
}

static int portage_probe(const struct vhashify_host *host)
{
	int fd = open_guest(host, VDB, O_PATH | O_DIRECTORY);

	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

static int portage_list(const struct vhashify_host *host,
			vhashify_emit_fn emit, void *ctx)
{
	struct portage p = { .host = host };
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < sizeof(state) / sizeof(*state); i++)
		ret = emit(ctx, state[i], 0);
	if (!ret)
		ret = emit(ctx, pending, VHASHIFY_EMIT_GLOB);
	if (ret)
		return ret;
	p.root = fd_path(host->guest_fd);
	if (!p.root)
		return -ENOMEM;
	ret = predefine(&p);
	if (!ret)
		ret = read_envd(&p);
	if (!ret)
		ret = read_layer(&p, MAKE_GLOBALS);
	if (!ret)
		ret = read_profiles(&p);
	if (!ret)
		ret = read_make_conf(&p);
	if (!ret)
		ret = emit_entries(&p, emit, ctx);
	for (i = 0; i < p.n_profiles; i++)
		free(p.profiles[i]);
	free(p.profiles);
	pconf_vars_free(&p.expand);
	pconf_list_free(&p.protect);
	pconf_list_free(&p.mask);
	free(p.root);
	return ret;
}

static const struct vhashify_backend backend = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "portage",
	.description = "portage CONFIG_PROTECT of Gentoo and derived guests",
	.probe = portage_probe,
	.list_exclusions = portage_list,
	.version = PLUGIN_VERSION,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

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
 *
 * Option eprefix (vhashify.yaml backend-options): the offset of a
 * Gentoo Prefix installation inside the guest ("/gentoo"). Portage's
 * files are then read below it, and its entries and state are kept
 * private below it, as portage joins them to EROOT.
 *
 * Every file is read through the host (read_file, list_dir), resolved
 * inside the guest; each entry's reason names the file that added it.
 */
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

static const char *const options[] = { "eprefix", NULL };

struct portage {
	const struct vhashify_host *host;
	char *root;			/* the guest root as the kernel names it */
	char *eprefix;			/* "" or "/gentoo": no '/' last */
	struct pconf_vars expand;	/* portage's expansion map */
	struct pconf_list protect, mask;
	/* "+ENTRY" (CONFIG_PROTECT), "-ENTRY" (mask) -> its file */
	struct pconf_vars from;
	char **profiles;		/* guest paths, in stacking order */
	size_t n_profiles;
};

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
	char pb[PATH_MAX];
	int ret = p->host->read_file(p->host, path, MAX_CONF_SIZE, buf, len);

	if (ret && ret != -ENOENT && ret != -ENOMEM)
		p->host->log(p->host, VHASHIFY_LOG_ERROR,
			     "cannot read '%s': %s",
			     printable(path, pb, sizeof(pb)),
			     ret == -ENXIO ? "not a regular file" :
			     ret == -EFBIG ? "too large" : strerror(-ret));
	return ret;
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
	int fd = p->host->open_in_guest(p->host, path, O_PATH);
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

/*
 * The names in guest directory @path that @keep accepts, sorted: a new
 * array, each name in it a new string.
 */
static int list_dir(struct portage *p, const char *path,
		    bool (*keep)(const char *name), char ***names,
		    size_t *count)
{
	char **all, **v, b[PATH_MAX];
	size_t n, i, k = 0;
	int ret;

	ret = p->host->list_dir(p->host, path, MAX_DIR_FILES, &all, &n);
	if (ret == -EFBIG)
		p->host->log(p->host, VHASHIFY_LOG_ERROR,
			     "cannot read '%s': more than %d files",
			     printable(path, b, sizeof(b)), MAX_DIR_FILES);
	if (ret)
		return ret;
	v = calloc(n + 1, sizeof(*v));
	for (i = 0; v && i < n; i++) {
		if (!keep(all[i]))
			continue;
		v[k] = strdup(all[i]);
		if (!v[k++])
			ret = -ENOMEM;
	}
	free(all);
	if (!v || ret) {
		while (v && k)
			free(v[--k]);
		free(v);
		return -ENOMEM;
	}
	*names = v;
	*count = k;
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

/* @path below the guest's EPREFIX, as a new string (NULL: no memory). */
static char *in_prefix(const struct portage *p, const char *path)
{
	char *s;

	return asprintf(&s, "%s%s", p->eprefix, path) < 0 ? NULL : s;
}

/*
 * Stacks one incremental variable's value @v onto @l, and records where
 * each entry it adds comes from, under "@sign ENTRY" in p->from: @by_word
 * tells for each word (env.d's joined layer), else it is @from.
 */
static int stack(struct portage *p, struct pconf_list *l, char sign,
		 const char *v, const char *from,
		 const struct pconf_vars *by_word)
{
	struct pconf_list before = { 0 };
	const char *src;
	char *key;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < l->n; i++)
		ret = pconf_list_add(&before, l->items[i]);
	if (!ret)
		ret = pconf_incremental(l, v);
	for (i = 0; !ret && i < l->n; i++) {
		if (pconf_list_has(&before, l->items[i]))
			continue;
		if (asprintf(&key, "%c%s", sign, l->items[i]) < 0) {
			ret = -ENOMEM;
			break;
		}
		src = by_word ? pconf_get(by_word, key) : NULL;
		ret = pconf_set(&p->from, key, src ? src : from);
		free(key);
	}
	pconf_list_free(&before);
	return ret;
}

/* Stacks one layer's values of the two variables, read from @from. */
static int apply_layer(struct portage *p, const struct pconf_vars *layer,
		       const char *from, const struct pconf_vars *by_word)
{
	const char *v = pconf_get(layer, "CONFIG_PROTECT");
	int ret = v ? stack(p, &p->protect, '+', v, from, by_word) : 0;

	v = pconf_get(layer, "CONFIG_PROTECT_MASK");
	if (!ret && v)
		ret = stack(p, &p->mask, '-', v, from, by_word);
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

/*
 * One layer from a joined list, also into the expansion map; @by_word
 * names each word's file, @from the layer.
 */
static int apply_words(struct portage *p, const char *name,
		       const struct pconf_list *words, const char *from,
		       const struct pconf_vars *by_word)
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
		ret = apply_layer(p, &layer, from, by_word);
	free(v);
	pconf_vars_free(&layer);
	return ret;
}

/* Records @path as the file of the words @l holds from @n on. */
static int note_words(struct pconf_vars *by_word, char sign,
		      const struct pconf_list *l, size_t n, const char *path)
{
	char *key;
	int ret = 0;

	for (; !ret && n < l->n; n++) {
		if (asprintf(&key, "%c%s", sign, l->items[n]) < 0)
			return -ENOMEM;
		ret = pconf_set(by_word, key, path);
		free(key);
	}
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
	struct pconf_vars file, by_word = { 0 };
	char **names, *path, *envd = in_prefix(p, ENVD), b[PATH_MAX];
	const char *v;
	size_t n, i, k;
	mode_t mode;
	int ret;

	if (!envd)
		return -ENOMEM;
	ret = list_dir(p, envd, pconf_envd_name, &names, &n);
	if (ret == -ENOENT || ret == -ENOTDIR) {
		free(envd);
		return 0;
	}
	if (ret) {
		if (ret != -ENOMEM && ret != -EFBIG)
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot read '%s': %s",
				     printable(envd, b, sizeof(b)),
				     strerror(-ret));
		free(envd);
		return ret;
	}
	for (i = 0; !ret && i < n; i++) {
		if (asprintf(&path, "%s/%s", envd, names[i]) < 0) {
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
		k = protect.n;
		if (!ret && v)
			ret = pconf_words(&protect, v);
		if (!ret)
			ret = note_words(&by_word, '+', &protect, k, path);
		v = pconf_get(&file, "CONFIG_PROTECT_MASK");
		k = mask.n;
		if (!ret && v)
			ret = pconf_words(&mask, v);
		if (!ret)
			ret = note_words(&by_word, '-', &mask, k, path);
		pconf_vars_free(&file);
		free(path);
	}
	free_names(names, n);
	if (!ret)
		ret = apply_words(p, "CONFIG_PROTECT", &protect, envd,
				  &by_word);
	if (!ret)
		ret = apply_words(p, "CONFIG_PROTECT_MASK", &mask, envd,
				  &by_word);
	pconf_list_free(&protect);
	pconf_list_free(&mask);
	pconf_vars_free(&by_word);
	free(envd);
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
		ret = apply_layer(p, &layer, path, NULL);
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
	fd = p->host->open_in_guest(p->host, joined, O_PATH | O_DIRECTORY);
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
	char *real, *path, *link, b[PATH_MAX];
	size_t i;
	mode_t mode;
	int fd, ret = 0;

	for (i = 0; i < sizeof(profile_links) / sizeof(*profile_links); i++) {
		link = in_prefix(p, profile_links[i]);
		if (!link)
			return -ENOMEM;
		fd = p->host->open_in_guest(p->host, link,
					    O_PATH | O_DIRECTORY);
		if (fd == -ENOENT || fd == -ENOTDIR) {
			free(link);
			continue;
		}
		if (fd < 0) {
			p->host->log(p->host, VHASHIFY_LOG_ERROR,
				     "cannot open '%s': %s",
				     printable(link, b, sizeof(b)),
				     strerror(-fd));
			free(link);
			return fd;
		}
		real = resolved(p, fd, link);
		close(fd);
		free(link);
		if (!real)
			return -EXDEV;
		ret = add_profile(p, real, 0);
		free(real);
		break;
	}
	path = in_prefix(p, USER_PROFILE);
	if (!path)
		return -ENOMEM;
	if (!ret && p->n_profiles &&
	    !guest_mode(p, path, &mode) && S_ISDIR(mode))
		ret = push_profile(p, path);	/* no parents */
	free(path);
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
	int fa = p->host->open_in_guest(p->host, a, O_PATH);
	int fb = p->host->open_in_guest(p->host, b, O_PATH);
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
	char *conf[2], *from = NULL;
	int ret = 0;
	size_t i;

	conf[0] = in_prefix(p, make_confs[0]);
	conf[1] = in_prefix(p, make_confs[1]);
	if (!conf[0] || !conf[1])
		ret = -ENOMEM;
	for (i = 0; !ret && i < 2; i++) {
		if (i && same_file(p, conf[0], conf[i]))
			continue;
		ret = load_tree(p, conf[i], &layer, &p->expand, 0);
		if (!ret)
			from = conf[i];	/* the last one read */
		if (ret == -ENOENT)
			ret = 0;
	}
	if (!ret && from)
		ret = apply_layer(p, &layer, from, NULL);
	pconf_vars_free(&layer);
	free(conf[0]);
	free(conf[1]);
	return ret;
}

/* Portage's predefined expansions, for a guest without a prefix. */
static int predefine(struct portage *p)
{
	static const char *const names[] = {
		"BROOT", "EPREFIX", "EROOT", "ESYSROOT", "PORTAGE_CONFIGROOT",
		"ROOT", "SYSROOT",
	};
	const char *values[] = {
		p->eprefix, p->eprefix, NULL, NULL, "/", "/", "/",
	};
	char *root = in_prefix(p, "/");
	size_t i;
	int ret = 0;

	if (!root)
		return -ENOMEM;
	values[2] = values[3] = root;	/* EROOT, ESYSROOT */
	for (i = 0; !ret && i < sizeof(names) / sizeof(*names); i++)
		ret = pconf_set(&p->expand, names[i], values[i]);
	free(root);
	return ret;
}

/*
 * The option eprefix into *@out: "" when unset, else an absolute guest
 * path without '/' last and without "." or ".." components. Returns 0
 * or -errno (logged).
 */
static int get_eprefix(const struct vhashify_host *host, char **out)
{
	const char *v = VHASHIFY_HOST_HAS(host, option) ?
			host->option(host, "eprefix") : NULL;
	char b[PATH_MAX], *e;
	size_t n;

	*out = NULL;
	if (!v)
		v = "";
	if (*v && (v[0] != '/' || strstr(v, "/../") || strstr(v, "/./") ||
		   strstr(v, "//") || (strlen(v) >= 3 &&
				       !strcmp(v + strlen(v) - 3, "/..")) ||
		   (strlen(v) >= 2 && !strcmp(v + strlen(v) - 2, "/.")))) {
		host->log(host, VHASHIFY_LOG_ERROR, "option eprefix '%s' is "
			  "not an absolute path without '.', '..' or '//'",
			  printable(v, b, sizeof(b)));
		return -EINVAL;
	}
	e = strdup(v);
	if (!e)
		return -ENOMEM;
	n = strlen(e);
	while (n && e[n - 1] == '/')
		e[--n] = '\0';
	*out = e;
	return 0;
}

struct entry {
	char *path;		/* below EPREFIX */
	const char *from;	/* the file that added it */
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
	char b[PATH_MAX], key[PATH_MAX], *path;
	size_t i;

	for (i = 0; i < l->n; i++) {
		snprintf(key, sizeof(key), "%c%s", mask ? '-' : '+',
			 l->items[i]);
		e[*n].from = pconf_get(&p->from, key);
		path = pconf_entry_path(l->items[i]);
		e[*n].path = path && strcmp(path, "/") ? in_prefix(p, path) :
			     path && *p->eprefix ? strdup(p->eprefix) : path;
		if (path && e[*n].path != path)
			free(path);
		if (path && !e[*n].path)
			return -ENOMEM;
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
		ret = p->host->reason(p->host, "%s from %s", e[i].mask ?
				      "CONFIG_PROTECT_MASK" : "CONFIG_PROTECT",
				      e[i].from ? e[i].from : "?");
		if (!ret)
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
	char *eprefix, *vdb;
	int fd;

	fd = get_eprefix(host, &eprefix);
	if (fd)
		return fd;
	fd = asprintf(&vdb, "%s" VDB, eprefix);
	free(eprefix);
	if (fd < 0)
		return -ENOMEM;
	fd = host->open_in_guest(host, vdb, O_PATH | O_DIRECTORY);
	free(vdb);
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
	char *path;
	size_t i;
	int ret;

	ret = get_eprefix(host, &p.eprefix);
	if (!ret)
		ret = host->reason(host, "portage's database and state");
	for (i = 0; !ret && i < sizeof(state) / sizeof(*state); i++) {
		path = in_prefix(&p, state[i]);
		ret = path ? emit(ctx, path, 0) : -ENOMEM;
		free(path);
	}
	if (!ret)
		ret = host->reason(host, "pending update of a protected file");
	if (!ret)
		ret = emit(ctx, pending, VHASHIFY_EMIT_GLOB);
	p.root = ret ? NULL : fd_path(host->guest_fd);
	if (!ret && !p.root)
		ret = -ENOMEM;
	if (!ret)
		ret = predefine(&p);
	if (!ret)
		ret = read_envd(&p);
	path = ret ? NULL : in_prefix(&p, MAKE_GLOBALS);
	if (!ret && !path)
		ret = -ENOMEM;
	if (!ret)
		ret = read_layer(&p, path);
	free(path);
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
	pconf_vars_free(&p.from);
	free(p.root);
	free(p.eprefix);
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
	.options = options,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

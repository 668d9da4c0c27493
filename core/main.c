// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhashify: makes identical files of guest root trees one inode in a
 * content-addressed store. The flow of a run, top to bottom:
 *   command line and configuration file -> plugins and detection table
 *   -> guests (by path or name) and a backend for each -> exclude lists
 *   checked -> stores (one per filesystem) -> for each guest: its
 *   exclusions, walk, decide, unify, its exclusions freed -> summary
 * Everything that can be wrong with the configuration is found before
 * the first change; a guest's package database is read when that guest
 * is worked on, so that a run holds the exclusions of --jobs guests.
 * The maintenance actions (--gc, --verify, --stats, --restore) share
 * the set-up and hand over to maint.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "cli.h"
#include "closer.h"
#include "conf.h"
#include "content.h"
#include "dedupe.h"
#include "detect.h"
#include "exclusions.h"
#include "guest.h"
#include "hashify.h"
#include "host.h"
#include "immutable.h"
#include "objmap.h"
#include "log.h"
#include "maint.h"
#include "migrate.h"
#include "match.h"
#include "plugin.h"
#include "progress.h"
#include "report.h"
#include "store.h"
#include "vserver.h"
#include "workers.h"

/* What a run works with, set up before anything changes. */
struct run {
	struct options opt;
	struct conf conf;
	struct plugins plugins;
	const struct plugin *exclude_file;	/* always applies */
	struct detect_table table;
	const char **exclude_lists;	/* default, configured, --exclude-from */
	int n_exclude_lists;
	struct guest *guests;
	int n_guests;
	const char **store_paths;
	int n_store_paths;
	struct store **stores;	/* by store_paths; NULL where not opened */
	const char *vservers;	/* util-vserver's configuration tree */
	char **vs_paths;	/* guest paths with it, or NULL */
	/*
	 * By guest: why its exclusions could not be gathered (said once),
	 * so that it is left alone, or NULL.
	 */
	const char **left_alone;
};

/*
 * Backends are called for one guest at a time: a plugin need not be
 * thread-safe (librpm is not), and one database is parsed at a time.
 */
static pthread_mutex_t collect_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the configuration file; the command line overrides it. */
static int setup_conf(struct run *r)
{
	struct options *o = &r->opt;
	char *file = NULL;
	int ret;

	if (!o->config && asprintf(&file, "%s/vhashify.yaml",
				   o->sysconfdir) < 0)
		return -ENOMEM;
	ret = conf_load(&r->conf, o->config ? o->config : file, !!o->config);
	free(file);
	if (ret)
		return ret;
	if (!o->hash_set && r->conf.has_hash)
		o->hash = r->conf.hash;
	if (!o->method_set && r->conf.has_method)
		o->method = r->conf.method;
	if (!o->min_size_set && r->conf.has_min_size)
		o->min_size = r->conf.min_size;
	if (r->conf.has_ignore_mtime && r->conf.ignore_mtime)
		o->ignore_mtime = true;
	if (!o->lock_timeout_set && r->conf.has_lock_timeout)
		o->lock_timeout = r->conf.lock_timeout;
	r->vservers = r->conf.vservers ? r->conf.vservers : VSERVER_ROOT;
	if (r->conf.vservers && !r->conf.guest_paths) {
		r->vs_paths = vserver_guest_paths(r->vservers,
						  conf_default_guest_paths);
		if (!r->vs_paths)
			return -ENOMEM;
	}
	if (o->n_stores) {
		r->store_paths = o->stores;
		r->n_store_paths = o->n_stores;
	} else if (r->conf.stores) {
		r->store_paths = (const char **)r->conf.stores;
		while (r->conf.stores[r->n_store_paths])
			r->n_store_paths++;
	} else {
		static const char *default_store[] = { DEFAULT_STORE };

		r->store_paths = default_store;
		r->n_store_paths = 1;
	}
	r->stores = calloc(r->n_store_paths, sizeof(*r->stores));
	return r->stores ? 0 : -ENOMEM;
}

static void print_backend(const struct plugin *p, void *arg)
{
	const struct vhashify_backend *b = p->backend;
	const char *version = VHASHIFY_BACKEND_HAS(b, version) &&
			      b->version ? b->version : "-";

	printf("%-14s ABI %u.%u  %-8s %s\n", p->name, b->abi_major,
	       b->abi_minor, qs(version),
	       qs(b->description ? b->description : ""));
	(void)arg;
}

static void list_name(const struct plugin *p, void *arg)
{
	if (strcmp(p->name, "exclude-file"))
		fprintf(stderr, " %s", p->name);
	(void)arg;
}

/* Loads the backend @name for a guest, or says it is not installed. */
static const struct plugin *backend_named(struct run *r, const char *name)
{
	const struct plugin *p;
	int ret;

	p = plugins_get(&r->plugins, name, &ret);
	if (!p && ret == -ENOENT) {
		error("unknown backend '%s'", qs(name));
		fprintf(stderr, "installed backends:");
		plugins_each(&r->plugins, list_name, NULL);
		fprintf(stderr, "\n");
	}
	return p;
}

/* Loads the plugins, the detection table and the exclude lists. */
static int setup_backends(struct run *r)
{
	char *table = NULL, *dropins = NULL, **c;
	int ret, n = 1, i;

	ret = plugins_init(&r->plugins,
			   plugins_default_dir(r->opt.plugin_dir));
	if (!ret)
		ret = conf_check_options(&r->conf, &r->plugins);
	if (ret)
		return ret;
	r->exclude_file = plugins_get(&r->plugins, "exclude-file", &ret);
	if (!r->exclude_file) {
		if (ret == -ENOENT)
			error("backend 'exclude-file' is not installed in "
			      "'%s'", qs(r->plugins.dir));
		return ret;
	}
	for (c = r->conf.exclude_lists; c && *c; c++)
		n++;
	r->exclude_lists = calloc(n + r->opt.n_exclude_from + 1,
				  sizeof(*r->exclude_lists));
	if (!r->exclude_lists ||
	    asprintf((char **)&r->exclude_lists[0], "%s/exclude",
		     r->opt.sysconfdir) < 0)
		return -ENOMEM;
	for (c = r->conf.exclude_lists, i = 1; c && *c; c++)
		r->exclude_lists[i++] = *c;
	for (n = 0; n < r->opt.n_exclude_from; n++)
		r->exclude_lists[i++] = r->opt.exclude_from[n];
	r->n_exclude_lists = i;

	if (r->opt.pkgmgr && strcmp(r->opt.pkgmgr, "none") &&
	    !backend_named(r, r->opt.pkgmgr))
		return -ENOENT;
	if (asprintf(&table, "%s/detect.yaml", r->opt.sysconfdir) < 0 ||
	    asprintf(&dropins, "%s/detect.d", r->opt.sysconfdir) < 0)
		ret = -ENOMEM;
	else
		ret = detect_load(&r->table, table, dropins);
	if (!ret)
		detect_check_installed(&r->table, &r->plugins);
	free(table);
	free(dropins);
	return ret;
}

static const char *const *guest_paths(const struct run *r)
{
	return r->conf.guest_paths ?
	       (const char *const *)r->conf.guest_paths :
	       r->vs_paths ? (const char *const *)r->vs_paths :
	       conf_default_guest_paths;
}

/*
 * The settings (guests: in vhashify.yaml) of guest @g: those of its
 * name, or for a guest given by path, those of the name that resolves
 * to the same directory.
 */
static const struct guest_conf *guest_conf_of(const struct run *r,
					      const struct guest *g)
{
	size_t i;

	if (g->name)
		return conf_guest(&r->conf, g->name);
	for (i = 0; i < r->conf.n_guests; i++)
		if (guest_is_named(g, r->conf.guests[i].name, guest_paths(r)))
			return &r->conf.guests[i];
	return NULL;
}

/* Sets g->backend_names: the backends applied, joined by '+'. */
static int name_backends(struct guest *g)
{
	size_t i, len = 0;
	char *s;

	for (i = 0; i < g->n_backends; i++)
		if (g->backends[i].use == DETECT_APPLIED)
			len += strlen(g->backends[i].plugin->name) + 1;
	if (!len)
		return 0;
	s = g->backend_names = calloc(1, len);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < g->n_backends; i++) {
		if (g->backends[i].use != DETECT_APPLIED)
			continue;
		if (*s)
			strcat(s, "+");
		strcat(s, g->backends[i].plugin->name);
	}
	return 0;
}

/*
 * Chooses a guest's backends: --pkgmgr, its settings, or every rule of
 * the table that applies (see detect.h).
 */
static int choose_backend(struct run *r, struct guest *g)
{
	const struct guest_conf *gc = guest_conf_of(r, g);
	const char *forced = r->opt.pkgmgr ? r->opt.pkgmgr :
			     gc && gc->backend ? gc->backend :
			     g->vserver ? g->vserver->backend : NULL;
	const struct plugin *p;
	struct host host;
	int ret;

	g->group = gc ? gc->group : NULL;	/* trust group */
	if (forced) {
		if (!strcmp(forced, "none"))
			return 0;
		p = backend_named(r, forced);
		if (!p)
			return -ENOENT;
		g->backends = calloc(1, sizeof(*g->backends));
		if (!g->backends)
			return -ENOMEM;
		g->backends[0].plugin = p;
		g->backends[0].use = DETECT_APPLIED;
		g->n_backends = 1;
		return name_backends(g);
	}
	host_init(&host, g, r->exclude_lists, &r->conf, gc);
	ret = detect_choose(&r->table, &r->plugins, &host, &g->backends,
			    &g->n_backends);
	if (ret == -ENOENT && r->opt.mode == MODE_HASHIFY)
		error("no backend found for guest '%s': force one with "
		      "--pkgmgr=NAME, or use --pkgmgr=none to rely on "
		      "exclude lists alone", qs(g->path));
	return ret ? ret : name_backends(g);
}

static int add_guest(struct run *r, const char *name, const char *path)
{
	struct guest *v = realloc(r->guests, (r->n_guests + 1) * sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	r->guests = v;
	ret = guest_open(&v[r->n_guests], name, path);
	if (ret)
		return ret;
	/* util-vserver's guests take part when they opted in */
	ret = r->opt.manual_list ?
	      vserver_manual_setup(&v[r->n_guests], r->opt.manual_list) :
	      vserver_guest_setup(r->vservers, &v[r->n_guests], !r->opt.all &&
				  r->opt.mode != MODE_LIST_GUESTS);
	if (ret) {
		guest_close(&v[r->n_guests]);
		return ret > 0 ? 0 : ret;
	}
	r->n_guests++;
	return 0;
}

static int add_found_guest(const char *name, const char *root, void *arg)
{
	return add_guest(arg, name, root);
}

/* Finds and opens the guests: by path, by name, or --all. */
static int setup_guests(struct run *r)
{
	char *root;
	int i, ret;

	if (r->opt.all || r->opt.mode == MODE_LIST_GUESTS)
		return guest_find_all(guest_paths(r), add_found_guest, r);
	for (i = 0; i < r->opt.n_guests; i++) {
		const char *arg = r->opt.guests[i];

		ret = guest_resolve(arg, guest_paths(r), &root);
		if (ret)
			return ret;
		ret = add_guest(r, strchr(arg, '/') ? NULL : arg, root);
		free(root);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Whether the store at @path, or the directory it would be made in, is
 * a guest's root or below it: returns that guest's index, or -1.
 */
static int guest_holding_store(const struct run *r, const char *path)
{
	char *parent;
	int fd, i = -1;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && (parent = strdup(path))) {
		fd = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(parent);
	}
	if (fd >= 0) {
		i = guest_find_above(fd, r->guests, r->n_guests);
		close(fd);
	}
	return i;	/* a store that cannot be opened: said later */
}

/*
 * A guest is its root directory: one given twice (g, g/, by name and by
 * path) is treated once. To hashify or restore, guests must not
 * overlap (the inner guest's files would be walked with the outer
 * guest's exclusions, and twice at once), and the host's root and a
 * guest holding a store need --force-guest. Checked before anything
 * changes; returns 0 or -EINVAL (said).
 */
static int check_guests(struct run *r)
{
	struct stat root;
	int i, j, fd;

	for (i = 1; i < r->n_guests; i++) {
		for (j = 0; j < i; j++)
			if (r->guests[j].st.st_dev == r->guests[i].st.st_dev &&
			    r->guests[j].st.st_ino == r->guests[i].st.st_ino)
				break;
		if (j == i)
			continue;
		note(0, "guest '%s' is guest '%s': treated once",
		     qs(r->guests[i].path), qs(r->guests[j].path));
		guest_close(&r->guests[i]);
		memmove(&r->guests[i], &r->guests[i + 1],
			(r->n_guests - i - 1) * sizeof(*r->guests));
		r->n_guests--;
		i--;
	}
	if (r->opt.mode != MODE_HASHIFY && r->opt.mode != MODE_RESTORE)
		return 0;
	if (stat("/", &root))
		memset(&root, 0, sizeof(root));
	for (i = 0; i < r->n_guests && !r->opt.force_guest; i++) {
		if (r->guests[i].st.st_dev == root.st_dev &&
		    r->guests[i].st.st_ino == root.st_ino) {
			error("guest '%s' is the host's root directory: give "
			      "--force-guest to take it all the same",
			      qs(r->guests[i].path));
			return -EINVAL;
		}
	}
	for (i = 0; i < r->n_guests; i++) {
		const struct guest *g = &r->guests[i];

		if (g->st.st_dev == root.st_dev &&
		    g->st.st_ino == root.st_ino)
			continue;	/* has no parent; all else is inside */
		fd = openat(g->rootfd, "..", O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
		j = fd < 0 ? -1 : guest_find_above(fd, r->guests,
						    r->n_guests);
		if (fd >= 0)
			close(fd);
		if (j >= 0) {
			error("guest '%s' is inside guest '%s': guests must "
			      "not overlap", qs(g->path),
			      qs(r->guests[j].path));
			return -EINVAL;
		}
	}
	for (i = 0; i < r->n_store_paths && !r->opt.force_guest; i++) {
		j = guest_holding_store(r, r->store_paths[i]);
		if (j >= 0) {
			error("guest '%s' holds store '%s': give "
			      "--force-guest to take it all the same",
			      qs(r->guests[j].path), qs(r->store_paths[i]));
			return -EINVAL;
		}
	}
	return 0;
}

/* Why a rule that matched did not apply, by enum detect_use. */
static const char *const unused_why[] = {
	[DETECT_SAME] = "applied already",
	[DETECT_NOT_INSTALLED] = "not installed",
	[DETECT_NOT_RECOGNISED] = "does not recognise the guest",
	[DETECT_UNNEEDED] = "not needed: a package database decided",
	[DETECT_OUTRANKED] = "not needed: a rule before it decided",
};

/*
 * Describes why guest @g has its backends, for --detect and lists:
 * each applied with its rule (and whether its evidence is weak), then
 * the rules that matched but did not apply, and why.
 */
static void print_backend_of(const struct run *r, const struct guest *g)
{
	const struct guest_conf *gc = guest_conf_of(r, g);
	const struct detect_match *m;
	const char *sep = "";
	size_t i;

	for (i = 0; i < g->n_backends; i++) {
		m = &g->backends[i];
		if (m->use != DETECT_APPLIED)
			continue;
		printf("%s%s", sep, m->plugin->name);
		sep = " + ";
		if (!m->rule) {
			printf(" (forced)");
			continue;
		}
		printf(" (%s line %u", qs(m->rule->file), m->rule->line);
		if (m->empty)
			printf(", weak evidence: '%s' is empty, a database "
			       "with no packages", qs(m->empty));
		printf(")");
	}
	if (!*sep && (r->opt.pkgmgr || (gc && gc->backend)))
		printf("none (forced)");
	else if (!*sep)
		printf("none (no rule of %zu chose an installed backend: "
		       "-v tells more)", r->table.n);
	sep = "; also matched: ";
	for (i = 0; i < g->n_backends; i++) {
		m = &g->backends[i];
		if (m->use == DETECT_APPLIED)
			continue;
		printf("%s%s line %u (%s: %s)", sep, qs(m->rule->file),
		       m->rule->line, qs(m->rule->backend),
		       unused_why[m->use]);
		sep = ", ";
	}
	printf("\n");
}

/*
 * Decides hardlink or reflink for guest @g, whose store is @path: reflink
 * (asked for, or --method=auto) needs a filesystem that shares extents,
 * which a probe in the store directory (or its parent, before the store
 * is made) tells.
 */
static int choose_method(struct run *r, struct guest *g, const char *path)
{
	char *parent = strdup(path);
	bool can = false;
	int fd;

	if (r->opt.mode != MODE_HASHIFY ||
	    (r->opt.method == METHOD_HARDLINK && !r->opt.immutable)) {
		free(parent);
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && parent && !r->opt.dry_run)
		fd = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(parent);
	if (r->opt.immutable) {
		int ret = fd < 0 ? 0 : immutable_probe(fd);

		if (fd >= 0)
			close(fd);
		if (ret) {
			error("cannot set the immutable flag in store '%s': %s",
			      qs(path), strerror(-ret));
			return ret;
		}
		return 0;	/* --immutable is for hard links only */
	}
	if (fd >= 0) {
		struct statfs sf;

		can = reflink_supported(fd);
		g->inline_small = !fstatfs(fd, &sf) &&
				  sf.f_type == BTRFS_SUPER_MAGIC;
		close(fd);
	} else if (r->opt.dry_run) {
		/* a dry run writes nothing, not even a probe: take the word
		 * of --method=reflink for a store not made yet */
		can = r->opt.method == METHOD_REFLINK;
	}
	if (!can && r->opt.method == METHOD_REFLINK) {
		error("cannot share extents on the filesystem of guest '%s' "
		      "and store '%s': use --method=hardlink or auto",
		      qs(g->path), qs(path));
		return -EOPNOTSUPP;
	}
	g->reflink = can;
	note(1, "guest '%s': method %s", qs(g->path),
	     can ? "reflink" : "hardlink");
	return 0;
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

/*
 * Whether --restore writes in store @j: it copies into the store's
 * tmp/ and clears flags of its objects, so it needs the store's lock
 * for itself; a store that is not there has nothing to restore.
 */
static bool restores(const struct run *r, int j)
{
	struct stat st;

	return r->opt.mode == MODE_RESTORE && !r->opt.dry_run &&
	       !stat(r->store_paths[j], &st);
}

/*
 * Gives every guest the store on its filesystem, opening (or, to
 * hashify, creating) only the stores that some guest needs.
 */
static int setup_stores(struct run *r)
{
	int i, j, ret, n = r->n_store_paths;
	bool create = r->opt.mode == MODE_HASHIFY && !r->opt.dry_run;
	dev_t devs[n];

	for (i = 0; i < n; i++) {
		ret = store_device(r->store_paths[i], &devs[i]);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			if (devs[j] == devs[i]) {
				error("stores '%s' and '%s' are on one "
				      "filesystem: give one store per "
				      "filesystem", qs(r->store_paths[j]),
				      qs(r->store_paths[i]));
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < r->n_guests; i++) {
		struct guest *g = &r->guests[i];

		for (j = 0; j < n; j++)
			if (devs[j] == g->st.st_dev)
				break;
		if (j == n) {
			error("no store on the filesystem of guest '%s' "
			      "(device %u:%u): give --store DIR on that "
			      "filesystem", qs(g->path),
			      major(g->st.st_dev), minor(g->st.st_dev));
			return -ENODEV;
		}
		ret = choose_method(r, g, r->store_paths[j]);
		if (ret)
			return ret;
	}
	/* every check passed: now open (or make) the stores */
	for (i = 0; i < r->n_guests; i++) {
		struct guest *g = &r->guests[i];

		for (j = 0; devs[j] != g->st.st_dev; j++)
			;
		if (!r->stores[j]) {
			ret = store_open(r->store_paths[j], r->opt.hash,
					 r->opt.hash_set,
					 !create && !restores(r, j),
					 &r->stores[j]);
			if (!ret && create && r->opt.immutable)
				ret = store_set_immutable(r->stores[j]);
			if (ret)
				return ret;
		}
		g->store = r->stores[j];
	}
	return 0;
}

/*
 * Opens every store, for --gc, --verify and --stats: a store that does
 * not exist is an error; these never make one. Says why not and
 * returns -errno.
 */
static int open_all_stores(struct run *r)
{
	bool read_only = r->opt.dry_run || r->opt.mode == MODE_STATS;
	const char *path;
	struct stat st;
	char *config;
	bool made;
	int i, ret;

	for (i = 0; i < r->n_store_paths; i++) {
		path = r->store_paths[i];
		if (stat(path, &st)) {
			ret = -errno;
			if (errno == ENOENT)
				error("store '%s' does not exist", qs(path));
			else
				error_errno(ret, "cannot use store '%s'",
					    qs(path));
			return ret;
		}
		if (r->stores[i])
			continue;	/* opened for the guests already */
		if (asprintf(&config, "%s/config", path) < 0)
			return -ENOMEM;
		/* a store not made yet (an empty directory) stays so */
		made = !lstat(config, &st);
		free(config);
		ret = store_open(path, r->opt.hash, false, read_only || !made,
				 &r->stores[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Gathers what guest @g must never share into g->excludes: its exclude
 * lists, then with @backends its package backends' configuration files,
 * at most exclusions-limit of them. Returns 0; -errno when an exclude
 * list is bad or out of memory (said); 1 when a backend cannot tell
 * them, 2 when they go beyond the limit (said). Then g->excludes is
 * NULL and the guest is to be left alone, for sharing its
 * configuration files would be worse.
 */
static int guest_exclusions(struct run *r, struct guest *g, bool backends)
{
	const struct guest_conf *gc = guest_conf_of(r, g);
	struct exclusions_budget budget = {
		.limit = r->conf.exclusions_limit ? r->conf.exclusions_limit :
			 EXCLUSIONS_LIMIT_DEFAULT,
	};
	const struct detect_match *m;
	const char **lists;
	struct host host;
	size_t count, k, dropped, several;
	int n, ret, skip;
	char **extra;

	/* the common lists, then the guest's own */
	for (n = 0, extra = gc ? gc->exclude_lists : NULL;
	     extra && extra[n]; n++)
		;
	lists = calloc(r->n_exclude_lists + n + 1, sizeof(*lists));
	g->excludes = matcher_new();
	if (!lists || !g->excludes) {
		free(lists);
		ret = -ENOMEM;
		goto out;
	}
	/* util-vserver's list takes the default list's place */
	skip = g->vserver && g->vserver->excludes ? 1 : 0;
	memcpy(lists, r->exclude_lists + skip,
	       (r->n_exclude_lists - skip) * sizeof(*lists));
	if (n)
		memcpy(lists + r->n_exclude_lists - skip, extra,
		       n * sizeof(*lists));
	host_init(&host, g, lists, &r->conf, gc);
	ret = exclusions_collect(&host, r->exclude_file, g->excludes,
				 &count, NULL);
	free(lists);
	if (ret || !backends)
		goto out;
	/*
	 * The backends' exclusions are protected: no "+" of an exclude
	 * list overrides them, only share-config does.
	 */
	matcher_protect(g->excludes, true);
	ret = conf_add_share_config(&r->conf, gc, g->excludes);
	/*
	 * With several backends, none has its includes: one's would share
	 * another's configuration file when it came first (the union of
	 * their exclusions, in any order).
	 */
	for (k = 0, several = 0; k < g->n_backends; k++)
		several += g->backends[k].use == DETECT_APPLIED;
	several = several > 1;
	for (k = 0; !ret && k < g->n_backends; k++) {
		m = &g->backends[k];
		if (m->use != DETECT_APPLIED)
			continue;
		dropped = 0;
		ret = several ?
		      exclusions_collect_excludes(&host, m->plugin,
						  g->excludes, &count,
						  &dropped, &budget) :
		      exclusions_collect(&host, m->plugin, g->excludes,
					 &count, &budget);
		if (!ret && dropped)
			note(1, "guest '%s': backend %s, %zu include rules "
			     "left out: another backend applies too",
			     qs(g->path), m->plugin->name, dropped);
		if (ret == -ENOMEM)
			break;
		if (ret == -EFBIG)
			error("leaving guest '%s' alone: backend '%s' names "
			      "more configuration files than "
			      "exclusions-limit allows (%zu bytes)",
			      qs(g->path), m->plugin->name, budget.limit);
		else if (ret)
			error("leaving guest '%s' alone: backend '%s' cannot "
			      "tell its configuration files", qs(g->path),
			      m->plugin->name);
		else
			note(1, "guest '%s': backend %s, %zu exclusion "
			     "rules", qs(g->path), m->plugin->name, count);
		if (ret)
			ret = ret == -EFBIG ? 2 : 1;
	}
	matcher_protect(g->excludes, false);
out:
	if (ret == -ENOMEM)
		error("cannot gather the exclusions of guest '%s': %s",
		      qs(g->path), strerror(ENOMEM));
	if (ret) {
		matcher_free(g->excludes);
		g->excludes = NULL;
	}
	return ret;
}

/*
 * Checks every guest's exclude lists before anything changes: a bad
 * list is a configuration error. The backends' part is gathered by
 * each guest's worker and dropped when it is done (take_exclusions()),
 * so that a run holds the exclusions of the guests worked on, not of
 * all.
 */
static int check_exclude_lists(struct run *r)
{
	int i, ret;

	r->left_alone = calloc(r->n_guests ? r->n_guests : 1,
			       sizeof(*r->left_alone));
	if (!r->left_alone)
		return -ENOMEM;
	for (i = 0; i < r->n_guests; i++) {
		ret = guest_exclusions(r, &r->guests[i], false);
		matcher_free(r->guests[i].excludes);
		r->guests[i].excludes = NULL;
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Gives guest @i its whole exclusions (g->excludes), backends one
 * guest at a time. Returns false when the guest is to be left alone
 * (said, once per run); drop_exclusions() frees them.
 */
static bool take_exclusions(struct run *r, int i)
{
	struct guest *g = &r->guests[i];
	int ret;

	if (r->left_alone[i])
		return false;
	pthread_mutex_lock(&collect_lock);
	ret = guest_exclusions(r, g, true);
	pthread_mutex_unlock(&collect_lock);
	if (ret == 1)
		r->left_alone[i] = "its backend cannot tell its "
				   "configuration files";
	else if (ret == 2)
		r->left_alone[i] = "its backends name more configuration "
				   "files than exclusions-limit allows";
	else if (ret)
		r->left_alone[i] = "its exclusions cannot be gathered";
	return !ret;
}

static void drop_exclusions(struct guest *g)
{
	matcher_free(g->excludes);
	g->excludes = NULL;
}

static void release(struct run *r)
{
	int i;

	for (i = 0; r->stores && i < r->n_store_paths; i++)
		store_close(r->stores[i]);
	free(r->stores);
	for (i = 0; i < r->n_guests; i++)
		guest_close(&r->guests[i]);
	free(r->guests);
	if (r->exclude_lists)
		free((char *)r->exclude_lists[0]);
	free(r->exclude_lists);
	detect_release(&r->table);
	plugins_release(&r->plugins);
	for (i = 0; r->vs_paths && r->vs_paths[i]; i++)
		free(r->vs_paths[i]);
	free(r->vs_paths);
	free(r->left_alone);
	conf_release(&r->conf);
	cli_release(&r->opt);
}

/* --gc: every store. */
static int run_store_action(struct run *r)
{
	int i, failed = 0;

	if (open_all_stores(r))
		return EXIT_USAGE;
	for (i = 0; i < r->n_store_paths; i++)
		if (r->stores[i])
			failed |= !!gc_store(r->stores[i]);
	return failed ? EXIT_FAILED : EXIT_OK;
}

/*
 * --verify: every store; then, when it found objects guests may link,
 * the guests given (else those of the configuration) are walked for
 * them, and with --detach-modified detached from them.
 */
static int run_verify(struct run *r)
{
	struct verify_run v = {
		.remove = r->opt.remove_corrupt,
		.detach = r->opt.detach_modified,
		.json = r->opt.json, .dry_run = r->opt.dry_run };
	int i, failed = 0;

	/* guests given are found before anything changes */
	if ((r->opt.n_guests || r->opt.all) &&
	    (setup_guests(r) || check_guests(r)))
		return EXIT_USAGE;
	if (open_all_stores(r))
		return EXIT_USAGE;
	for (i = 0; i < r->n_store_paths; i++)
		if (r->stores[i])
			failed |= !!verify_store(r->stores[i], &v);
	if (v.n_bad && !r->opt.n_guests && !r->opt.all) {
		r->opt.all = true;
		failed |= setup_guests(r) || check_guests(r);
	}
	failed |= verify_guests(&v, r->guests, r->n_guests) > 0;
	verify_release(&v);
	return failed || v.corrupt ? EXIT_FAILED : EXIT_OK;
}

/*
 * Removes what interrupted runs left in the stores' tmp/ (a restore's
 * private copies, objects in the making). A run that changes a store
 * holds its lock alone, so nothing there is in use; this is done
 * before any guest is worked on, for no thread may use tmp/ yet.
 */
static void clean_stores_tmp(struct run *r)
{
	int i, n;

	for (i = 0; i < r->n_store_paths && !r->opt.dry_run; i++) {
		if (!r->stores[i])
			continue;
		n = store_clean_tmp(r->stores[i]);
		if (n > 0)
			note(1, "removed %d leftovers in store '%s'", n,
			     qs(store_path(r->stores[i])));
	}
}

/* --restore: every guest given. */
static int run_restore(struct run *r)
{
	struct tally total = { 0 };
	int i;

	clean_stores_tmp(r);
	for (i = 0; i < r->n_guests; i++) {
		struct tally t = { 0 };

		restore_guest(&r->guests[i], r->opt.dry_run, &t);
		tally_add(&total, &t);
	}
	return total.failed ? EXIT_FAILED : EXIT_OK;
}

/* --migrate-flags: every guest given. */
static int run_migrate_flags(struct run *r)
{
	struct flags_tally t = { 0 };
	int i, failed = 0;

	for (i = 0; i < r->n_guests; i++)
		failed |= !!flags_migrate_guest(&r->guests[i],
						r->opt.clear_flags,
						r->opt.immutable,
						r->opt.dry_run, &t);
	printf("immutable shared files: %lu\n%s: %lu\n"
	       "store objects kept immutable: %lu\nfailed: %lu\n", t.found,
	       r->opt.dry_run ? "would clear" : "cleared", t.cleared, t.kept,
	       t.failed);
	return failed || t.failed ? EXIT_FAILED : EXIT_OK;
}

/*
 * --adopt-store DIR or =auto (the guests' hash directories), and
 * --destination DIR; then util-vserver's leftovers in the guests.
 */
static int run_adopt(struct run *r)
{
	struct adopt_options ao = {
		.store_paths = r->store_paths,
		.n_stores = r->n_store_paths,
		.stores = r->stores,
		.hash = r->opt.hash,
		.hash_set = r->opt.hash_set,
		.ignore_mtime = r->opt.ignore_mtime,
		.remove = r->opt.remove_adopted,
		.dry_run = r->opt.dry_run,
	};
	int i, ret, left = 0;

	ret = strcmp(r->opt.adopt_dir, "auto") ?
	      adopt_hash_dir(r->opt.adopt_dir, &ao) :
	      adopt_guests_hash_dirs(r->vservers, r->guests, r->n_guests,
				     &ao);
	for (i = 0; ret >= 0 && i < r->n_guests; i++) {
		/* to hashify (--destination), with the whole exclusions */
		if (r->opt.mode == MODE_HASHIFY && !take_exclusions(r, i))
			continue;
		left |= adopt_leftovers(&r->guests[i], &ao);
		drop_exclusions(&r->guests[i]);
	}
	adopt_release(&ao);
	return ret < 0 ? EXIT_USAGE : ret || left ? EXIT_FAILED : EXIT_OK;
}

/*
 * Threads that close replaced guest files (see closer.h): they wait for
 * the device, not for a CPU, so more than the cores.
 */
#define CLOSER_THREADS 4

/* The main job over all guests, guests side by side in threads. */
struct hashify_run {
	struct run *r;
	struct hashify h;
	struct guest_report *rep;
	struct tally *t;
	bool *done;		/* by guest: hashified */
	int reported;		/* guests whose summary is out */
	pthread_mutex_t lock;	/* guards done and reported */
};

/* Hashifies guest @i; then prints the summaries now due, in the order
 * of the command line. */
static void hashify_one(int i, void *arg)
{
	struct hashify_run *hr = arg;
	struct run *r = hr->r;
	struct guest *g = &r->guests[i];
	struct guest_report *rep = &hr->rep[i];
	struct tally *t = &hr->t[i];

	rep->guest = g->path;
	rep->method = g->reflink ? "reflink" : "hardlink";
	rep->group = hashify_group(&hr->h, g);
	rep->backend = g->backend_names;
	rep->t = t;
	progress_guest(g->name ? g->name : g->path);
	if (hashify_stop)
		;	/* stopping: no other guest is read */
	else if (!take_exclusions(r, i))	/* left alone, said why */
		tally_fail(t, "", g->path, 0, r->left_alone[i]);
	else
		hashify_guest(&hr->h, g, t);
	drop_exclusions(g);
	progress_guest_done();

	pthread_mutex_lock(&hr->lock);
	hr->done[i] = true;
	for (; hr->reported < r->n_guests && hr->done[hr->reported];
	     hr->reported++) {
		rep = &hr->rep[hr->reported];
		if (r->opt.json || r->left_alone[hr->reported])
			continue;
		progress_end();
		report_guest(rep->guest, rep->method, rep->group, rep->t,
			     r->opt.dry_run);
	}
	pthread_mutex_unlock(&hr->lock);
}

static void on_stop_signal(int sig)
{
	hashify_stop = sig;
}

/* SIGTERM, SIGINT, SIGHUP: finish the file at hand, then stop. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal,
				.sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * The objects of every store, by inode (objmap.h), so that the run
 * notices an object written since it was stored. Only -ENOMEM fails:
 * a store that cannot be read is said, and its objects go unchecked.
 */
static int load_maps(struct hashify *h)
{
	int i, ret;

	h->maps = calloc(h->n_stores, sizeof(*h->maps));
	if (!h->maps)
		return -ENOMEM;
	for (i = 0; i < h->n_stores; i++) {
		if (!h->stores[i])
			continue;
		ret = objmap_load(h->stores[i], &h->maps[i]);
		if (ret == -ENOMEM)
			return ret;
		if (ret)
			warning("cannot read the objects of store '%s': %s; "
				"not checked against their names",
				qs(store_path(h->stores[i])), strerror(-ret));
	}
	return 0;
}

static int run_hashify(struct run *r, double start)
{
	struct hashify_run hr = {
		.r = r,
		.h = { .opt = &r->opt, .stores = r->stores,
		       .n_stores = r->n_store_paths },
		.rep = calloc(r->n_guests, sizeof(*hr.rep)),
		.t = calloc(r->n_guests, sizeof(*hr.t)),
		.done = calloc(r->n_guests, sizeof(*hr.done)),
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	struct tally total = { 0 };
	unsigned long written = 0;
	int i;

	if (!hr.rep || !hr.t || !hr.done || load_maps(&hr.h)) {
		error("out of memory");
		total.failed = 1;
		goto out;
	}
	catch_stop_signals();
	progress_start(r->n_guests, !r->opt.quiet && !r->opt.json &&
		       !log_verbosity() && isatty(STDERR_FILENO));
	content_set_tick(progress_hash_tick);
	clean_stores_tmp(r);
	if (closer_start(CLOSER_THREADS))
		note(1, "closing replaced files in the foreground");
	workers_run(r->opt.jobs ? r->opt.jobs : workers_cpus(), r->n_guests,
		    hashify_one, &hr);
	closer_stop();
	for (i = 0; i < r->n_guests; i++)
		tally_add(&total, &hr.t[i]);
	if (r->opt.json) {
		report_json(hr.rep, r->n_guests, &total, now() - start,
			    r->opt.dry_run);
	} else {
		report_total(&total, now() - start, r->opt.dry_run);
		report_groups(hr.rep, r->n_guests, r->opt.dry_run);
	}
	for (i = 0; i < r->n_guests; i++)
		tally_release(&hr.t[i]);
out:
	for (i = 0; hr.h.maps && i < hr.h.n_stores; i++) {
		if (hr.h.maps[i])
			written += objmap_modified(hr.h.maps[i]);
		objmap_free(hr.h.maps[i]);
	}
	free(hr.h.maps);
	free(hr.done);
	free(hr.t);
	free(hr.rep);
	if (hashify_stop) {
		error("stopped by signal %d before the end: the files not "
		      "reached are left as they were", (int)hashify_stop);
		return 128 + hashify_stop;
	}
	return total.failed || written ? EXIT_FAILED : EXIT_OK;
}

/*
 * The walk holds a descriptor per directory level and the closer a few
 * hundred more: take all the descriptors we are allowed, not the soft
 * limit's 1024, so that deep trees do not run out.
 */
static void raise_fd_limit(void)
{
	struct rlimit l;

	if (!getrlimit(RLIMIT_NOFILE, &l) && l.rlim_cur < l.rlim_max) {
		l.rlim_cur = l.rlim_max;
		setrlimit(RLIMIT_NOFILE, &l);
	}
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	int i, ret, status = EXIT_USAGE;
	enum mode mode;
	double start = now();

	ret = cli_parse(argc, argv, &r.opt);
	if (ret >= 0) {
		cli_release(&r.opt);
		return ret;
	}
	mode = r.opt.mode;
	raise_fd_limit();
	if (setup_conf(&r))
		goto out;
	store_set_lock_timeout(r.opt.lock_timeout);

	switch (mode) {
	case MODE_LIST_BACKENDS:
		if (!plugins_init(&r.plugins,
				  plugins_default_dir(r.opt.plugin_dir)) &&
		    !plugins_each(&r.plugins, print_backend, NULL))
			status = EXIT_OK;
		goto out;
	case MODE_GC:
		status = run_store_action(&r);
		goto out;
	case MODE_VERIFY:
		status = run_verify(&r);
		goto out;
	case MODE_ADOPT:
		/* guests given: their hash directories, their leftovers */
		if (!setup_guests(&r) && !check_guests(&r))
			status = run_adopt(&r);
		goto out;
	default:
		break;
	}

	if (setup_backends(&r) || setup_guests(&r) || check_guests(&r))
		goto out;
	for (i = 0; i < r.n_guests; i++) {
		ret = choose_backend(&r, &r.guests[i]);
		if (ret && (ret != -ENOENT || mode == MODE_HASHIFY))
			goto out;
	}
	if (mode == MODE_DETECT || mode == MODE_LIST_GUESTS) {
		for (i = 0; i < r.n_guests; i++) {
			if (mode == MODE_LIST_GUESTS)
				printf("%s\t%s\t", qs(r.guests[i].name),
				       qs(r.guests[i].path));
			else
				printf("%s: ", qs(r.guests[i].path));
			print_backend_of(&r, &r.guests[i]);
		}
		status = EXIT_OK;
		goto out;
	}
	if (mode == MODE_HASHIFY && check_exclude_lists(&r))
		goto out;
	if (mode == MODE_MIGRATE_FLAGS && !r.opt.immutable) {
		status = run_migrate_flags(&r);	/* no store needed */
		goto out;
	}
	if (setup_stores(&r))
		goto out;

	switch (mode) {
	case MODE_RESTORE:
		status = run_restore(&r);
		break;
	case MODE_MIGRATE_FLAGS:
		status = run_migrate_flags(&r);
		break;
	case MODE_STATS:
		if (open_all_stores(&r))
			goto out;
		status = stats_stores(r.stores, r.n_store_paths, r.guests,
				      r.n_guests, r.opt.json) ?
			 EXIT_FAILED : EXIT_OK;
		break;
	default:
		/* --destination DIR: the old hash directory first */
		if (r.opt.adopt_dir && run_adopt(&r) == EXIT_USAGE)
			goto out;
		status = run_hashify(&r, start);
		break;
	}
out:
	release(&r);
	return status;
}

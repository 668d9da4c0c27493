// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Setting up a job: the configuration, the plugins and the detection
 * table, the guests and their backends, the exclude lists checked and
 * the stores opened; see setup.h.
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
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dedupe.h"
#include "detect.h"
#include "exclusions.h"
#include "host.h"
#include "immutable.h"
#include "log.h"
#include "match.h"
#include "setup.h"
#include "vserver.h"


/*
 * Backends are called for one guest at a time: a plugin need not be
 * thread-safe (librpm is not), and one database is parsed at a time.
 */
static pthread_mutex_t collect_lock = PTHREAD_MUTEX_INITIALIZER;

int setup_conf(struct job *job)
{
	struct options *o = &job->opt;
	char *file = NULL;
	int ret;

	if (!o->config && asprintf(&file, "%s/vhashify.yaml",
				   o->sysconfdir) < 0)
		return -ENOMEM;
	ret = conf_load(&job->conf, o->config ? o->config : file, !!o->config);
	free(file);
	if (ret)
		return ret;
	if (!o->hash_set && job->conf.has_hash)
		o->hash = job->conf.hash;
	if (!o->method_set && job->conf.has_method)
		o->method = job->conf.method;
	if (!o->min_size_set && job->conf.has_min_size)
		o->min_size = job->conf.min_size;
	if (job->conf.has_ignore_mtime && job->conf.ignore_mtime)
		o->ignore_mtime = true;
	if (!o->lock_timeout_set && job->conf.has_lock_timeout)
		o->lock_timeout = job->conf.lock_timeout;
	job->vservers = job->conf.vservers ? job->conf.vservers : VSERVER_ROOT;
	if (job->conf.vservers && !job->conf.guest_paths) {
		job->vs_paths = vserver_guest_paths(job->vservers,
						  conf_default_guest_paths);
		if (!job->vs_paths)
			return -ENOMEM;
	}
	if (o->n_stores) {
		job->store_paths = o->stores;
		job->n_store_paths = o->n_stores;
	} else if (job->conf.stores) {
		job->store_paths = (const char **)job->conf.stores;
		while (job->conf.stores[job->n_store_paths])
			job->n_store_paths++;
	} else {
		static const char *default_store[] = { DEFAULT_STORE };

		job->store_paths = default_store;
		job->n_store_paths = 1;
	}
	job->stores = calloc(job->n_store_paths, sizeof(*job->stores));
	return job->stores ? 0 : -ENOMEM;
}

static void list_name(const struct plugin *p, void *arg)
{
	if (strcmp(p->name, "exclude-file"))
		fprintf(stderr, " %s", p->name);
	(void)arg;
}

/* Loads the backend @name for a guest, or says it is not installed. */
static const struct plugin *backend_named(struct job *job, const char *name)
{
	const struct plugin *p;
	int ret;

	p = plugins_get(&job->plugins, name, &ret);
	if (!p && ret == -ENOENT) {
		error("unknown backend '%s'", qs(name));
		fprintf(stderr, "installed backends:");
		plugins_each(&job->plugins, list_name, NULL);
		fprintf(stderr, "\n");
	}
	return p;
}

/* Loads the plugins, the detection table and the exclude lists. */
int setup_backends(struct job *job)
{
	char *table = NULL, *dropins = NULL, **c;
	int ret, n = 1, i;

	ret = plugins_init(&job->plugins,
			   plugins_default_dir(job->opt.plugin_dir));
	if (!ret)
		ret = conf_check_options(&job->conf, &job->plugins);
	if (ret)
		return ret;
	job->exclude_file = plugins_get(&job->plugins, "exclude-file", &ret);
	if (!job->exclude_file) {
		if (ret == -ENOENT)
			error("backend 'exclude-file' is not installed in "
			      "'%s'", qs(job->plugins.dir));
		return ret;
	}
	for (c = job->conf.exclude_lists; c && *c; c++)
		n++;
	job->exclude_lists = calloc(n + job->opt.n_exclude_from + 1,
				  sizeof(*job->exclude_lists));
	if (!job->exclude_lists ||
	    asprintf((char **)&job->exclude_lists[0], "%s/exclude",
		     job->opt.sysconfdir) < 0)
		return -ENOMEM;
	for (c = job->conf.exclude_lists, i = 1; c && *c; c++)
		job->exclude_lists[i++] = *c;
	for (n = 0; n < job->opt.n_exclude_from; n++)
		job->exclude_lists[i++] = job->opt.exclude_from[n];
	job->n_exclude_lists = i;

	if (job->opt.pkgmgr && strcmp(job->opt.pkgmgr, "none") &&
	    !backend_named(job, job->opt.pkgmgr))
		return -ENOENT;
	if (asprintf(&table, "%s/detect.yaml", job->opt.sysconfdir) < 0 ||
	    asprintf(&dropins, "%s/detect.d", job->opt.sysconfdir) < 0)
		ret = -ENOMEM;
	else
		ret = detect_load(&job->table, table, dropins);
	if (!ret)
		detect_check_installed(&job->table, &job->plugins);
	free(table);
	free(dropins);
	return ret;
}

static const char *const *guest_paths(const struct job *job)
{
	return job->conf.guest_paths ?
	       (const char *const *)job->conf.guest_paths :
	       job->vs_paths ? (const char *const *)job->vs_paths :
	       conf_default_guest_paths;
}

/*
 * The settings (guests: in vhashify.yaml) of guest @g: those of its
 * name, or for a guest given by path, those of the name that resolves
 * to the same directory.
 */
static const struct guest_conf *guest_conf_of(const struct job *job,
					      const struct guest *g)
{
	size_t i;

	if (g->name)
		return conf_guest(&job->conf, g->name);
	for (i = 0; i < job->conf.n_guests; i++)
		if (guest_is_named(g, job->conf.guests[i].name,
				   guest_paths(job)))
			return &job->conf.guests[i];
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
static int choose_backend(struct job *job, struct guest *g)
{
	const struct guest_conf *gc = guest_conf_of(job, g);
	const char *forced = job->opt.pkgmgr ? job->opt.pkgmgr :
			     gc && gc->backend ? gc->backend :
			     g->vserver ? g->vserver->backend : NULL;
	const struct plugin *p;
	struct host host;
	int ret;

	g->group = gc ? gc->group : NULL;	/* trust group */
	if (forced) {
		if (!strcmp(forced, "none"))
			return 0;
		p = backend_named(job, forced);
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
	host_init(&host, g, job->exclude_lists, &job->conf, gc);
	ret = detect_choose(&job->table, &job->plugins, &host, &g->backends,
			    &g->n_backends);
	if (ret == -ENOENT && job->opt.mode == MODE_HASHIFY)
		error("no backend found for guest '%s': force one with "
		      "--pkgmgr=NAME, or use --pkgmgr=none to rely on "
		      "exclude lists alone", qs(g->path));
	return ret ? ret : name_backends(g);
}

int choose_backends(struct job *job)
{
	int i, ret;

	for (i = 0; i < job->n_guests; i++) {
		ret = choose_backend(job, &job->guests[i]);
		if (ret && (ret != -ENOENT || job->opt.mode == MODE_HASHIFY))
			return ret;
	}
	return 0;
}

static int add_guest(struct job *job, const char *name, const char *path)
{
	struct guest *v = realloc(job->guests,
				  (job->n_guests + 1) * sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	job->guests = v;
	ret = guest_open(&v[job->n_guests], name, path);
	if (ret)
		return ret;
	/* util-vserver's guests take part when they opted in */
	ret = job->opt.manual_list ?
	      vserver_manual_setup(&v[job->n_guests], job->opt.manual_list) :
	      vserver_guest_setup(job->vservers, &v[job->n_guests],
				  !job->opt.all &&
				  job->opt.mode != MODE_LIST_GUESTS);
	if (ret) {
		guest_close(&v[job->n_guests]);
		return ret > 0 ? 0 : ret;
	}
	job->n_guests++;
	return 0;
}

static int add_found_guest(const char *name, const char *root, void *arg)
{
	return add_guest(arg, name, root);
}

/* Finds and opens the guests: by path, by name, or --all. */
int setup_guests(struct job *job)
{
	char *root;
	int i, ret;

	if (job->opt.all || job->opt.mode == MODE_LIST_GUESTS)
		return guest_find_all(guest_paths(job), add_found_guest, job);
	for (i = 0; i < job->opt.n_guests; i++) {
		const char *arg = job->opt.guests[i];

		ret = guest_resolve(arg, guest_paths(job), &root);
		if (ret)
			return ret;
		ret = add_guest(job, strchr(arg, '/') ? NULL : arg, root);
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
static int guest_holding_store(const struct job *job, const char *path)
{
	char *parent;
	int fd, i = -1;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && (parent = strdup(path))) {
		fd = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(parent);
	}
	if (fd >= 0) {
		i = guest_find_above(fd, job->guests, job->n_guests);
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
int check_guests(struct job *job)
{
	struct stat root;
	int i, j, fd;

	for (i = 1; i < job->n_guests; i++) {
		const struct stat *st = &job->guests[i].st;

		for (j = 0; j < i; j++)
			if (job->guests[j].st.st_dev == st->st_dev &&
			    job->guests[j].st.st_ino == st->st_ino)
				break;
		if (j == i)
			continue;
		note(0, "guest '%s' is guest '%s': treated once",
		     qs(job->guests[i].path), qs(job->guests[j].path));
		guest_close(&job->guests[i]);
		memmove(&job->guests[i], &job->guests[i + 1],
			(job->n_guests - i - 1) * sizeof(*job->guests));
		job->n_guests--;
		i--;
	}
	if (job->opt.mode != MODE_HASHIFY && job->opt.mode != MODE_RESTORE)
		return 0;
	if (stat("/", &root))
		memset(&root, 0, sizeof(root));
	for (i = 0; i < job->n_guests && !job->opt.force_guest; i++) {
		if (job->guests[i].st.st_dev == root.st_dev &&
		    job->guests[i].st.st_ino == root.st_ino) {
			error("guest '%s' is the host's root directory: give "
			      "--force-guest to take it all the same",
			      qs(job->guests[i].path));
			return -EINVAL;
		}
	}
	for (i = 0; i < job->n_guests; i++) {
		const struct guest *g = &job->guests[i];

		if (g->st.st_dev == root.st_dev &&
		    g->st.st_ino == root.st_ino)
			continue;	/* has no parent; all else is inside */
		fd = openat(g->rootfd, "..", O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
		j = fd < 0 ? -1 : guest_find_above(fd, job->guests,
						    job->n_guests);
		if (fd >= 0)
			close(fd);
		if (j >= 0) {
			error("guest '%s' is inside guest '%s': guests must "
			      "not overlap", qs(g->path),
			      qs(job->guests[j].path));
			return -EINVAL;
		}
	}
	for (i = 0; i < job->n_store_paths && !job->opt.force_guest; i++) {
		j = guest_holding_store(job, job->store_paths[i]);
		if (j >= 0) {
			error("guest '%s' holds store '%s': give "
			      "--force-guest to take it all the same",
			      qs(job->guests[j].path), qs(job->store_paths[i]));
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
void print_backend_of(const struct job *job, const struct guest *g)
{
	const struct guest_conf *gc = guest_conf_of(job, g);
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
	if (!*sep && (job->opt.pkgmgr || (gc && gc->backend)))
		printf("none (forced)");
	else if (!*sep)
		printf("none (no rule of %zu chose an installed backend: "
		       "-v tells more)", job->table.n);
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
static int choose_method(struct job *job, struct guest *g, const char *path)
{
	char *parent = strdup(path);
	bool can = false;
	int fd;

	if (job->opt.mode != MODE_HASHIFY ||
	    (job->opt.method == METHOD_HARDLINK && !job->opt.immutable)) {
		free(parent);
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && parent && !job->opt.dry_run)
		fd = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(parent);
	if (job->opt.immutable) {
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
		can = dedupe_supported(fd);
		g->inline_small = dedupe_inline_small(fd);
		close(fd);
	} else if (job->opt.dry_run) {
		/* a dry run writes nothing, not even a probe: take the word
		 * of --method=reflink for a store not made yet */
		can = job->opt.method == METHOD_REFLINK;
	}
	if (!can && job->opt.method == METHOD_REFLINK) {
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

/*
 * Whether --restore writes in store @j: it copies into the store's
 * tmp/ and clears flags of its objects, so it needs the store's lock
 * for itself; a store that is not there has nothing to restore.
 */
static bool restores(const struct job *job, int j)
{
	struct stat st;

	return job->opt.mode == MODE_RESTORE && !job->opt.dry_run &&
	       !stat(job->store_paths[j], &st);
}

/*
 * Gives every guest the store on its filesystem, opening (or, to
 * hashify, creating) only the stores that some guest needs.
 */
int setup_stores(struct job *job)
{
	int i, j, ret, n = job->n_store_paths;
	bool create = job->opt.mode == MODE_HASHIFY && !job->opt.dry_run;
	dev_t devs[n];

	ret = store_devices(job->store_paths, n, devs);
	if (ret)
		return ret;
	for (i = 0; i < job->n_guests; i++) {
		struct guest *g = &job->guests[i];

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
		ret = choose_method(job, g, job->store_paths[j]);
		if (ret)
			return ret;
	}
	/* every check passed: now open (or make) the stores */
	for (i = 0; i < job->n_guests; i++) {
		struct guest *g = &job->guests[i];

		for (j = 0; devs[j] != g->st.st_dev; j++)
			;
		if (!job->stores[j]) {
			ret = store_open(job->store_paths[j], job->opt.hash,
					 job->opt.hash_set,
					 !create && !restores(job, j),
					 &job->stores[j]);
			if (!ret && create && job->opt.immutable)
				ret = store_set_immutable(job->stores[j]);
			if (ret)
				return ret;
		}
		g->store = job->stores[j];
	}
	return 0;
}

/*
 * Opens every store, for --gc, --verify and --stats: a store that does
 * not exist is an error; these never make one. Says why not and
 * returns -errno.
 */
int open_all_stores(struct job *job)
{
	bool read_only = job->opt.dry_run || job->opt.mode == MODE_STATS;
	const char *path;
	struct stat st;
	char *config;
	bool made;
	int i, ret;

	for (i = 0; i < job->n_store_paths; i++) {
		path = job->store_paths[i];
		if (stat(path, &st)) {
			ret = -errno;
			if (errno == ENOENT)
				error("store '%s' does not exist", qs(path));
			else
				error_errno(ret, "cannot use store '%s'",
					    qs(path));
			return ret;
		}
		if (job->stores[i])
			continue;	/* opened for the guests already */
		if (asprintf(&config, "%s/config", path) < 0)
			return -ENOMEM;
		/* a store not made yet (an empty directory) stays so */
		made = !lstat(config, &st);
		free(config);
		ret = store_open(path, job->opt.hash, false, read_only || !made,
				 &job->stores[i]);
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
static int guest_exclusions(struct job *job, struct guest *g, bool backends)
{
	const struct guest_conf *gc = guest_conf_of(job, g);
	struct exclusions_budget budget = {
		.limit = job->conf.exclusions_limit ?
			 job->conf.exclusions_limit : EXCLUSIONS_LIMIT_DEFAULT,
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
	lists = calloc(job->n_exclude_lists + n + 1, sizeof(*lists));
	g->excludes = matcher_new();
	if (!lists || !g->excludes) {
		free(lists);
		ret = -ENOMEM;
		goto out;
	}
	/* util-vserver's list takes the default list's place */
	skip = g->vserver && g->vserver->excludes ? 1 : 0;
	memcpy(lists, job->exclude_lists + skip,
	       (job->n_exclude_lists - skip) * sizeof(*lists));
	if (n)
		memcpy(lists + job->n_exclude_lists - skip, extra,
		       n * sizeof(*lists));
	host_init(&host, g, lists, &job->conf, gc);
	ret = exclusions_collect(&host, job->exclude_file, g->excludes,
				 &count, NULL);
	free(lists);
	if (ret || !backends)
		goto out;
	/*
	 * The backends' exclusions are protected: no "+" of an exclude
	 * list overrides them, only share-config does.
	 */
	matcher_protect(g->excludes, true);
	ret = conf_add_share_config(&job->conf, gc, g->excludes);
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
int check_exclude_lists(struct job *job)
{
	int i, ret;

	job->left_alone = calloc(job->n_guests ? job->n_guests : 1,
			       sizeof(*job->left_alone));
	if (!job->left_alone)
		return -ENOMEM;
	for (i = 0; i < job->n_guests; i++) {
		ret = guest_exclusions(job, &job->guests[i], false);
		matcher_free(job->guests[i].excludes);
		job->guests[i].excludes = NULL;
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
bool take_exclusions(struct job *job, int i)
{
	struct guest *g = &job->guests[i];
	int ret;

	if (job->left_alone[i])
		return false;
	pthread_mutex_lock(&collect_lock);
	ret = guest_exclusions(job, g, true);
	pthread_mutex_unlock(&collect_lock);
	if (ret == 1)
		job->left_alone[i] = "its backend cannot tell its "
				   "configuration files";
	else if (ret == 2)
		job->left_alone[i] = "its backends name more configuration "
				   "files than exclusions-limit allows";
	else if (ret)
		job->left_alone[i] = "its exclusions cannot be gathered";
	return !ret;
}

void drop_exclusions(struct guest *g)
{
	matcher_free(g->excludes);
	g->excludes = NULL;
}

void job_release(struct job *job)
{
	int i;

	for (i = 0; job->stores && i < job->n_store_paths; i++)
		store_close(job->stores[i]);
	free(job->stores);
	for (i = 0; i < job->n_guests; i++)
		guest_close(&job->guests[i]);
	free(job->guests);
	if (job->exclude_lists)
		free((char *)job->exclude_lists[0]);
	free(job->exclude_lists);
	detect_release(&job->table);
	plugins_release(&job->plugins);
	for (i = 0; job->vs_paths && job->vs_paths[i]; i++)
		free(job->vs_paths[i]);
	free(job->vs_paths);
	free(job->left_alone);
	conf_release(&job->conf);
	cli_release(&job->opt);
}

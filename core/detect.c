// SPDX-License-Identifier: GPL-2.0-or-later
/* The detection table, read with libyaml; see detect.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "content.h"
#include "detect.h"
#include "guest.h"
#include "host.h"
#include "log.h"
#include "osrelease.h"
#include "plugin.h"
#include "yamlfile.h"

static void rule_release(struct detect_rule *r)
{
	free(r->backend);
	yamlfile_free_strings(r->exists);
	yamlfile_free_strings(r->exists_any);
	yamlfile_free_strings(r->os_release);
	yamlfile_free_strings(r->absent);
	yamlfile_free_strings(r->absent_any);
	yamlfile_free_strings(r->not_os_release);
	free(r->file);
}

void detect_release(struct detect_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		rule_release(&t->rules[i]);
	free(t->rules);
	t->rules = NULL;
	t->n = 0;
}

/* Reads the priority @v of a rule into *@out; 0 or -EINVAL (said). */
static int read_priority(struct yamlfile *y, yaml_node_t *v, int *out)
{
	const char *s = yamlfile_scalar(v);
	char *end;
	long n;

	if (!s || !*s)
		goto bad;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < DETECT_PRIORITY_MIN ||
	    n > DETECT_PRIORITY_MAX)
		goto bad;
	*out = n;
	return 0;
bad:
	return yamlfile_bad(y, v, "'priority' must be a whole number from "
			    "-1000 to 1000");
}

static int read_rule(struct yamlfile *y, yaml_node_t *node,
		     struct detect_rule *r)
{
	yaml_node_pair_t *pair;
	char ***list;
	int ret;

	if (node->type != YAML_MAPPING_NODE)
		return yamlfile_bad(y, node, "a rule must be a mapping");
	r->line = node->start_mark.line + 1;
	r->file = strdup(y->file);
	if (!r->file)
		return -ENOMEM;
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yamlfile_node(y, pair->key);
		yaml_node_t *v = yamlfile_node(y, pair->value);
		const char *key = yamlfile_scalar(k);

		if (!key)
			return yamlfile_bad(y, k, "a key must be a string");
		if (!strcmp(key, "backend")) {
			if (!yamlfile_scalar(v) || !*yamlfile_scalar(v))
				return yamlfile_bad(y, v,
						    "'backend' must be a name");
			if (r->backend)
				return yamlfile_bad(y, k, "key given twice");
			r->backend = strdup(yamlfile_scalar(v));
			if (!r->backend)
				return -ENOMEM;
			continue;
		}
		if (!strcmp(key, "priority")) {
			ret = read_priority(y, v, &r->priority);
			if (ret)
				return ret;
			continue;
		}
		if (!strcmp(key, "exists")) {
			list = &r->exists;
		} else if (!strcmp(key, "exists-any")) {
			list = &r->exists_any;
		} else if (!strcmp(key, "os-release")) {
			list = &r->os_release;
		} else if (!strcmp(key, "absent")) {
			list = &r->absent;
		} else if (!strcmp(key, "absent-any")) {
			list = &r->absent_any;
		} else if (!strcmp(key, "not-os-release")) {
			list = &r->not_os_release;
		} else {
			return yamlfile_unknown_key(y, k);
		}
		ret = yamlfile_strings(y, v, list, list != &r->os_release &&
				       list != &r->not_os_release);
		if (ret)
			return ret;
		/* an empty list would always hold (or never): refused */
		if (!**list)
			return yamlfile_bad(y, v, "empty condition: give at "
					    "least one value");
	}
	if (!r->backend)
		return yamlfile_bad(y, node, "rule names no backend");
	if (!r->exists && !r->exists_any && !r->os_release &&
	    (r->absent || r->absent_any || r->not_os_release))
		return yamlfile_bad(y, node, "what is absent is no evidence: "
				    "give exists, exists-any or os-release "
				    "too");
	if (!r->exists && !r->exists_any && !r->os_release)
		return yamlfile_bad(y, node, "rule has no condition");
	return 0;
}

static int read_rules(struct yamlfile *y, struct detect_table *t)
{
	yaml_node_t *root = yamlfile_root(y);
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	yaml_node_t *rules = NULL;
	struct detect_rule *v;
	int ret;

	if (!root)
		return 0;	/* an empty file: no rules */
	if (root->type != YAML_MAPPING_NODE)
		return yamlfile_bad(y, root, "expected a mapping with 'rules'");
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yamlfile_node(y, pair->key);
		const char *key = yamlfile_scalar(k);

		if (!key || strcmp(key, "rules"))
			return yamlfile_unknown_key(y, k);
		rules = yamlfile_node(y, pair->value);
	}
	if (!rules)
		return 0;
	if (rules->type != YAML_SEQUENCE_NODE)
		return yamlfile_bad(y, rules, "'rules' must be a list");
	for (item = rules->data.sequence.items.start;
	     item < rules->data.sequence.items.top; item++) {
		v = realloc(t->rules, (t->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->rules = v;
		memset(&v[t->n], 0, sizeof(*v));
		ret = read_rule(y, yamlfile_node(y, *item), &v[t->n]);
		t->n++;		/* released with the table, even on error */
		if (ret)
			return ret;
	}
	return 0;
}

int detect_load_file(struct detect_table *t, const char *file)
{
	struct yamlfile y;
	int ret;

	ret = yamlfile_load(&y, file, false);
	if (ret)
		return ret;
	ret = read_rules(&y, t);
	yamlfile_release(&y);
	return ret;
}

/* Every entry but "." and "..": those not read are noted. */
static int filter_entries(const struct dirent *de)
{
	return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

/*
 * Whether the drop-in @name (at @path) is read: a regular file (a
 * symlink to one is fine: the directory is the administrator's) named
 * *.yaml, not hidden. Anything else is noted and never opened, so that
 * a FIFO there cannot block the run.
 */
static bool dropin_wanted(const char *name, const char *path)
{
	size_t n = strlen(name);
	struct stat st;

	if (n <= 5 || name[0] == '.' || strcmp(name + n - 5, ".yaml")) {
		note(1, "ignored '%s': not named *.yaml", qs(path));
		return false;
	}
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		note(1, "ignored '%s': not a regular file", qs(path));
		return false;
	}
	return true;
}

static bool evidence(const struct detect_rule *r)
{
	return r->exists || r->exists_any;
}

/* Whether @a is tried before @b that was read before it. */
static bool before(const struct detect_rule *a, const struct detect_rule *b)
{
	if (evidence(a) != evidence(b))
		return evidence(a);
	return a->priority > b->priority;
}

/*
 * Evidence first: rules with a file condition, then os-release ones;
 * within each, higher priority first, equal ones in the order read (an
 * insertion sort: stable, and tables are short).
 */
static void order_rules(struct detect_table *t)
{
	struct detect_rule r;
	size_t i, j;

	for (i = 1; i < t->n; i++) {
		r = t->rules[i];
		for (j = i; j > 0 && before(&r, &t->rules[j - 1]); j--)
			t->rules[j] = t->rules[j - 1];
		t->rules[j] = r;
	}
}

int detect_load(struct detect_table *t, const char *file,
		const char *dropin_dir)
{
	struct dirent **list;
	int n, i, ret;

	memset(t, 0, sizeof(*t));
	ret = detect_load_file(t, file);
	if (ret)
		goto out_release;
	n = scandir(dropin_dir, &list, filter_entries, alphasort);
	if (n < 0 && errno != ENOENT) {
		ret = -errno;
		error_errno(ret, "cannot read '%s'", qs(dropin_dir));
		goto out_release;
	}
	for (i = 0; i < n; i++) {
		char *path = NULL;

		if (!ret && asprintf(&path, "%s/%s", dropin_dir,
				     list[i]->d_name) < 0)
			ret = -ENOMEM;
		if (!ret && dropin_wanted(list[i]->d_name, path))
			ret = detect_load_file(t, path);
		free(path);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	if (ret)
		goto out_release;
	order_rules(t);
	return 0;

out_release:
	detect_release(t);
	return ret;
}

static bool exists(int rootfd, const char *path)
{
	int fd = guest_openat(rootfd, path, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool in_list(char **list, const char *word)
{
	for (; *list; list++)
		if (!strcmp(*list, word))
			return true;
	return false;
}

/* A guest's os-release, read once, when a rule first asks for it. */
struct os_cache {
	int rootfd;
	const char *guest;	/* its root, for messages; NULL: quiet */
	int ret;		/* 1 before the read, then os_release_read's */
	struct os_release os;
};

/* Reads the guest's os-release on first use; 0 or -errno (said). */
static int os_release_get(struct os_cache *c)
{
	const char *where = "";

	if (c->ret == 1) {
		c->ret = os_release_read_from(c->rootfd, &c->os, &where);
		if (c->ret && c->ret != -ENOENT && c->guest) {
			size_t n = strlen(c->guest);

			warning("cannot read '%s%s': %s", qs(c->guest),
				qs(where + (n && c->guest[n - 1] == '/')),
				content_strerror(c->ret));
		}
	}
	return c->ret;
}

/* Whether the guest's ID or one of its ID_LIKE words is in @list. */
static bool os_release_matches(char **list, struct os_cache *c)
{
	bool match = false;
	char **w;

	if (os_release_get(c))
		return false;
	if (c->os.id && in_list(list, c->os.id))
		match = true;
	for (w = c->os.id_like; !match && w && *w; w++)
		match = in_list(list, *w);
	return match;
}

/*
 * Whether neither the guest's ID nor an ID_LIKE word is in @list: also
 * when it has no os-release, but not when that cannot be read.
 */
static bool os_release_lacks(char **list, struct os_cache *c)
{
	int ret = os_release_get(c);

	if (ret)
		return ret == -ENOENT;
	return !os_release_matches(list, c);
}

/* Whether all of @paths exist (@all), or one of them does. */
static bool paths_exist(int rootfd, char **paths, bool all)
{
	for (; *paths; paths++)
		if (exists(rootfd, *paths) != all)
			return !all;
	return all;
}

static bool rule_matches(const struct detect_rule *r, struct os_cache *c)
{
	if (r->exists && !paths_exist(c->rootfd, r->exists, true))
		return false;
	if (r->exists_any && !paths_exist(c->rootfd, r->exists_any, false))
		return false;
	/* none exists: not one of them; one is missing: not all of them */
	if (r->absent && paths_exist(c->rootfd, r->absent, false))
		return false;
	if (r->absent_any && paths_exist(c->rootfd, r->absent_any, true))
		return false;
	if (r->os_release && !os_release_matches(r->os_release, c))
		return false;
	return !r->not_os_release || os_release_lacks(r->not_os_release, c);
}

bool detect_rule_matches(const struct detect_rule *r, int rootfd)
{
	struct os_cache c = { .rootfd = rootfd, .ret = 1 };
	bool match = rule_matches(r, &c);

	if (!c.ret)
		os_release_release(&c.os);
	return match;
}

/* Whether the guest file @path is empty: no bytes, or no entries. */
static bool empty_in_guest(int rootfd, const char *path)
{
	struct dirent *de;
	struct stat st;
	bool empty = true;
	DIR *d;
	int fd;

	fd = guest_openat(rootfd, path, O_PATH);
	if (fd < 0)
		return true;	/* gone: no evidence either */
	if (fstat(fd, &st)) {
		close(fd);
		return true;
	}
	close(fd);
	if (S_ISREG(st.st_mode))
		return st.st_size == 0;
	if (!S_ISDIR(st.st_mode))
		return true;	/* a FIFO or device is no database */
	fd = guest_openat(rootfd, path, O_RDONLY | O_DIRECTORY);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;	/* unreadable: take it as evidence */
	}
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * Whether the evidence of the matching rule @r is weak: every one of
 * its files that exists is empty (a database with no packages). Sets
 * *@empty to a new copy of the first such file; 0 or -ENOMEM.
 */
static int weak_evidence(const struct detect_rule *r, int rootfd,
			 char **empty)
{
	char **lists[] = { r->exists, r->exists_any }, **p;
	const char *first = NULL;
	size_t i;

	*empty = NULL;
	for (i = 0; i < 2; i++) {
		for (p = lists[i]; p && *p; p++) {
			if (!exists(rootfd, *p))
				continue;
			if (!empty_in_guest(rootfd, *p))
				return 0;
			if (!first)
				first = *p;
		}
	}
	*empty = first ? strdup(first) : NULL;
	return first && !*empty ? -ENOMEM : 0;
}

void detect_matches_free(struct detect_match *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].empty);
	free(v);
}

void detect_check_installed(const struct detect_table *t,
			    const struct plugins *ps)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!plugins_installed(ps, t->rules[i].backend))
			warning("'%s' line %u: backend '%s' is not installed",
				qs(t->rules[i].file), t->rules[i].line,
				qs(t->rules[i].backend));
}

/*
 * What becomes of the matching rule @m->rule: its backend applies
 * unless applied already (among @n before it), not installed, or its
 * probe says no. Returns 0 or -errno (said).
 */
static int settle(struct detect_match *m, const struct detect_match *v,
		  size_t n, struct plugins *ps, struct host *host)
{
	const struct detect_rule *r = m->rule;
	const struct plugin *p;
	size_t i;
	int ret;

	p = plugins_get(ps, r->backend, &ret);
	if (!p) {
		if (ret != -ENOENT)
			return ret;
		note(1, "'%s' line %u matches guest '%s', but backend "
		     "'%s' is not installed", qs(r->file), r->line,
		     qs(host->h.guest_root), qs(r->backend));
		m->use = DETECT_NOT_INSTALLED;
		return 0;
	}
	m->plugin = p;
	for (i = 0; i < n; i++) {
		if (v[i].use == DETECT_APPLIED && v[i].plugin == p) {
			m->use = DETECT_SAME;
			return 0;
		}
	}
	if (p->backend->probe) {
		host->plugin = p->name;
		ret = p->backend->probe(&host->h);
		if (ret < 0)
			return ret;
		if (!ret) {
			note(1, "'%s' line %u matches guest '%s', but "
			     "backend '%s' does not recognise it",
			     qs(r->file), r->line, qs(host->h.guest_root),
			     qs(r->backend));
			m->use = DETECT_NOT_RECOGNISED;
			return 0;
		}
	}
	m->use = DETECT_APPLIED;
	return 0;
}

int detect_choose(const struct detect_table *t, struct plugins *ps,
		  struct host *host, struct detect_match **matches,
		  size_t *count)
{
	struct os_cache c = { .rootfd = host->h.guest_fd,
			      .guest = host->h.guest_root, .ret = 1 };
	struct detect_match *v = calloc(t->n + 1, sizeof(*v)), *m;
	bool strong = false, applied = false, by_os = false;
	size_t i, n = 0;
	int ret = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		const struct detect_rule *r = &t->rules[i];
		bool db = evidence(r);

		if (!rule_matches(r, &c))
			continue;
		m = &v[n];
		m->rule = r;
		if (db)
			ret = weak_evidence(r, c.rootfd, &m->empty);
		if (!ret && !db && (strong || by_os))
			m->use = strong ? DETECT_UNNEEDED : DETECT_OUTRANKED;
		else if (!ret)
			ret = settle(m, v, n, ps, host);
		n++;
		if (ret)
			break;
		if (m->use != DETECT_APPLIED && m->use != DETECT_SAME)
			continue;
		applied |= m->use == DETECT_APPLIED;
		strong |= db && !m->empty;
		by_os |= !db;
	}
	if (!c.ret)
		os_release_release(&c.os);
	if (ret) {
		detect_matches_free(v, n);
		return ret;
	}
	*matches = v;
	*count = n;
	return applied ? 0 : -ENOENT;
}

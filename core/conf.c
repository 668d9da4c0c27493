// SPDX-License-Identifier: GPL-2.0-or-later
/* The configuration file; see conf.h. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "hash.h"
#include "method.h"
#include "log.h"
#include "match.h"
#include "plugin.h"
#include "store.h"
#include "yamlfile.h"

const char *const conf_default_guest_paths[] = {
	"/etc/vservers/{name}/vdir",		/* Linux-VServer */
	"/var/lib/machines/{name}",		/* systemd-nspawn */
	"/var/lib/lxc/{name}/rootfs",		/* LXC */
	"/var/lib/incus/containers/{name}/rootfs",	/* Incus */
	"/var/lib/lxd/containers/{name}/rootfs",	/* LXD */
	NULL,
};

bool conf_valid_name(const char *name)
{
	return *name && *name != '-' && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

static void free_options(struct backend_option *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].backend);
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void conf_release(struct conf *c)
{
	size_t i;

	free(c->file);
	free(c->vservers);
	yamlfile_free_strings(c->stores);
	yamlfile_free_strings(c->guest_paths);
	yamlfile_free_strings(c->exclude_lists);
	yamlfile_free_strings(c->share_config);
	for (i = 0; i < c->n_guests; i++) {
		free(c->guests[i].name);
		free(c->guests[i].backend);
		free(c->guests[i].group);
		yamlfile_free_strings(c->guests[i].exclude_lists);
		yamlfile_free_strings(c->guests[i].share_config);
		free_options(c->guests[i].options, c->guests[i].n_options);
	}
	free_options(c->options, c->n_options);
	free(c->guests);
	memset(c, 0, sizeof(*c));
}

const struct guest_conf *conf_guest(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_guests; i++)
		if (!strcmp(c->guests[i].name, name))
			return &c->guests[i];
	return NULL;
}

/* Reads the share-config patterns @v into *@out, each checked. */
static int read_share_config(struct yamlfile *y, yaml_node_t *v,
			     char ***out)
{
	struct matcher *m;
	char **p;
	int ret;

	ret = yamlfile_strings(y, v, out, true);
	if (ret)
		return ret;
	m = matcher_new();
	if (!m)
		return -ENOMEM;
	for (p = *out; !ret && *p; p++) {
		ret = matcher_add_glob(m, *p, true);
		if (ret == -EINVAL)
			ret = yamlfile_bad(y, v, "a share-config pattern is "
					   "malformed or has '..'");
	}
	matcher_free(m);
	return ret;
}

int conf_add_share_config(const struct conf *c, const struct guest_conf *gc,
			  struct matcher *m)
{
	char **lists[] = { c->share_config, gc ? gc->share_config : NULL };
	char **p;
	size_t i;
	int ret;

	for (i = 0; i < 2; i++) {
		for (p = lists[i]; p && *p; p++) {
			ret = matcher_add_glob(m, *p, true);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Whether @s may name a backend or an option: no '/', not empty. */
static bool plain_word(const char *s)
{
	return s && *s && !strchr(s, '/');
}

/*
 * Reads backend-options: a mapping of backend names to mappings of
 * option names to scalar values, into *@v (*@n of them).
 */
static int read_options(struct yamlfile *y, yaml_node_t *node,
			struct backend_option **v, size_t *n)
{
	yaml_node_pair_t *b, *o;
	struct backend_option *nv, *opt;

	if (*v)
		return yamlfile_bad(y, node, "key given twice");
	if (node->type != YAML_MAPPING_NODE)
		return yamlfile_bad(y, node, "'backend-options' must be a "
				    "mapping of backend names");
	for (b = node->data.mapping.pairs.start;
	     b < node->data.mapping.pairs.top; b++) {
		yaml_node_t *bk = yamlfile_node(y, b->key);
		yaml_node_t *bv = yamlfile_node(y, b->value);

		if (!plain_word(yamlfile_scalar(bk)))
			return yamlfile_bad(y, bk, "not a backend name");
		if (bv->type != YAML_MAPPING_NODE)
			return yamlfile_bad(y, bv, "the options of a backend "
					    "must be a mapping");
		for (o = bv->data.mapping.pairs.start;
		     o < bv->data.mapping.pairs.top; o++) {
			yaml_node_t *ok = yamlfile_node(y, o->key);
			yaml_node_t *ov = yamlfile_node(y, o->value);

			if (!plain_word(yamlfile_scalar(ok)))
				return yamlfile_bad(y, ok, "not an option "
						    "name");
			if (!yamlfile_scalar(ov))
				return yamlfile_bad(y, ov, "an option's "
						    "value must be a "
						    "string");
			nv = realloc(*v, (*n + 1) * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			*v = nv;
			opt = &nv[(*n)++];
			opt->backend = strdup(yamlfile_scalar(bk));
			opt->name = strdup(yamlfile_scalar(ok));
			opt->value = strdup(yamlfile_scalar(ov));
			opt->line = ok->start_mark.line + 1;
			if (!opt->backend || !opt->name || !opt->value)
				return -ENOMEM;
		}
	}
	return 0;
}

static const char *find_option(const struct backend_option *v, size_t n,
			       const char *backend, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].backend, backend) && !strcmp(v[i].name, name))
			return v[i].value;
	return NULL;
}

const char *conf_option(const struct conf *c, const struct guest_conf *gc,
			const char *backend, const char *name)
{
	const char *v = gc ? find_option(gc->options, gc->n_options, backend,
					 name) : NULL;

	return v ? v : find_option(c->options, c->n_options, backend, name);
}

/* Checks the options @v (@n of them) of file @file; see conf.h. */
static int check_options(const char *file, const struct backend_option *v,
			 size_t n, struct plugins *ps)
{
	const struct vhashify_backend *b;
	const struct plugin *p;
	const char *const *o;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		p = plugins_get(ps, v[i].backend, &err);
		if (!p && err == -ENOENT) {
			warning("'%s' line %lu: backend '%s' is not "
				"installed: option '%s' is not used",
				qs(file), v[i].line, qs(v[i].backend),
				qs(v[i].name));
			continue;
		}
		if (!p)
			return err;
		b = p->backend;
		o = VHASHIFY_BACKEND_HAS(b, options) ? b->options : NULL;
		while (o && *o && strcmp(*o, v[i].name))
			o++;
		if (!o || !*o) {
			error("'%s' line %lu: backend '%s' has no option '%s'",
			      qs(file), v[i].line, qs(v[i].backend),
			      qs(v[i].name));
			return -EINVAL;
		}
	}
	return 0;
}

int conf_check_options(const struct conf *c, struct plugins *ps)
{
	size_t i;
	int ret = check_options(c->file, c->options, c->n_options, ps);

	for (i = 0; !ret && i < c->n_guests; i++)
		ret = check_options(c->file, c->guests[i].options,
				    c->guests[i].n_options, ps);
	return ret;
}

static int read_guest(struct yamlfile *y, yaml_node_t *k, yaml_node_t *v,
		      struct guest_conf *g)
{
	yaml_node_pair_t *pair;
	const char *name = yamlfile_scalar(k);
	int ret;

	if (!name || !conf_valid_name(name))
		return yamlfile_bad(y, k, "not a valid guest name");
	g->name = strdup(name);
	if (!g->name)
		return -ENOMEM;
	if (v->type != YAML_MAPPING_NODE)
		return yamlfile_bad(y, v, "guest settings must be a mapping");
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++) {
		yaml_node_t *gk = yamlfile_node(y, pair->key);
		yaml_node_t *gv = yamlfile_node(y, pair->value);
		const char *key = yamlfile_scalar(gk);

		if (key && !strcmp(key, "backend")) {
			const char *b = yamlfile_scalar(gv);

			if (!b || !*b || strchr(b, '/'))
				return yamlfile_bad(y, gv, "'backend' must "
						    "be a backend name or "
						    "none");
			free(g->backend);
			g->backend = strdup(b);
			ret = g->backend ? 0 : -ENOMEM;
		} else if (key && !strcmp(key, "exclude-list")) {
			ret = yamlfile_strings(y, gv, &g->exclude_lists, true);
		} else if (key && !strcmp(key, "share-config")) {
			ret = read_share_config(y, gv, &g->share_config);
		} else if (key && !strcmp(key, "backend-options")) {
			ret = read_options(y, gv, &g->options, &g->n_options);
		} else if (key && !strcmp(key, "group")) {
			const char *grp = yamlfile_scalar(gv);

			if (!store_valid_group(grp))
				return yamlfile_bad(y, gv, "'group' must be "
						    "1 to 32 of a-z, 0-9, "
						    "'-' and '_', a letter "
						    "or digit first");
			free(g->group);
			g->group = strdup(grp);
			ret = g->group ? 0 : -ENOMEM;
		} else {
			return yamlfile_unknown_key(y, gk);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int read_guests(struct yamlfile *y, yaml_node_t *node, struct conf *c)
{
	yaml_node_pair_t *pair;
	int ret;

	if (node->type != YAML_MAPPING_NODE)
		return yamlfile_bad(y, node, "'guests' must be a mapping of "
				    "guest names");
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yamlfile_node(y, pair->key);
		struct guest_conf *v;

		if (yamlfile_scalar(k) && conf_guest(c, yamlfile_scalar(k)))
			return yamlfile_bad(y, k, "guest given twice");
		v = realloc(c->guests, (c->n_guests + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->guests = v;
		memset(&v[c->n_guests], 0, sizeof(*v));
		ret = read_guest(y, k, yamlfile_node(y, pair->value),
				 &v[c->n_guests++]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The value of one top-level key. */
static int read_key(struct yamlfile *y, yaml_node_t *k, yaml_node_t *v,
		    struct conf *c)
{
	const char *key = yamlfile_scalar(k), *s = yamlfile_scalar(v);
	char **p;
	int ret;

	if (!key)
		return yamlfile_bad(y, k, "a key must be a string");
	if (!strcmp(key, "stores"))
		return yamlfile_strings(y, v, &c->stores, true);
	if (!strcmp(key, "guest-paths")) {
		ret = yamlfile_strings(y, v, &c->guest_paths, true);
		for (p = c->guest_paths; !ret && p && *p; p++)
			if (!strstr(*p, "{name}"))
				return yamlfile_bad(y, v, "a guest path must "
						    "hold '{name}'");
		return ret;
	}
	if (!strcmp(key, "vservers")) {
		if (!s || s[0] != '/')
			return yamlfile_bad(y, v, "'vservers' must be an "
					    "absolute path");
		free(c->vservers);
		c->vservers = strdup(s);
		return c->vservers ? 0 : -ENOMEM;
	}
	if (!strcmp(key, "exclude-lists"))
		return yamlfile_strings(y, v, &c->exclude_lists, true);
	if (!strcmp(key, "share-config"))
		return read_share_config(y, v, &c->share_config);
	if (!strcmp(key, "guests"))
		return read_guests(y, v, c);
	if (!strcmp(key, "backend-options"))
		return read_options(y, v, &c->options, &c->n_options);
	if (!strcmp(key, "method")) {
		if (!s || link_method_parse(s, &c->method))
			return yamlfile_bad(y, v, "'method' must be "
					    "hardlink, reflink or auto");
		c->has_method = true;
		return 0;
	}
	if (!strcmp(key, "hash")) {
		if (!s || hash_method_parse(s, &c->hash))
			return yamlfile_bad(y, v, "'hash' must be xxh3-128 "
					    "or sha256");
		c->has_hash = true;
		return 0;
	}
	if (!strcmp(key, "min-size")) {
		if (!s || parse_size(s, &c->min_size))
			return yamlfile_bad(y, v, "'min-size' must be a size "
					    "such as 1, 4K or 1M");
		c->has_min_size = true;
		return 0;
	}
	if (!strcmp(key, "lock-timeout")) {
		if (!s || parse_seconds(s, &c->lock_timeout))
			return yamlfile_bad(y, v, "'lock-timeout' must be a "
					    "number of seconds from 0 to "
					    "31536000");
		c->has_lock_timeout = true;
		return 0;
	}
	if (!strcmp(key, "exclusions-limit")) {
		off_t size;

		if (!s || parse_size(s, &size) || !size ||
		    (unsigned long long)size > SIZE_MAX)
			return yamlfile_bad(y, v, "'exclusions-limit' must "
					    "be a size such as 64M or 1G, "
					    "not 0");
		c->exclusions_limit = size;
		return 0;
	}
	if (!strcmp(key, "ignore-mtime")) {
		c->has_ignore_mtime = true;
		return yamlfile_bool(y, v, &c->ignore_mtime);
	}
	return yamlfile_unknown_key(y, k);
}

int conf_load(struct conf *c, const char *file, bool must_exist)
{
	struct yamlfile y;
	yaml_node_pair_t *pair;
	yaml_node_t *root;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = yamlfile_load(&y, file, !must_exist);
	if (ret == -ENOENT && !must_exist)
		return 0;
	if (ret)
		return ret;
	c->file = strdup(file);
	root = yamlfile_root(&y);
	if (!c->file) {
		ret = -ENOMEM;
	} else if (root && root->type != YAML_MAPPING_NODE) {
		ret = yamlfile_bad(&y, root, "expected a mapping of settings");
	} else if (root) {
		for (pair = root->data.mapping.pairs.start;
		     !ret && pair < root->data.mapping.pairs.top; pair++)
			ret = read_key(&y, yamlfile_node(&y, pair->key),
				       yamlfile_node(&y, pair->value), c);
	}
	yamlfile_release(&y);
	if (ret)
		conf_release(c);
	return ret;
}

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

#include <yaml.h>

#include "detect.h"
#include "guest.h"
#include "host.h"
#include "log.h"
#include "osrelease.h"
#include "plugin.h"

static void free_list(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void rule_release(struct detect_rule *r)
{
	free(r->backend);
	free_list(r->exists);
	free_list(r->exists_any);
	free_list(r->os_release);
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

/* A parse in progress: the file, its document, for messages. */
struct doc {
	const char *file;
	yaml_document_t d;
};

static int bad(const struct doc *doc, const yaml_node_t *node,
	       const char *why)
{
	error("'%s' line %lu: %s", qs(doc->file),
	      (unsigned long)node->start_mark.line + 1, why);
	return -EINVAL;
}

static const char *scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* Item @i of a list node; a single scalar is a list of itself. */
static yaml_node_t *item(const struct doc *doc, yaml_node_t *node, size_t i)
{
	if (node->type == YAML_SCALAR_NODE)
		return node;
	return yaml_document_get_node((yaml_document_t *)&doc->d,
				      node->data.sequence.items.start[i]);
}

/* A list of strings, or a single string taken as a list of one. */
static int read_list(const struct doc *doc, yaml_node_t *node, char ***out,
		     bool paths)
{
	size_t n, i;
	char **v;

	if (*out)
		return bad(doc, node, "key given twice");
	if (node->type == YAML_SCALAR_NODE)
		n = 1;
	else if (node->type == YAML_SEQUENCE_NODE)
		n = node->data.sequence.items.top -
		    node->data.sequence.items.start;
	else
		return bad(doc, node, "expected a list of strings");
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*out = v;
	for (i = 0; i < n; i++) {
		yaml_node_t *s = item(doc, node, i);

		if (!s || s->type != YAML_SCALAR_NODE)
			return bad(doc, s ? s : node,
				   "expected a string in the list");
		if (!*scalar(s))
			return bad(doc, s, "empty string in the list");
		if (paths && scalar(s)[0] != '/')
			return bad(doc, s, "path is not absolute");
		v[i] = strdup(scalar(s));
		if (!v[i])
			return -ENOMEM;
	}
	return 0;
}

static int read_rule(const struct doc *doc, yaml_node_t *node,
		     struct detect_rule *r)
{
	yaml_node_pair_t *pair;
	int ret;

	if (node->type != YAML_MAPPING_NODE)
		return bad(doc, node, "a rule must be a mapping");
	r->line = node->start_mark.line + 1;
	r->file = strdup(doc->file);
	if (!r->file)
		return -ENOMEM;
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(
			(yaml_document_t *)&doc->d, pair->key);
		yaml_node_t *v = yaml_document_get_node(
			(yaml_document_t *)&doc->d, pair->value);
		const char *key;

		if (k->type != YAML_SCALAR_NODE)
			return bad(doc, k, "a key must be a string");
		key = scalar(k);
		if (!strcmp(key, "backend")) {
			if (v->type != YAML_SCALAR_NODE || !*scalar(v))
				return bad(doc, v, "'backend' must be a name");
			if (r->backend)
				return bad(doc, k, "key given twice");
			r->backend = strdup(scalar(v));
			if (!r->backend)
				return -ENOMEM;
			ret = 0;
		} else if (!strcmp(key, "exists")) {
			ret = read_list(doc, v, &r->exists, true);
		} else if (!strcmp(key, "exists-any")) {
			ret = read_list(doc, v, &r->exists_any, true);
		} else if (!strcmp(key, "os-release")) {
			ret = read_list(doc, v, &r->os_release, false);
		} else {
			error("'%s' line %lu: unknown key '%s'", qs(doc->file),
			      (unsigned long)k->start_mark.line + 1, qs(key));
			return -EINVAL;
		}
		if (ret)
			return ret;
	}
	if (!r->backend)
		return bad(doc, node, "rule names no backend");
	if (!r->exists && !r->exists_any && !r->os_release)
		return bad(doc, node, "rule has no condition");
	return 0;
}

static int read_rules(const struct doc *doc, struct detect_table *t)
{
	yaml_node_t *root = yaml_document_get_root_node(
		(yaml_document_t *)&doc->d);
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	yaml_node_t *rules = NULL;
	struct detect_rule *v;
	int ret;

	if (!root)
		return 0;	/* an empty file: no rules */
	if (root->type != YAML_MAPPING_NODE)
		return bad(doc, root, "expected a mapping with 'rules'");
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(
			(yaml_document_t *)&doc->d, pair->key);

		if (k->type != YAML_SCALAR_NODE || strcmp(scalar(k), "rules")) {
			error("'%s' line %lu: unknown key '%s'", qs(doc->file),
			      (unsigned long)k->start_mark.line + 1,
			      k->type == YAML_SCALAR_NODE ?
			      qs(scalar(k)) : "?");
			return -EINVAL;
		}
		rules = yaml_document_get_node((yaml_document_t *)&doc->d,
					       pair->value);
	}
	if (!rules)
		return 0;
	if (rules->type != YAML_SEQUENCE_NODE)
		return bad(doc, rules, "'rules' must be a list");
	for (item = rules->data.sequence.items.start;
	     item < rules->data.sequence.items.top; item++) {
		v = realloc(t->rules, (t->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->rules = v;
		memset(&v[t->n], 0, sizeof(*v));
		ret = read_rule(doc, yaml_document_get_node(
				(yaml_document_t *)&doc->d, *item),
				&v[t->n]);
		t->n++;		/* released with the table, even on error */
		if (ret)
			return ret;
	}
	return 0;
}

int detect_load_file(struct detect_table *t, const char *file)
{
	struct doc doc = { .file = file };
	yaml_parser_t parser;
	FILE *f;
	int ret;

	f = fopen(file, "re");
	if (!f) {
		ret = -errno;
		error("cannot read '%s': %s", qs(file), strerror(errno));
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc.d)) {
		error("'%s' line %lu: %s", qs(file),
		      (unsigned long)parser.problem_mark.line + 1,
		      parser.problem ? parser.problem : "malformed YAML");
		ret = -EINVAL;
	} else {
		ret = read_rules(&doc, t);
		yaml_document_delete(&doc.d);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

static int filter_yaml(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 5 && de->d_name[0] != '.' &&
	       !strcmp(de->d_name + n - 5, ".yaml");
}

/* Evidence first: rules with a file condition, then os-release ones. */
static void order_rules(struct detect_table *t)
{
	struct detect_rule *v = malloc(t->n * sizeof(*v));
	size_t i, n = 0;

	if (!v)
		return;		/* keeps file order: still a valid table */
	for (i = 0; i < t->n; i++)
		if (t->rules[i].exists || t->rules[i].exists_any)
			v[n++] = t->rules[i];
	for (i = 0; i < t->n; i++)
		if (!t->rules[i].exists && !t->rules[i].exists_any)
			v[n++] = t->rules[i];
	free(t->rules);
	t->rules = v;
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
	n = scandir(dropin_dir, &list, filter_yaml, alphasort);
	if (n < 0 && errno != ENOENT) {
		ret = -errno;
		error("cannot read '%s': %s", qs(dropin_dir), strerror(errno));
		goto out_release;
	}
	for (i = 0; i < n; i++) {
		char *path = NULL;

		if (!ret && asprintf(&path, "%s/%s", dropin_dir,
				     list[i]->d_name) < 0)
			ret = -ENOMEM;
		if (!ret)
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

static bool os_release_matches(const struct detect_rule *r, int rootfd)
{
	struct os_release os;
	bool match = false;
	char **w;

	if (os_release_read(rootfd, &os))
		return false;
	if (os.id && in_list(r->os_release, os.id))
		match = true;
	for (w = os.id_like; !match && w && *w; w++)
		match = in_list(r->os_release, *w);
	os_release_release(&os);
	return match;
}

bool detect_rule_matches(const struct detect_rule *r, int rootfd)
{
	char **p;
	bool any;

	for (p = r->exists; p && *p; p++)
		if (!exists(rootfd, *p))
			return false;
	if (r->exists_any) {
		any = false;
		for (p = r->exists_any; !any && *p; p++)
			any = exists(rootfd, *p);
		if (!any)
			return false;
	}
	return !r->os_release || os_release_matches(r, rootfd);
}

int detect_choose(const struct detect_table *t, struct plugins *ps,
		  struct host *host, const struct plugin **plugin,
		  const struct detect_rule **rule)
{
	const struct plugin *p;
	size_t i;
	int ret;

	for (i = 0; i < t->n; i++) {
		const struct detect_rule *r = &t->rules[i];

		if (!detect_rule_matches(r, host->h.guest_fd))
			continue;
		p = plugins_get(ps, r->backend, &ret);
		if (!p) {
			if (ret != -ENOENT)
				return ret;
			note(1, "'%s' line %u matches guest '%s', but backend "
			     "'%s' is not installed", qs(r->file), r->line,
			     qs(host->h.guest_root), qs(r->backend));
			continue;
		}
		if (p->backend->probe) {
			host->plugin = p->name;
			ret = p->backend->probe(&host->h);
			if (ret < 0)
				return ret;
			if (!ret) {
				note(1, "'%s' line %u matches guest '%s', but "
				     "backend '%s' does not recognise it",
				     qs(r->file), r->line,
				     qs(host->h.guest_root), qs(r->backend));
				continue;
			}
		}
		*plugin = p;
		*rule = r;
		return 0;
	}
	return -ENOENT;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading our YAML files; see yamlfile.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "yamlfile.h"

int yaml_file_load(struct yaml_file *y, const char *file,
		   bool quiet_missing)
{
	yaml_parser_t parser;
	FILE *f;
	int ret = 0;

	memset(y, 0, sizeof(*y));
	y->file = file;
	f = fopen(file, "re");
	if (!f) {
		ret = -errno;
		if (ret != -ENOENT || !quiet_missing)
			error("cannot read '%s': %s", qs(file), strerror(errno));
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &y->doc)) {
		error("'%s' line %lu: %s", qs(file),
		      (unsigned long)parser.problem_mark.line + 1,
		      parser.problem ? parser.problem : "malformed YAML");
		y->file = NULL;
		ret = -EINVAL;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

void yaml_file_release(struct yaml_file *y)
{
	if (y->file)
		yaml_document_delete(&y->doc);
	y->file = NULL;
}

yaml_node_t *yaml_file_root(struct yaml_file *y)
{
	return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *yaml_file_node(struct yaml_file *y, int i)
{
	return yaml_document_get_node(&y->doc, i);
}

int yaml_file_bad(const struct yaml_file *y, const yaml_node_t *node,
		  const char *why)
{
	error("'%s' line %lu: %s", qs(y->file),
	      (unsigned long)node->start_mark.line + 1, why);
	return -EINVAL;
}

int yaml_file_unknown_key(const struct yaml_file *y, const yaml_node_t *node)
{
	const char *key = yaml_file_scalar(node);

	error("'%s' line %lu: unknown key '%s'", qs(y->file),
	      (unsigned long)node->start_mark.line + 1, key ? qs(key) : "?");
	return -EINVAL;
}

const char *yaml_file_scalar(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

void yaml_file_free_strings(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Item @i of a list node; a single scalar is a list of itself. */
static yaml_node_t *item(struct yaml_file *y, yaml_node_t *node, size_t i)
{
	if (node->type == YAML_SCALAR_NODE)
		return node;
	return yaml_file_node(y, node->data.sequence.items.start[i]);
}

int yaml_file_strings(struct yaml_file *y, yaml_node_t *node, char ***out,
		      bool absolute)
{
	size_t n, i;
	char **v;

	if (*out)
		return yaml_file_bad(y, node, "key given twice");
	if (node->type == YAML_SCALAR_NODE)
		n = 1;
	else if (node->type == YAML_SEQUENCE_NODE)
		n = node->data.sequence.items.top -
		    node->data.sequence.items.start;
	else
		return yaml_file_bad(y, node, "expected a list of strings");
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*out = v;
	for (i = 0; i < n; i++) {
		yaml_node_t *s = item(y, node, i);
		const char *text = yaml_file_scalar(s);

		if (!text)
			return yaml_file_bad(y, s ? s : node,
					     "expected a string in the list");
		if (!*text)
			return yaml_file_bad(y, s, "empty string in the list");
		if (absolute && text[0] != '/')
			return yaml_file_bad(y, s, "path is not absolute");
		v[i] = strdup(text);
		if (!v[i])
			return -ENOMEM;
	}
	return 0;
}

int yaml_file_bool(const struct yaml_file *y, yaml_node_t *node, bool *out)
{
	const char *s = yaml_file_scalar(node);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
		*out = false;
		return 0;
	}
	return yaml_file_bad(y, node, "expected true or false");
}

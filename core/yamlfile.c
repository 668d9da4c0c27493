// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading our YAML files; see yamlfile.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "log.h"
#include "yamlfile.h"

/* Opens @file to read when it is a regular file: never a FIFO or device. */
static FILE *open_file(const char *file, int *err)
{
	int pathfd, fd;
	FILE *f;

	pathfd = open(file, O_PATH | O_CLOEXEC);
	if (pathfd < 0) {
		*err = -errno;
		return NULL;
	}
	fd = content_reopen(pathfd, 0, NULL);
	close(pathfd);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*err = -errno;
		close(fd);
	}
	return f;
}

/* A pair of a mapping, for finding keys given twice. */
struct key {
	const char *text;
	const yaml_node_t *node;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	if (c)
		return c;
	return (x->node->start_mark.index > y->node->start_mark.index) -
	       (x->node->start_mark.index < y->node->start_mark.index);
}

/*
 * Checks that no mapping of the document gives a key twice, at any
 * level. The document's nodes are gone through once, in their array,
 * so aliases neither loop nor multiply the work; keys are sorted per
 * mapping. Returns 0 or -EINVAL (said).
 */
static int check_keys(struct yamlfile *y)
{
	yaml_node_t *start = y->doc.nodes.start, *node;
	size_t n = y->doc.nodes.top - start, i, j, count;
	const yaml_node_t *dup = NULL;
	struct key *keys = NULL;
	int ret = 0;

	for (i = 0; i < n; i++) {
		yaml_node_pair_t *pair;

		node = start + i;
		if (node->type != YAML_MAPPING_NODE)
			continue;
		count = node->data.mapping.pairs.top -
			node->data.mapping.pairs.start;
		if (count < 2)
			continue;
		free(keys);
		keys = malloc(count * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		for (j = 0, pair = node->data.mapping.pairs.start;
		     pair < node->data.mapping.pairs.top; pair++) {
			yaml_node_t *k = yamlfile_node(y, pair->key);

			if (yamlfile_scalar(k)) {
				keys[j].text = yamlfile_scalar(k);
				keys[j++].node = k;
			}
		}
		qsort(keys, j, sizeof(*keys), cmp_key);
		/* of all keys given again, the first in the file */
		for (count = 1; count < j; count++)
			if (!strcmp(keys[count - 1].text, keys[count].text) &&
			    (!dup || keys[count].node->start_mark.index <
				     dup->start_mark.index))
				dup = keys[count].node;
	}
	if (dup) {
		error("'%s' line %lu: key '%s' given twice", qs(y->file),
		      (unsigned long)dup->start_mark.line + 1,
		      qs(yamlfile_scalar(dup)));
		ret = -EINVAL;
	}
	free(keys);
	return ret;
}

/*
 * Reads the tokens of @f (then rewound) and refuses nesting deeper than
 * YAMLFILE_MAX_DEPTH: libyaml's scanner looks at every open level for
 * each token, so a file of many unclosed '[' would cost time in the
 * square of its size. Returns 0, or -EINVAL (said, naming the line).
 */
static int check_depth(FILE *f, const char *file)
{
	yaml_parser_t parser;
	yaml_token_t token;
	int depth = 0, ret = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_file(&parser, f);
	while (!done && !ret) {
		if (!yaml_parser_scan(&parser, &token))
			break;	/* malformed: the load says where */
		switch (token.type) {
		case YAML_FLOW_SEQUENCE_START_TOKEN:
		case YAML_FLOW_MAPPING_START_TOKEN:
		case YAML_BLOCK_SEQUENCE_START_TOKEN:
		case YAML_BLOCK_MAPPING_START_TOKEN:
			if (++depth > YAMLFILE_MAX_DEPTH) {
				error("'%s' line %lu: nested more than %d "
				      "levels deep", qs(file),
				      (unsigned long)token.start_mark.line + 1,
				      YAMLFILE_MAX_DEPTH);
				ret = -EINVAL;
			}
			break;
		case YAML_FLOW_SEQUENCE_END_TOKEN:
		case YAML_FLOW_MAPPING_END_TOKEN:
		case YAML_BLOCK_END_TOKEN:
			depth--;
			break;
		case YAML_STREAM_END_TOKEN:
			done = true;
			break;
		default:
			break;
		}
		yaml_token_delete(&token);
	}
	yaml_parser_delete(&parser);
	rewind(f);
	return ret;
}

int yamlfile_load(struct yamlfile *y, const char *file,
		  bool quiet_missing)
{
	yaml_document_t next;
	yaml_parser_t parser;
	FILE *f;
	int ret = 0;

	memset(y, 0, sizeof(*y));
	y->file = file;
	f = open_file(file, &ret);
	if (!f) {
		if (ret != -ENOENT || !quiet_missing)
			error("cannot read '%s': %s", qs(file),
			      content_strerror(ret));
		y->file = NULL;
		return ret;
	}
	ret = check_depth(f, file);
	if (ret || !yaml_parser_initialize(&parser)) {
		fclose(f);
		y->file = NULL;
		return ret ? ret : -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &y->doc)) {
		error("'%s' line %lu: %s", qs(file),
		      (unsigned long)parser.problem_mark.line + 1,
		      parser.problem ? parser.problem : "malformed YAML");
		y->file = NULL;
		ret = -EINVAL;
	} else if (!yaml_parser_load(&parser, &next)) {
		/* malformed after the first document */
		error("'%s' line %lu: %s", qs(file),
		      (unsigned long)parser.problem_mark.line + 1,
		      parser.problem ? parser.problem : "malformed YAML");
		ret = -EINVAL;
	} else {
		/* the end of the stream is an empty document */
		if (yaml_document_get_root_node(&next)) {
			error("'%s' line %lu: a second document: a file "
			      "holds one", qs(file),
			      (unsigned long)next.start_mark.line + 1);
			ret = -EINVAL;
		}
		yaml_document_delete(&next);
		if (!ret)
			ret = check_keys(y);
	}
	if (ret && y->file) {
		yaml_document_delete(&y->doc);
		y->file = NULL;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}

void yamlfile_release(struct yamlfile *y)
{
	if (y->file)
		yaml_document_delete(&y->doc);
	y->file = NULL;
}

yaml_node_t *yamlfile_root(struct yamlfile *y)
{
	return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *yamlfile_node(struct yamlfile *y, int i)
{
	return yaml_document_get_node(&y->doc, i);
}

int yamlfile_bad(const struct yamlfile *y, const yaml_node_t *node,
		 const char *why)
{
	error("'%s' line %lu: %s", qs(y->file),
	      (unsigned long)node->start_mark.line + 1, why);
	return -EINVAL;
}

int yamlfile_unknown_key(const struct yamlfile *y, const yaml_node_t *node)
{
	const char *key = yamlfile_scalar(node);

	error("'%s' line %lu: unknown key '%s'", qs(y->file),
	      (unsigned long)node->start_mark.line + 1, key ? qs(key) : "?");
	return -EINVAL;
}

const char *yamlfile_scalar(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

void yamlfile_free_strings(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Item @i of a list node; a single scalar is a list of itself. */
static yaml_node_t *item(struct yamlfile *y, yaml_node_t *node, size_t i)
{
	if (node->type == YAML_SCALAR_NODE)
		return node;
	return yamlfile_node(y, node->data.sequence.items.start[i]);
}

int yamlfile_strings(struct yamlfile *y, yaml_node_t *node, char ***out,
		     bool absolute)
{
	size_t n, i;
	char **v;

	if (*out)
		return yamlfile_bad(y, node, "key given twice");
	if (node->type == YAML_SCALAR_NODE)
		n = 1;
	else if (node->type == YAML_SEQUENCE_NODE)
		n = node->data.sequence.items.top -
		    node->data.sequence.items.start;
	else
		return yamlfile_bad(y, node, "expected a list of strings");
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*out = v;
	for (i = 0; i < n; i++) {
		yaml_node_t *s = item(y, node, i);
		const char *text = yamlfile_scalar(s);

		if (!text)
			return yamlfile_bad(y, s ? s : node,
					    "expected a string in the list");
		if (!*text)
			return yamlfile_bad(y, s, "empty string in the list");
		if (absolute && text[0] != '/')
			return yamlfile_bad(y, s, "path is not absolute");
		v[i] = strdup(text);
		if (!v[i])
			return -ENOMEM;
	}
	return 0;
}

int yamlfile_bool(const struct yamlfile *y, yaml_node_t *node, bool *out)
{
	const char *s = yamlfile_scalar(node);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
		*out = false;
		return 0;
	}
	return yamlfile_bad(y, node, "expected true or false");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_YAMLFILE_H
#define VHASHIFY_YAMLFILE_H

/*
 * Reading our YAML files (detection table, configuration) with libyaml's
 * document API, with errors that name the file and line.
 */

#include <stdbool.h>
#include <yaml.h>

/* Collections nested deeper than this are refused: none of our files
 * needs more than a few levels. */
#define YAMLFILE_MAX_DEPTH 64

struct yamlfile {
	const char *file;
	yaml_document_t doc;
};

/*
 * Loads @file, which must be a regular file (anything else, such as a
 * FIFO, is -ENXIO and never opened). An empty file gives a document
 * without a root node. Prints "'FILE' line N: PROBLEM" for malformed
 * YAML, for a second document, for a key given twice in a mapping at
 * any level, and for nesting deeper than YAMLFILE_MAX_DEPTH (in time
 * linear in the file's size). Returns 0, -ENOENT (printed unless
 * @quiet_missing), or another -errno.
 */
int yamlfile_load(struct yamlfile *y, const char *file,
		  bool quiet_missing);
void yamlfile_release(struct yamlfile *y);

/* The root node, or NULL for an empty file. */
yaml_node_t *yamlfile_root(struct yamlfile *y);
/* The node of index @i. */
yaml_node_t *yamlfile_node(struct yamlfile *y, int i);

/* Prints "'FILE' line N: WHY" for @node; returns -EINVAL. */
int yamlfile_bad(const struct yamlfile *y, const yaml_node_t *node,
		 const char *why);
/* The same for an unknown key @node. */
int yamlfile_unknown_key(const struct yamlfile *y, const yaml_node_t *node);

/* The text of a scalar node, or NULL when @node is no scalar. */
const char *yamlfile_scalar(const yaml_node_t *node);

/*
 * Reads a list of non-empty strings (a single string counts as a list
 * of one) into a new NULL-terminated array at *out, which must be NULL
 * (else "key given twice"). With @absolute, every string must start
 * with '/'. Returns 0 or -errno (said).
 */
int yamlfile_strings(struct yamlfile *y, yaml_node_t *node, char ***out,
		     bool absolute);
void yamlfile_free_strings(char **v);

/* Parses a boolean scalar (true/false/yes/no). Returns 0 or -EINVAL. */
int yamlfile_bool(const struct yamlfile *y, yaml_node_t *node, bool *out);

#endif

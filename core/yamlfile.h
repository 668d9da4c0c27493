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
#define YAML_FILE_MAX_DEPTH 64

struct yaml_file {
	const char *file;
	yaml_document_t doc;
};

/*
 * Loads @file, which must be a regular file (anything else, such as a
 * FIFO, is -ENXIO and never opened). An empty file gives a document
 * without a root node. Prints "'FILE' line N: PROBLEM" for malformed
 * YAML, for a second document, for a key given twice in a mapping at
 * any level, and for nesting deeper than YAML_FILE_MAX_DEPTH (in time
 * linear in the file's size). Returns 0, -ENOENT (printed unless
 * @quiet_missing), or another -errno.
 */
int yaml_file_load(struct yaml_file *y, const char *file,
		   bool quiet_missing);
void yaml_file_release(struct yaml_file *y);

/* The root node, or NULL for an empty file. */
yaml_node_t *yaml_file_root(struct yaml_file *y);
/* The node of index @i. */
yaml_node_t *yaml_file_node(struct yaml_file *y, int i);

/* Prints "'FILE' line N: WHY" for @node; returns -EINVAL. */
int yaml_file_bad(const struct yaml_file *y, const yaml_node_t *node,
		  const char *why);
/* The same for an unknown key @node. */
int yaml_file_unknown_key(const struct yaml_file *y, const yaml_node_t *node);

/* The text of a scalar node, or NULL when @node is no scalar. */
const char *yaml_file_scalar(const yaml_node_t *node);

/*
 * Reads a list of non-empty strings (a single string counts as a list
 * of one) into a new NULL-terminated array at *out, which must be NULL
 * (else "key given twice"). With @absolute, every string must start
 * with '/'. Returns 0 or -errno (said).
 */
int yaml_file_strings(struct yaml_file *y, yaml_node_t *node, char ***out,
		      bool absolute);
void yaml_file_free_strings(char **v);

/* Parses a boolean scalar (true/false/yes/no). Returns 0 or -EINVAL. */
int yaml_file_bool(const struct yaml_file *y, yaml_node_t *node, bool *out);

#endif

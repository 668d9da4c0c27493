/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_DETECT_H
#define VHASHIFY_DETECT_H

/*
 * The detection table: which backend serves a guest. Read from
 * detect.yaml and the drop-ins detect.d/ *.yaml (in name order), each:
 *
 *   rules:
 *     - backend: dpkg
 *       exists: [/var/lib/dpkg/status]     # all of these exist
 *     - backend: rpm
 *       exists-any: [/var/lib/rpm, /usr/lib/sysimage/rpm]
 *     - backend: dpkg
 *       os-release: [debian, ubuntu]       # ID or an ID_LIKE word
 *
 * A rule matches when all its conditions hold; paths resolve inside
 * the guest. Rules with a file condition (evidence that a database is
 * there) are tried before rules with os-release alone; otherwise in
 * the order read. The first matching rule whose backend is installed
 * wins.
 */

#include <stdbool.h>
#include <stddef.h>

struct detect_rule {
	char *backend;
	char **exists;		/* NULL-terminated: all must exist */
	char **exists_any;	/* NULL-terminated: one must exist */
	char **os_release;	/* NULL-terminated: ID or ID_LIKE values */
	char *file;		/* where the rule was read, for messages */
	unsigned int line;
};

struct detect_table {
	struct detect_rule *rules;	/* in the order they are tried */
	size_t n;
};

/*
 * Reads @file and then @dropin_dir/ *.yaml (missing drop-in directory
 * is fine) into @t. Only regular files named *.yaml are read from
 * @dropin_dir; anything else is noted (-v) and never opened. Malformed
 * YAML, unknown keys, a key given twice, a second document and wrong
 * types are errors printed with file and line. Returns 0 or -errno.
 */
int detect_load(struct detect_table *t, const char *file,
		const char *dropin_dir);
/* Reads one file and appends its rules (not yet ordered). */
int detect_load_file(struct detect_table *t, const char *file);
void detect_release(struct detect_table *t);

/*
 * Whether @rule matches the guest whose root is @rootfd. Missing
 * files or os-release are no match, not errors.
 */
bool detect_rule_matches(const struct detect_rule *rule, int rootfd);

struct host;
struct plugins;
struct plugin;

/*
 * Chooses the backend of the guest @host serves: the first rule that
 * matches, whose plugin is installed, and whose probe (if any) agrees.
 * Rules naming a backend that is not installed are skipped with a note
 * at -v. Returns 0 and sets *plugin and *rule, -ENOENT when no rule
 * chose a backend, or another -errno (a plugin was refused, or its
 * probe failed: said already).
 */
int detect_choose(const struct detect_table *t, struct plugins *ps,
		  struct host *host, const struct plugin **plugin,
		  const struct detect_rule **rule);

#endif

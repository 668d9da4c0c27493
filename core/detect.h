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
 *       priority: -10                      # after the other rules
 *
 * A rule matches when all its conditions hold; paths resolve inside
 * the guest. Each condition has its mirror: absent (none of these
 * exists), absent-any (one of these is missing), not-os-release (the
 * guest is none of these, or says nothing); a rule needs at least one
 * of exists, exists-any, os-release: what is absent is no evidence.
 *
 * A rule with a file condition (exists, exists-any) is evidence that a
 * package database is there: every such rule that matches applies, so
 * a guest with two package managers keeps the configuration files of
 * both. Rules with os-release alone are tried only when no database was
 * found, or only empty ones (weak evidence), and the first of them
 * whose backend is installed applies. More backends is safe: their
 * exclusions are joined.
 *
 * The order: rules with a file condition come before the others,
 * whatever their priority; within each of these two classes, higher
 * priority first (default 0, the shipped rules' too), equal priority
 * in the order read (detect.yaml, then the drop-ins by name). So the
 * priority decides which os-release rule applies when several match,
 * and which rule is the one named for a backend that several rules
 * choose, and the order in which backends are listed and asked.
 * It never keeps a backend with evidence from applying, and the files
 * kept private do not depend on it: with several backends, their
 * include rules are left out (see exclusions_collect_excludes()).
 */

#include <stdbool.h>
#include <stddef.h>

#define DETECT_PRIORITY_MIN (-1000)
#define DETECT_PRIORITY_MAX 1000

struct detect_rule {
	char *backend;
	char **exists;		/* NULL-terminated: all must exist */
	char **exists_any;	/* NULL-terminated: one must exist */
	char **os_release;	/* NULL-terminated: ID or ID_LIKE values */
	char **absent;		/* NULL-terminated: none may exist */
	char **absent_any;	/* NULL-terminated: one must be missing */
	char **not_os_release;	/* NULL-terminated: ID and ID_LIKE none */
	int priority;		/* higher is tried first; default 0,
				 * DETECT_PRIORITY_MIN to _MAX */
	char *file;		/* where the rule was read, for messages */
	unsigned int line;
};

struct detect_table {
	struct detect_rule *rules;	/* in the order they are tried */
	size_t n;
};

/*
 * Reads @file and then @dropin_dir/ *.yaml (missing drop-in directory
 * is fine) into @t, ordered as the top of this file says. Only regular
 * files named *.yaml are read from @dropin_dir; anything else is noted
 * (-v) and never opened. Malformed YAML, unknown keys, a key given
 * twice, a second document, wrong types and a priority out of range are
 * errors printed with file and line. Returns 0 or -errno.
 */
int detect_load(struct detect_table *t, const char *file,
		const char *dropin_dir);
/* Reads one file and appends its rules (not yet ordered). */
int detect_load_file(struct detect_table *t, const char *file);
void detect_release(struct detect_table *t);

/*
 * Whether @rule matches the guest whose root is @rootfd. Missing
 * files or os-release are no match, not errors (for not-os-release, a
 * missing os-release holds, one that cannot be read does not).
 */
bool detect_rule_matches(const struct detect_rule *rule, int rootfd);

struct host;
struct plugins;
struct plugin;

/* What became of a rule that matched a guest. */
enum detect_use {
	DETECT_APPLIED,		/* its backend's exclusions apply */
	DETECT_SAME,		/* a rule before it applied its backend */
	DETECT_NOT_INSTALLED,	/* its backend is not installed */
	DETECT_NOT_RECOGNISED,	/* its backend's probe said no */
	DETECT_UNNEEDED,	/* os-release alone, and a database was found */
	DETECT_OUTRANKED,	/* os-release alone, and an os-release rule
				 * before it applied */
};

/* A rule that matched a guest, or a backend forced on it (rule NULL). */
struct detect_match {
	const struct detect_rule *rule;
	const struct plugin *plugin;	/* DETECT_APPLIED, DETECT_SAME */
	enum detect_use use;
	char *empty;		/* weak evidence: the rule's file that is an
				 * empty file or directory (guest path), or
				 * NULL when a file of it holds something */
};

/*
 * The rules that match the guest @host serves, in the order tried, and
 * what became of each (see the top of this file); probes are asked to
 * confirm. Sets *matches (free with detect_matches_free()) and *n.
 * Returns 0 when some backend applies, -ENOENT when none does (the
 * matches are still set), or another -errno (a plugin was refused, or
 * its probe failed: said already; nothing set).
 */
int detect_choose(const struct detect_table *t, struct plugins *ps,
		  struct host *host, struct detect_match **matches,
		  size_t *n);
void detect_matches_free(struct detect_match *v, size_t n);

/*
 * Reports every rule of @t whose backend is not installed in @ps, with
 * file and line, as a warning. Loads no plugin.
 */
void detect_check_installed(const struct detect_table *t,
			    const struct plugins *ps);

#endif

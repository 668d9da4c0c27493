/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_CLI_H
#define VHASHIFY_CLI_H

/* The command line: options into struct options. */

#include <stdbool.h>
#include <sys/types.h>

#include "hash.h"
#include "method.h"

/* Exit status of the program, as documented in --help. */
enum {
	EXIT_OK = 0,		/* everything went well */
	EXIT_FAILED = 1,	/* some files failed, the rest was done */
	EXIT_USAGE = 2,		/* usage or configuration error, no change */
};

/* What a run does: one mode per run, chosen by an option, so that an
 * action is never taken for a guest name. */
enum mode {
	MODE_HASHIFY,		/* the main job */
	MODE_DETECT,		/* --detect */
	MODE_LIST_BACKENDS,	/* --list-backends */
	MODE_LIST_GUESTS,	/* --list-guests */
	MODE_GC,		/* --gc */
	MODE_VERIFY,		/* --verify */
	MODE_STATS,		/* --stats */
	MODE_RESTORE,		/* --restore */
	MODE_MIGRATE_FLAGS,	/* --migrate-flags */
	MODE_ADOPT,		/* --adopt-store */
};

struct options {
	char **guests;		/* guest roots, from argv */
	int n_guests;
	const char **stores;	/* --store, in order given */
	int n_stores;
	bool dry_run;
	unsigned int jobs;	/* guests at once; 0: one per CPU */
	bool refresh;
	bool ignore_mtime;
	int verbose;
	off_t min_size;
	unsigned int lock_timeout;	/* --lock-timeout, in seconds */
	bool lock_timeout_set;	/* --lock-timeout given */
	enum link_method method;
	bool method_set;	/* --method given */
	enum hash_method hash;	/* for new stores */
	bool hash_set;		/* --hash given: existing stores must match */
	const char *sysconfdir;	/* vhashify.yaml, exclude, detect.yaml,
				 * detect.d: VHASHIFY_CONFIG_DIR or the
				 * configured one */
	const char *pkgmgr;	/* --pkgmgr: NULL for auto, "none", a name */
	const char *plugin_dir;	/* --plugin-dir, or NULL */
	const char **exclude_from;	/* --exclude-from files */
	int n_exclude_from;
	enum mode mode;
	const char *config;	/* --config, or NULL for the default */
	bool all;		/* --all: every guest found */
	bool remove_corrupt;	/* --verify --remove-corrupt */
	bool detach_modified;	/* --verify --detach-modified */
	bool json;		/* --json */
	bool min_size_set;	/* --min-size given */
	bool immutable;		/* --immutable: objects get chattr +i */
	bool quiet;		/* --quiet: no progress */
	bool force_guest;	/* --force-guest: / or a guest holding a
				 * store may be a guest */
	bool clear_flags;	/* --migrate-flags=clear */
	const char *adopt_dir;	/* --adopt-store DIR */
	bool remove_adopted;	/* --remove-adopted */
	const char *manual_list;	/* --manually: util-vserver's exclude
					 * list for the one guest path */
};

/*
 * Parses argv into @o. Returns -1 to go on, or an exit status to exit
 * with at once (after --help, --version or a usage error, which it
 * reports).
 */
int cli_parse(int argc, char **argv, struct options *o);

/* Parses a size: "123", "4K", "16M", "1G" (powers of 1024). Returns 0
 * or -EINVAL. */
int parse_size(const char *s, off_t *out);

/* The longest --lock-timeout (lock-timeout:), a year, in seconds. */
#define LOCK_TIMEOUT_MAX (86400u * 365)

/*
 * Parses a number of seconds for --lock-timeout: digits only, at most
 * LOCK_TIMEOUT_MAX. Returns 0 or -EINVAL.
 */
int parse_seconds(const char *s, unsigned int *out);
void cli_release(struct options *o);

#endif

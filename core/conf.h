/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_CONF_H
#define VHASHIFY_CONF_H

/*
 * The configuration file, vhashify.yaml(5): defaults for the command
 * line, where guests live, and settings per guest. Every key is
 * documented in the shipped etc/vhashify.yaml.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hash.h"
#include "method.h"

/* One backend option of vhashify.yaml (backend-options:). */
struct backend_option {
	char *backend;
	char *name;
	char *value;
	unsigned long line;	/* where it is set, from 1 */
};

struct guest_conf {
	char *name;
	char *backend;		/* NULL: the detection table decides */
	char **exclude_lists;	/* NULL-terminated, or NULL */
	char **share_config;	/* patterns, NULL-terminated, or NULL */
	struct backend_option *options;	/* over the global ones */
	size_t n_options;
	char *group;		/* trust group (store_valid_group), NULL:
				 * the default group */
};

struct conf {
	char *file;		/* where it was read; NULL when none was */
	char **stores;		/* NULL-terminated, or NULL */
	char **guest_paths;	/* templates with "{name}", or NULL */
	char *vservers;		/* util-vserver's configuration tree, or NULL
				 * for /etc/vservers */
	bool has_hash, has_min_size, has_ignore_mtime, has_method;
	bool has_lock_timeout;
	unsigned int lock_timeout;	/* lock-timeout:, in seconds */
	/*
	 * exclusions-limit: what the package backends of one guest may
	 * make a run hold, in bytes (see exclusions.h); 0 when not set.
	 */
	size_t exclusions_limit;
	enum link_method method;
	enum hash_method hash;
	off_t min_size;
	bool ignore_mtime;
	char **exclude_lists;	/* for every guest, or NULL */
	/*
	 * Patterns of files a package backend names as configuration
	 * files that are shared all the same (share-config:), for every
	 * guest, or NULL. No "+" of an exclude list can do that.
	 */
	char **share_config;
	struct guest_conf *guests;
	size_t n_guests;
	struct backend_option *options;	/* backend-options: of all */
	size_t n_options;
};

/* The guest search templates used when the file sets none. */
extern const char *const conf_default_guest_paths[];

/*
 * Reads @file into @c. A missing file is fine unless @must_exist.
 * Malformed YAML, unknown keys, wrong types and bad values are errors
 * printed with file and line. Returns 0 or -errno.
 */
int conf_load(struct conf *c, const char *file, bool must_exist);
void conf_release(struct conf *c);

/* The settings of guest @name, or NULL. */
const struct guest_conf *conf_guest(const struct conf *c, const char *name);

struct matcher;
/*
 * Adds the share-config patterns of @c and then of @gc (NULL for none)
 * to @m as include rules; the caller makes them protected, before the
 * backends' exclusions, so that they override those alone. Returns 0
 * or -ENOMEM.
 */
int conf_add_share_config(const struct conf *c, const struct guest_conf *gc,
			  struct matcher *m);

/*
 * The value of option @name of backend @backend for the guest of
 * settings @gc (NULL for none): the guest's own, else the global one,
 * else NULL.
 */
const char *conf_option(const struct conf *c, const struct guest_conf *gc,
			const char *backend, const char *name);

struct plugins;
/*
 * Checks every backend option of @c against the options its backend
 * declares (loading the plugins named): an option the backend does not
 * know is an error, naming the file and line; a backend that is not
 * installed is a warning (its options are unused). Returns 0 or -errno
 * (said).
 */
int conf_check_options(const struct conf *c, struct plugins *ps);

/* Whether @name may name a guest: no '/', not "." or "..", no '-' first. */
bool conf_valid_name(const char *name);

#endif

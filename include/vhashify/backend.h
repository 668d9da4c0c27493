/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VHASHIFY_BACKEND_H
#define VHASHIFY_BACKEND_H

/*
 * vhashify backend plugins: the ABI between vhashify (the host) and a
 * plugin that knows one kind of guest (a package manager, an exclude
 * list format). This header is all a plugin needs: it calls no host
 * symbols, and the host calls the plugin only through the descriptor.
 *
 * A plugin is a shared object in the plugin directory that exports one
 * symbol, vhashify_backend_v1, a function returning a pointer to a
 * static const struct vhashify_backend:
 *
 *	static const struct vhashify_backend backend = {
 *		.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
 *		.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
 *		.struct_size = sizeof(struct vhashify_backend),
 *		.name = "apk",
 *		.description = "Alpine apk database",
 *		.probe = apk_probe,
 *		.list_exclusions = apk_list_exclusions,
 *	};
 *
 *	const struct vhashify_backend *vhashify_backend_v1(void)
 *	{
 *		return &backend;
 *	}
 *
 * Rules for plugins:
 *  - Return 0 or a negative errno; never exit, never print: use the
 *    host's log() for messages.
 *  - Only read the guest, and only through the host's open_in_guest()
 *    or the guest root fd with care: a guest is untrusted, its absolute
 *    symlinks must not lead to host files.
 *  - Memory the plugin allocates, the plugin frees. Strings passed to
 *    the emit callback are borrowed for that call only: the host copies
 *    what it keeps.
 *  - Calls for different guests may happen one after another in one
 *    process; keep no state between calls other than constant data.
 *
 * Versioning: a new optional slot appended at the end is a new minor
 * version; the host checks struct_size before using a slot, and a NULL
 * slot means "not provided". Any other change is a new major version
 * and a new entry symbol (vhashify_backend_v2), so that an old host
 * never loads a new plugin by mistake. The host refuses a plugin of
 * another major or of a newer minor than it knows.
 *
 * ABI changelog:
 *   1.0  first version: probe, list_exclusions; host: log,
 *        open_in_guest, guest_fd, guest_root, exclude_lists
 */

#include <stdarg.h>
#include <stddef.h>

#define VHASHIFY_BACKEND_ABI_MAJOR 1
#define VHASHIFY_BACKEND_ABI_MINOR 0

/* The name of the entry symbol for the current major version. */
#define VHASHIFY_BACKEND_SYMBOL "vhashify_backend_v1"

#if defined(__GNUC__)
#define VHASHIFY_BACKEND_EXPORT __attribute__((visibility("default")))
#else
#define VHASHIFY_BACKEND_EXPORT
#endif

/* Levels of host log messages. */
enum vhashify_log_level {
	VHASHIFY_LOG_ERROR,	/* the plugin's work for this guest failed */
	VHASHIFY_LOG_WARNING,	/* something looks wrong, work goes on */
	VHASHIFY_LOG_INFO,	/* shown with -v */
	VHASHIFY_LOG_DEBUG,	/* shown with -vv */
};

/* Flags of one emitted exclusion. */
#define VHASHIFY_EMIT_GLOB	0x1	/* a pattern (see vhashify(8)), not
					 * a literal path */
#define VHASHIFY_EMIT_INCLUDE	0x2	/* a "+" rule: share it after all */

/*
 * Receives one exclusion: a guest-absolute path ("/etc/passwd") or,
 * with VHASHIFY_EMIT_GLOB, a pattern ("/etc/[!.]*.conf"). Returns 0 or
 * a negative errno, which the plugin should pass back up.
 */
typedef int (*vhashify_emit_fn)(void *ctx, const char *path,
				unsigned int flags);

/*
 * What the host lends a plugin for one guest. Read-only to the plugin.
 * struct_size tells which slots exist: test it (with
 * VHASHIFY_HOST_HAS) before using a slot added after 1.0.
 */
struct vhashify_host {
	unsigned int abi_major;
	unsigned int abi_minor;
	size_t struct_size;

	/* 1.0 */
	/* Logs a message (lower case, no full stop, no newline). */
	void (*log)(const struct vhashify_host *host,
		    enum vhashify_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	/*
	 * Opens @path, guest-absolute or relative to the guest root,
	 * resolving every component inside the guest: ".." stops at the
	 * root and absolute symlinks start again at the guest root.
	 * @flags are open(2) flags; O_CREAT and writing are refused.
	 * Only a regular file is opened (with O_DIRECTORY a directory;
	 * O_PATH opens nothing): anything else, such as a FIFO or device
	 * node a guest planted, is -ENXIO ("not a regular file") and is
	 * never opened. Files below an fd it returned are the plugin's
	 * to open with the same care (O_PATH, fstat, then reopen).
	 * Returns an fd the plugin closes, or a negative errno.
	 */
	int (*open_in_guest)(const struct vhashify_host *host,
			     const char *path, int flags);
	/* The guest root directory, an O_PATH-like fd: do not close. */
	int guest_fd;
	/* The guest root as the administrator named it, for messages. */
	const char *guest_root;
	/*
	 * Host files of exclude lists that apply to this guest, a NULL-
	 * terminated array: the default list, per-guest lists and
	 * --exclude-from files. Used by the exclude-file plugin.
	 */
	const char *const *exclude_lists;

	/* the host's private data: not for plugins */
	void *host_private;
};

/* Whether @host has the slot @member (for slots after 1.0). */
#define VHASHIFY_HOST_HAS(host, member)					\
	((host)->struct_size >= offsetof(struct vhashify_host, member) + \
	 sizeof((host)->member))

/* A backend, as described by its plugin. */
struct vhashify_backend {
	unsigned int abi_major;	/* VHASHIFY_BACKEND_ABI_MAJOR */
	unsigned int abi_minor;	/* VHASHIFY_BACKEND_ABI_MINOR */
	size_t struct_size;	/* sizeof(struct vhashify_backend) */
	const char *name;	/* short, lower case: "dpkg"; detect rules
				 * and --pkgmgr use it */
	const char *description;	/* one line for --list-backends */

	/* 1.0 */
	/*
	 * Optional. Whether the guest looks like one this backend knows
	 * (its database is there): 1 yes, 0 no, or a negative errno.
	 * The detection table decides first; probe confirms its choice.
	 */
	int (*probe)(const struct vhashify_host *host);
	/*
	 * Emits every path of the guest that must never be shared (its
	 * configuration files, its own database) through @emit. A database
	 * that exists but cannot be read is an error (a negative errno and
	 * a log message naming the file): the host then leaves the guest
	 * alone rather than share configuration files.
	 */
	int (*list_exclusions)(const struct vhashify_host *host,
			       vhashify_emit_fn emit, void *ctx);
};

/* The entry point every plugin exports, for ABI major version 1. */
typedef const struct vhashify_backend *(*vhashify_backend_v1_fn)(void);
VHASHIFY_BACKEND_EXPORT const struct vhashify_backend *
vhashify_backend_v1(void);

#endif

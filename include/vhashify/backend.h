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
 *  - The file name must be the backend's name and ".so" ("apk.so" for
 *    name "apk"): the host loads a backend by name and refuses a plugin
 *    that calls itself otherwise.
 *  - Only read the guest, and only through the host's services
 *    (open_in_guest(), read_file(), list_dir(), read_link()) or the
 *    guest root fd with care: a guest is untrusted, its absolute
 *    symlinks must not lead to host files.
 *  - Memory the plugin allocates, the plugin frees (with free() for
 *    what the host's services hand over). Strings passed to the emit
 *    callback are borrowed for that call only: the host copies what it
 *    keeps.
 *  - Calls for different guests may happen one after another in one
 *    process; keep no state between calls other than constant data.
 *    The host never calls plugins from two threads at once (the calls
 *    for each guest come from the thread that works on it, one guest
 *    at a time, under one lock): a plugin needs no locks of its own.
 *
 * What the host makes of the exclusions: a rule covers the path it
 * names and everything below it, so a literal directory emitted
 * ("/etc/apk") keeps out every file under it, whatever its name, at
 * any depth. For each path the first rule that matches decides, in
 * this order: the administrator's share-config patterns
 * (vhashify.yaml(5)), which alone can share what a backend named; the
 * package backends' rules (every backend that applies to the guest, in
 * the order the detection chose them, each in its emit order); then
 * the exclude lists (the exclude-file backend), in order: the default
 * list, vhashify.yaml's exclude-lists, the guest's own, --exclude-from.
 * So an include (VHASHIFY_EMIT_INCLUDE) of a backend undoes only a
 * broader exclusion it emits after it (or one of a later backend, or
 * of the lists), and no "+" line of an exclude list can share a file a
 * backend named.
 *
 * Glob syntax (VHASHIFY_EMIT_GLOB; see also vhashify(8)):
 *   *      any run of characters within one path component
 *   **     any run across components; "/" "**" "/" also matches "/"
 *   ?      one character other than '/'
 *   [...]  one character of the class other than '/': ranges "a-z",
 *          "]" first is literal, "[!...]" or "[^...]" negates
 *   \c     the character c literally (also inside a class)
 * A pattern is guest-absolute; "." and empty components are dropped, a
 * ".." component, an unclosed '[' or a trailing '\' is refused (-EINVAL
 * from emit). A literal path may hold any of these characters: emit it
 * without VHASHIFY_EMIT_GLOB, or escape it with the host's
 * glob_escape() to put it in a pattern.
 *
 * Versioning: a new optional slot appended at the end is a new minor
 * version; the host checks struct_size before using a slot, and a NULL
 * slot means "not provided". Any other change is a new major version
 * and a new entry symbol (vhashify_backend_v2), so that an old host
 * never loads a new plugin by mistake. The host refuses a plugin of
 * another major or of a newer minor than it knows.
 *
 * A plugin built for 1.1 that must also run on a 1.0 host tests each
 * host slot with VHASHIFY_HOST_HAS(); the in-tree plugins, shipped with
 * the host, need 1.1. A 1.0 plugin keeps working on a 1.1 host.
 *
 * ABI changelog:
 *   1.0  first version: probe, list_exclusions; host: log,
 *        open_in_guest, guest_fd, guest_root, exclude_lists
 *   1.1  backend: version, options; host: option, reason, read_file,
 *        list_dir, read_link, glob_escape
 */

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define VHASHIFY_BACKEND_ABI_MAJOR 1
#define VHASHIFY_BACKEND_ABI_MINOR 1

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
	 * A ".." is resolved where the path has led so far, symlinks
	 * followed: "/etc/link/.." where /etc/link leads to /usr/lib is
	 * /usr, not /etc (and never above the guest root).
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

	/* 1.1: test with VHASHIFY_HOST_HAS() before use */
	/*
	 * The value of the backend's option @name from vhashify.yaml
	 * (backend-options:, the guest's over the global ones), or NULL
	 * when it is not set. @name should be one of the descriptor's
	 * options. The string is the host's, valid during the call.
	 */
	const char *(*option)(const struct vhashify_host *host,
			      const char *name);
	/*
	 * Inside list_exclusions(): the reason of the exclusions emitted
	 * from now on, until the next call ("conffile of package foo",
	 * "CONFIG_PROTECT from /etc/env.d/90kde"), shown by vhashify -vv
	 * for the files they keep private. Guest text in it is escaped
	 * when shown. The host keeps each distinct reason once: set it
	 * per package or per source file, not per path. NULL is no
	 * reason. Returns 0 or a negative errno (-EINVAL outside
	 * list_exclusions).
	 */
	int (*reason)(const struct vhashify_host *host, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	/*
	 * Reads the whole guest file @path, resolved as open_in_guest()
	 * does, into a new NUL-terminated buffer *@buf (the plugin frees
	 * it) of *@len bytes, the NUL not counted. Anything but a regular
	 * file is -ENXIO and never opened; a file of more than @max bytes
	 * is -EFBIG (a guest may plant a huge one). Logs nothing. Returns
	 * 0 or a negative errno.
	 */
	int (*read_file)(const struct vhashify_host *host, const char *path,
			 size_t max, char **buf, size_t *len);
	/*
	 * Lists the guest directory @path, resolved as open_in_guest()
	 * does: *@names is a new NULL-terminated array of its entries
	 * but "." and "..", in strcmp() order, to free with one free()
	 * (the strings live in the same block); *@n their number. More
	 * than @max entries is -EFBIG. Logs nothing. Returns 0 or a
	 * negative errno (-ENOTDIR for a non-directory).
	 */
	int (*list_dir)(const struct vhashify_host *host, const char *path,
			size_t max, char ***names, size_t *n);
	/*
	 * Reads the guest symlink @path (its directory resolved as
	 * open_in_guest() does, the link itself not followed) into @buf
	 * of @size bytes, NUL-terminated. Returns the target's length,
	 * -EINVAL when @path is not a symlink, -ENAMETOOLONG when the
	 * target does not fit, or another negative errno. The target is
	 * guest text: resolve it with open_in_guest(), never on the host.
	 */
	ssize_t (*read_link)(const struct vhashify_host *host,
			     const char *path, char *buf, size_t size);
	/*
	 * Writes @path with every glob character ('*', '?', '[', '\')
	 * escaped into @buf of @size bytes, NUL-terminated, so that it
	 * matches itself alone inside a pattern ("/etc/a[1]" gives
	 * "/etc/a\[1]"). Returns the length it needs without the NUL, as
	 * snprintf() does: the result is whole when that is below @size.
	 */
	size_t (*glob_escape)(const struct vhashify_host *host,
			      const char *path, char *buf, size_t size);
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

	/* 1.1: the host reads these only when struct_size covers them */
	/* Optional. The plugin's own version ("2.3"), shown by
	 * --list-backends. */
	const char *version;
	/*
	 * Optional. The names of the options the plugin reads with the
	 * host's option(), NULL-terminated: an option vhashify.yaml sets
	 * for this backend that is not here is an error naming the file
	 * and line, before any guest is touched.
	 */
	const char *const *options;
};

/* The size of a 1.0 descriptor: the host refuses a smaller one. */
#define VHASHIFY_BACKEND_SIZE_1_0					\
	(offsetof(struct vhashify_backend, list_exclusions) +		\
	 sizeof(void (*)(void)))

/* Whether descriptor @b has the slot @member (for slots after 1.0). */
#define VHASHIFY_BACKEND_HAS(b, member)					\
	((b)->struct_size >= offsetof(struct vhashify_backend, member) + \
	 sizeof((b)->member))

/* The entry point every plugin exports, for ABI major version 1. */
typedef const struct vhashify_backend *(*vhashify_backend_v1_fn)(void);
VHASHIFY_BACKEND_EXPORT const struct vhashify_backend *
vhashify_backend_v1(void);

#endif

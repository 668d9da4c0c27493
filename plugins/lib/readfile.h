/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PLUGIN_READFILE_H
#define VHASHIFY_PLUGIN_READFILE_H

/*
 * Reading a whole guest file, for plugins (compiled into each plugin
 * that uses it: plugins call no host symbols).
 */

#include <stddef.h>

#include <vhashify/backend.h>

/*
 * Reads the guest file @path (resolved inside the guest) into a new
 * NUL-terminated buffer. A file larger than @max bytes is an error
 * (-EFBIG): a guest may plant a huge file. Anything but a regular
 * file is refused unopened (-ENXIO). Errors other than -ENOENT are
 * logged with the path. Returns 0 or -errno.
 */
int read_guest_file(const struct vhashify_host *host, const char *path,
		    size_t max, char **buf, size_t *len);

/* The same for a file below the open directory @dirfd, never following
 * a symlink in @name (a single component). */
int read_file_at(const struct vhashify_host *host, int dirfd,
		 const char *name, const char *what, size_t max, char **buf,
		 size_t *len);

#endif

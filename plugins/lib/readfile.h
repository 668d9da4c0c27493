/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PLUGIN_READFILE_H
#define VHASHIFY_PLUGIN_READFILE_H

/*
 * Reading a whole guest file, for plugins, through the host's
 * read_file() (ABI 1.1), with the messages the plugins share.
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

/* Receives one line (without "\n" or "\r\n"); returns 0 or -errno. */
typedef int (*read_line_fn)(void *ctx, const char *line, size_t n);

/*
 * Reads the guest file @path as read_guest_file() does, but a piece at
 * a time, calling @fn for each line: the memory it takes is that of
 * its longest line (at least a piece), not of the file, so that a huge
 * database costs no more than a small one to read. A NUL byte is
 * passed on as it is. Returns 0, what @fn returned, or -errno.
 */
int read_guest_lines(const struct vhashify_host *host, const char *path,
		     size_t max, read_line_fn fn, void *ctx);

#endif

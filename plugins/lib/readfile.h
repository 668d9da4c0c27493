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

#endif

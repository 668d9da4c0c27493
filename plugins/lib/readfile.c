// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a whole guest file, for plugins; see readfile.h. */
#include <errno.h>
#include <string.h>

#include "readfile.h"

int read_guest_file(const struct vhashify_host *host, const char *path,
		    size_t max, char **buf, size_t *len)
{
	int ret = host->read_file(host, path, max, buf, len);

	if (ret == -ENXIO)
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': not a regular file", path);
	else if (ret == -EFBIG)
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': larger than %zu bytes", path, max);
	else if (ret && ret != -ENOENT)
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  path, strerror(-ret));
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An example vhashify backend: Alpine's apk database.
 *
 * lib/apk/db/installed holds one record per package, fields one per
 * line: "P:" the package name, "F:" a directory (relative to the root)
 * and after it "R:" the files in that directory. apk protects what is
 * under etc/ as configuration, so those files are emitted, with the
 * leftovers apk writes beside them (*.apk-new) and the database itself.
 *
 * Build it against an installed vhashify with the Makefile beside it:
 * it needs nothing but <vhashify/backend.h>, found through pkg-config.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vhashify/backend.h>

#define DB "/lib/apk/db/installed"
#define MAX_DB (64u << 20)

/* Reads the whole database; the host resolves the path in the guest. */
static int read_db(const struct vhashify_host *host, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	ssize_t r;
	char *b = malloc(cap + 1), *nb;
	int fd = host->open_in_guest(host, DB, O_RDONLY | O_NONBLOCK);

	if (fd < 0 || !b) {
		free(b);
		if (fd >= 0)
			close(fd);
		host->log(host, VHASHIFY_LOG_ERROR, "cannot open '" DB "': %s",
			  strerror(fd < 0 ? -fd : ENOMEM));
		return fd < 0 ? fd : -ENOMEM;
	}
	while ((r = read(fd, b + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			if (cap >= MAX_DB || !(nb = realloc(b, 2 * cap + 1))) {
				close(fd);
				free(b);
				return -EFBIG;
			}
			b = nb;
			cap *= 2;
		}
	}
	close(fd);
	if (r < 0) {
		free(b);
		return -EIO;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int apk_list(const struct vhashify_host *host, vhashify_emit_fn emit,
		    void *ctx)
{
	char *buf, *line, *save, dir[4096] = "", path[8192];
	size_t len, packages = 0, configs = 0;
	int ret;

	ret = emit(ctx, "/lib/apk/db", 0);
	if (!ret)
		ret = emit(ctx, "/etc/**/*.apk-new", VHASHIFY_EMIT_GLOB);
	if (!ret)
		ret = read_db(host, &buf, &len);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "P:", 2)) {
			packages++;
			dir[0] = '\0';
		} else if (!strncmp(line, "F:", 2)) {
			snprintf(dir, sizeof(dir), "%s", line + 2);
		} else if (!strncmp(line, "R:", 2) &&
			   (!strcmp(dir, "etc") || !strncmp(dir, "etc/", 4))) {
			snprintf(path, sizeof(path), "/%s/%s", dir, line + 2);
			configs++;
			ret = emit(ctx, path, 0);
		}
	}
	free(buf);
	host->log(host, VHASHIFY_LOG_DEBUG, "%zu packages, %zu files in /etc",
		  packages, configs);
	return ret;
}

static const struct vhashify_backend backend = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "apk",
	.description = "apk database of Alpine guests (example)",
	.list_exclusions = apk_list,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

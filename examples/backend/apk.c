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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vhashify/backend.h>

#define DB "/lib/apk/db/installed"
#define MAX_DB (64u << 20)

static const char *const options[] = { "db", NULL };

/*
 * Reads the whole database: the host resolves the path inside the guest
 * and refuses anything but a regular file (ABI 1.1). Option "db" of
 * vhashify.yaml's backend-options moves it.
 */
static int read_db(const struct vhashify_host *host, char **buf, size_t *len)
{
	const char *db = host->option(host, "db");
	int ret;

	if (!db)
		db = DB;
	ret = host->read_file(host, db, MAX_DB, buf, len);
	if (ret)
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s", db,
			  ret == -ENXIO ? "not a regular file" :
			  strerror(-ret));
	return ret;
}

static int apk_list(const struct vhashify_host *host, vhashify_emit_fn emit,
		    void *ctx)
{
	char *buf, *line, *save, dir[4096] = "", path[8192];
	size_t len, packages = 0, configs = 0;
	int ret;

	/* a 1.1 host lends what this plugin uses; a 1.0 host does not */
	if (!VHASHIFY_HOST_HAS(host, read_file))
		return -ENOTSUP;
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
			/* shown by vhashify -vv for the files that follow */
			ret = host->reason(host, "file in /etc of package %s",
					   line + 2);
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
	.version = "1.1",
	.options = options,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

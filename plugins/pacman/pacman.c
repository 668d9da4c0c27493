// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pacman backend: configuration files of Arch and derived guests,
 * read offline from the guest's local database, a small text format
 * (libalpm would pull in dozens of libraries and create a database where
 * none is).
 *
 * DBPath comes from the guest's etc/pacman.conf (default
 * /var/lib/pacman/); DBPATH/local/NAME-VER-REL/files lists each
 * package's backup files in its %BACKUP% section. The *.pacnew,
 * *.pacsave and *.pacorig leftovers and the database itself are
 * configuration by nature.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vhashify/backend.h>

#include "files.h"
#include "readfile.h"

#define DEFAULT_DBPATH "/var/lib/pacman/"
#define MAX_FILE_SIZE (64u << 20)
#define MAX_PACKAGES 1000000

static const char *const by_nature[] = {
	"/**/*.pacnew", "/**/*.pacsave", "/**/*.pacorig",
};

struct backup {
	vhashify_emit_fn emit;
	void *ctx;
	size_t count;
};

static int add_backup(void *arg, const char *path)
{
	struct backup *b = arg;

	b->count++;
	return b->emit(b->ctx, path, 0);
}

/* The guest's DBPath: from its pacman.conf, else the default. */
static char *db_path(const struct vhashify_host *host)
{
	char *buf, *dbpath = NULL;
	size_t len;

	if (!read_guest_file(host, "/etc/pacman.conf", MAX_FILE_SIZE, &buf,
			     &len)) {
		dbpath = pacman_parse_dbpath(buf, len);
		free(buf);
	}
	return dbpath ? dbpath : strdup(DEFAULT_DBPATH);
}

/* DBPATH/local, the guest path of the local database, into @what. */
static void local_path(const char *dbpath, char *what, size_t size)
{
	snprintf(what, size, "%s%slocal", dbpath,
		 dbpath[strlen(dbpath) - 1] == '/' ? "" : "/");
}

/* Opens DBPATH/local inside the guest. */
static int open_local(const struct vhashify_host *host, const char *dbpath,
		      char *what, size_t size)
{
	local_path(dbpath, what, size);
	return host->open_in_guest(host, what, O_RDONLY | O_DIRECTORY);
}

/* Reads every package's files of the local database @local. */
static int read_local(const struct vhashify_host *host, const char *local,
		      struct backup *b)
{
	size_t packages = 0, bad = 0, n, len, count, i;
	char **names, *what, *buf;
	int ret;

	ret = host->list_dir(host, local, MAX_PACKAGES, &names, &count);
	if (ret) {
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  local, ret == -EFBIG ? "too many packages" :
			  strerror(-ret));
		return ret;
	}
	for (i = 0; !ret && i < count; i++) {
		if (names[i][0] == '.')
			continue;
		if (asprintf(&what, "%s/%s/files", local, names[i]) < 0) {
			ret = -ENOMEM;
			break;
		}
		/* each package is a directory: ALPM_DB_VERSION is not */
		ret = read_guest_file(host, what, MAX_FILE_SIZE, &buf, &len);
		if (ret == -ENOENT)
			host->log(host, VHASHIFY_LOG_WARNING,
				  "'%s' is missing", what);
		free(what);
		if (ret == -ENOENT || ret == -ENOTDIR) {
			ret = 0;
			continue;
		}
		if (!ret)
			ret = host->reason(host, "backup file of package %s",
					   names[i]);
		if (ret)
			break;
		packages++;
		ret = pacman_parse_backup(buf, len, add_backup, b, &n);
		bad += n;
		free(buf);
	}
	free(names);
	if (ret)
		return ret;
	if (bad)
		host->log(host, VHASHIFY_LOG_WARNING, "'%s': %zu backup "
			  "entries not understood", local, bad);
	if (packages && !b->count)
		host->log(host, VHASHIFY_LOG_WARNING, "'%s' lists %zu packages "
			  "but no configuration file: is it intact?", local,
			  packages);
	host->log(host, VHASHIFY_LOG_DEBUG, "%zu packages, %zu configuration "
		  "files", packages, b->count);
	return 0;
}

static int pacman_probe(const struct vhashify_host *host)
{
	char *dbpath = db_path(host), what[4096];
	int fd;

	if (!dbpath)
		return -ENOMEM;
	fd = open_local(host, dbpath, what, sizeof(what));
	free(dbpath);
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

static int pacman_list(const struct vhashify_host *host,
		       vhashify_emit_fn emit, void *ctx)
{
	struct backup b = { .emit = emit, .ctx = ctx };
	char *dbpath = db_path(host), what[4096];
	size_t i;
	int ret;

	if (!dbpath)
		return -ENOMEM;
	ret = host->reason(host, "pacman's database");
	if (!ret)
		ret = emit(ctx, DEFAULT_DBPATH, 0);
	if (!ret && dbpath[0] == '/')
		ret = emit(ctx, dbpath, 0);
	if (!ret)
		ret = host->reason(host, "a leftover beside a backup file");
	for (i = 0; !ret && i < sizeof(by_nature) / sizeof(*by_nature); i++)
		ret = emit(ctx, by_nature[i], VHASHIFY_EMIT_GLOB);
	if (ret)
		goto out;
	local_path(dbpath, what, sizeof(what));
	ret = read_local(host, what, &b);
out:
	free(dbpath);
	return ret;
}

static const struct vhashify_backend backend = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "pacman",
	.description = "pacman local database of Arch and derived guests",
	.probe = pacman_probe,
	.list_exclusions = pacman_list,
	.version = PLUGIN_VERSION,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

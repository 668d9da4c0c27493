// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dpkg backend: configuration files of Debian and derived guests,
 * read offline from the guest's own database.
 *
 * var/lib/dpkg/status lists every package's conffiles, also of packages
 * removed but not purged. A diversion moves a conffile's bytes to
 * another name: that name is kept out too. ucf-managed files, the
 * leftovers dpkg writes beside conffiles (*.dpkg-dist, -old, -new,
 * -bak) and dpkg's own database are configuration by nature.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vhashify/backend.h>

#include "readfile.h"
#include "status.h"

#define STATUS "/var/lib/dpkg/status"
#define DIVERSIONS "/var/lib/dpkg/diversions"
#define UCF_REGISTRY "/var/lib/ucf/registry"
/* far above any real database, far below what would hurt */
#define MAX_DB_SIZE (512u << 20)

static const char *const by_nature[] = {
	"/**/*.dpkg-dist", "/**/*.dpkg-old", "/**/*.dpkg-new",
	"/**/*.dpkg-bak", "/**/*.dpkg-tmp", "/**/*.ucf-dist",
	"/**/*.ucf-old", "/**/*.ucf-new",
};

struct conffiles {
	const struct vhashify_host *host;
	vhashify_emit_fn emit;
	void *ctx;
	char **paths;		/* sorted after the status is read */
	size_t n, cap;
};

static int add_conffile(void *arg, const char *package, const char *path)
{
	struct conffiles *c = arg;
	int ret = c->host->reason(c->host, "conffile of package %s", package);

	if (!ret)
		ret = c->emit(c->ctx, path, 0);
	if (ret)
		return ret;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		char **v = realloc(c->paths, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->paths = v;
		c->cap = cap;
	}
	c->paths[c->n] = strdup(path);
	return c->paths[c->n++] ? 0 : -ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A diverted conffile: its bytes live under the diverted name. */
static int add_diversion(void *arg, const char *from, const char *to)
{
	struct conffiles *c = arg;

	int ret;

	if (!bsearch(&from, c->paths, c->n, sizeof(*c->paths), cmp_str))
		return 0;
	ret = c->host->reason(c->host, "diverted conffile %s", from);
	return ret ? ret : c->emit(c->ctx, to, 0);
}

static int read_status(const struct vhashify_host *host,
		       struct conffiles *c)
{
	size_t len, packages, bad;
	char *buf;
	int ret;

	ret = read_guest_file(host, STATUS, MAX_DB_SIZE, &buf, &len);
	if (ret) {
		if (ret == -ENOENT)
			host->log(host, VHASHIFY_LOG_ERROR,
				  "cannot open '" STATUS "': no such file");
		return ret;
	}
	ret = dpkg_parse_status(buf, len, add_conffile, c, &packages, &bad);
	free(buf);
	if (ret)
		return ret;
	if (bad)
		host->log(host, VHASHIFY_LOG_WARNING,
			  "'" STATUS "': %zu conffile entries not understood",
			  bad);
	if (packages && !c->n)
		host->log(host, VHASHIFY_LOG_WARNING,
			  "'" STATUS "' lists %zu packages but no "
			  "configuration file: is it intact?", packages);
	host->log(host, VHASHIFY_LOG_DEBUG,
		  "%zu packages, %zu configuration files", packages, c->n);
	if (c->n > 1)
		qsort(c->paths, c->n, sizeof(*c->paths), cmp_str);
	return 0;
}

static int read_diversions(const struct vhashify_host *host,
			   struct conffiles *c)
{
	size_t len, bad;
	char *buf;
	int ret;

	ret = read_guest_file(host, DIVERSIONS, MAX_DB_SIZE, &buf, &len);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	ret = dpkg_parse_diversions(buf, len, add_diversion, c, &bad);
	free(buf);
	if (!ret && bad)
		host->log(host, VHASHIFY_LOG_WARNING,
			  "'" DIVERSIONS "': %zu records not understood", bad);
	return ret;
}

/* ucf's registry: "PACKAGE PATH" per line; PATH is configuration. */
static int read_ucf(const struct vhashify_host *host, struct conffiles *c)
{
	char *buf, *line, *save, *path;
	size_t len;
	int ret;

	ret = read_guest_file(host, UCF_REGISTRY, MAX_DB_SIZE, &buf, &len);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	ret = host->reason(host, "in the ucf registry");
	for (line = strtok_r(buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		path = strchr(line, '/');
		if (path && path > line)
			ret = c->emit(c->ctx, path, 0);
	}
	free(buf);
	return ret;
}

static int dpkg_probe(const struct vhashify_host *host)
{
	/* there is enough: reading it is list_exclusions' work */
	int fd = host->open_in_guest(host, STATUS, O_PATH);

	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

static int dpkg_list(const struct vhashify_host *host, vhashify_emit_fn emit,
		     void *ctx)
{
	struct conffiles c = { .host = host, .emit = emit, .ctx = ctx };
	size_t i;
	int ret;

	ret = host->reason(host, "dpkg's database");
	if (!ret)
		ret = emit(ctx, "/var/lib/dpkg", 0);
	if (!ret)
		ret = host->reason(host, "a leftover beside a conffile");
	for (i = 0; !ret && i < sizeof(by_nature) / sizeof(*by_nature); i++)
		ret = emit(ctx, by_nature[i], VHASHIFY_EMIT_GLOB);
	if (!ret)
		ret = host->reason(host, "ucf's database");
	if (!ret)
		ret = emit(ctx, "/var/lib/ucf", 0);
	if (!ret)
		ret = read_status(host, &c);
	if (!ret)
		ret = read_diversions(host, &c);
	if (!ret)
		ret = read_ucf(host, &c);
	for (i = 0; i < c.n; i++)
		free(c.paths[i]);
	free(c.paths);
	return ret;
}

static const struct vhashify_backend backend = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "dpkg",
	.description = "dpkg database of Debian and derived guests",
	.probe = dpkg_probe,
	.list_exclusions = dpkg_list,
	.version = PLUGIN_VERSION,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

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

/* A diversion: the bytes of @from live under @to. */
struct diversion {
	char *from, *to;
};

struct conffiles {
	const struct vhashify_host *host;
	vhashify_emit_fn emit;
	void *ctx;
	size_t n;		/* conffiles seen */
	struct diversion *div;	/* sorted by from, read first */
	size_t n_div, cap_div;
};

static int cmp_div(const void *a, const void *b)
{
	return strcmp(((const struct diversion *)a)->from,
		      ((const struct diversion *)b)->from);
}

/*
 * A conffile, and the name a diversion gives its bytes: the conffiles
 * are not kept, so that the plugin's memory does not grow with them.
 */
static int add_conffile(void *arg, const char *package, const char *path)
{
	struct conffiles *c = arg;
	struct diversion key = { .from = (char *)path }, *d;
	int ret = c->host->reason(c->host, "conffile of package %s", package);

	if (!ret)
		ret = c->emit(c->ctx, path, 0);
	c->n++;
	if (ret || !c->n_div)
		return ret;
	d = bsearch(&key, c->div, c->n_div, sizeof(*d), cmp_div);
	if (!d)
		return 0;
	while (d > c->div && !strcmp(d[-1].from, path))
		d--;	/* a diversions file may list one twice */
	ret = c->host->reason(c->host, "diverted conffile %s", path);
	for (; !ret && d < c->div + c->n_div && !strcmp(d->from, path); d++)
		ret = c->emit(c->ctx, d->to, 0);
	return ret;
}

static int status_line(void *arg, const char *line, size_t n)
{
	return dpkg_status_line(arg, line, n);
}

/* The status, read a piece at a time: it may be huge. */
static int read_status(const struct vhashify_host *host,
		       struct conffiles *c)
{
	struct dpkg_status s = { .fn = add_conffile, .ctx = c };
	int ret;

	ret = read_guest_lines(host, STATUS, MAX_DB_SIZE, status_line, &s);
	dpkg_status_end(&s);
	if (ret) {
		if (ret == -ENOENT)
			host->log(host, VHASHIFY_LOG_ERROR,
				  "cannot open '" STATUS "': no such file");
		return ret;
	}
	if (s.bad)
		host->log(host, VHASHIFY_LOG_WARNING,
			  "'" STATUS "': %zu conffile entries not understood",
			  s.bad);
	if (s.packages && !c->n)
		host->log(host, VHASHIFY_LOG_WARNING,
			  "'" STATUS "' lists %zu packages but no "
			  "configuration file: is it intact?", s.packages);
	host->log(host, VHASHIFY_LOG_DEBUG,
		  "%zu packages, %zu configuration files", s.packages, c->n);
	return 0;
}

static int add_diversion(void *arg, const char *from, const char *to)
{
	struct conffiles *c = arg;
	struct diversion *d;

	if (c->n_div == c->cap_div) {
		size_t cap = c->cap_div ? 2 * c->cap_div : 16;

		d = realloc(c->div, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		c->div = d;
		c->cap_div = cap;
	}
	d = &c->div[c->n_div];
	d->from = strdup(from);
	d->to = strdup(to);
	if (!d->from || !d->to) {
		free(d->from);
		free(d->to);
		return -ENOMEM;
	}
	c->n_div++;
	return 0;
}

/* The diversions, before the status: they are few. */
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
	if (!ret && c->n_div > 1)
		qsort(c->div, c->n_div, sizeof(*c->div), cmp_div);
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
		ret = read_diversions(host, &c);
	if (!ret)
		ret = read_status(host, &c);
	if (!ret)
		ret = read_ucf(host, &c);
	for (i = 0; i < c.n_div; i++) {
		free(c.div[i].from);
		free(c.div[i].to);
	}
	free(c.div);
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

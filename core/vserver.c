// SPDX-License-Identifier: GPL-2.0-or-later
/* util-vserver's configuration tree; see vserver.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "guest.h"
#include "log.h"
#include "vserver.h"

const char *const vserver_default_lists[] = {
	"/usr/share/util-vserver/defaults/vunify-exclude",
	"/usr/lib/util-vserver/defaults/vunify-exclude",
	"/usr/lib64/util-vserver/defaults/vunify-exclude",
	NULL,
};

/* ROOT/NAME/REST as a new string ("" NAME: ROOT/.defaults/REST). */
static char *cfg_path(const char *root, const char *name, const char *rest)
{
	char *p;

	if (asprintf(&p, "%s/%s/%s", root, *name ? name : ".defaults",
		     rest) < 0)
		return NULL;
	return p;
}

static bool cfg_exists(const char *root, const char *name, const char *rest,
		       int mode)
{
	char *p = cfg_path(root, name, rest);
	bool ok = p && !access(p, mode);

	free(p);
	return ok;
}

static bool cfg_is_dir(const char *root, const char *name, const char *rest)
{
	char *p = cfg_path(root, name, rest);
	struct stat st;
	bool ok = p && !stat(p, &st) && S_ISDIR(st.st_mode);

	free(p);
	return ok;
}

bool vserver_is_guest(const char *cfgroot, const char *name,
		      dev_t dev, ino_t ino)
{
	char *p = cfg_path(cfgroot, name, "vdir");
	struct stat st;
	bool ok = p && !stat(p, &st) && st.st_dev == dev && st.st_ino == ino;

	free(p);
	return ok;
}

bool vserver_opted_in(const char *cfgroot, const char *name)
{
	return cfg_is_dir(cfgroot, name, "apps/vunify");
}

const char *vserver_style_backend(const char *style)
{
	static const struct { const char *style, *backend; } map[] = {
		{ "debian", "dpkg" }, { "ubuntu", "dpkg" },
		{ "redhat", "rpm" }, { "fedora", "rpm" },
		{ "centos", "rpm" }, { "suse", "rpm" },
		{ "mandrake", "rpm" }, { "mandriva", "rpm" },
		{ "arch", "pacman" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(style, map[i].style))
			return map[i].backend;
	return NULL;
}

/* The first word of file ROOT/NAME/REST, or NULL. */
static char *read_word(const char *root, const char *name, const char *rest)
{
	char *p = cfg_path(root, name, rest), buf[64] = "";
	FILE *f = p ? fopen(p, "re") : NULL;

	free(p);
	if (!f)
		return NULL;
	if (fscanf(f, "%63s", buf) != 1)
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? strdup(buf) : NULL;
}

/* pkgmgmt-ignore, pkgmgmt-force and the style, in util-vserver's order. */
static int choose_backend(const char *root, struct vserver_guest *vg)
{
	const char *why = NULL, *b = NULL;
	char *style;

	if (cfg_exists(root, vg->name, "apps/vunify/pkgmgmt-ignore", R_OK))
		why = "apps/vunify/pkgmgmt-ignore";
	else if (!cfg_exists(root, vg->name, "apps/vunify/pkgmgmt-force",
			     R_OK) &&
		 cfg_exists(root, "", "apps/vunify/pkgmgmt-ignore", R_OK))
		why = ".defaults/apps/vunify/pkgmgmt-ignore";
	if (why) {
		vg->backend = strdup("none");
		vg->why_backend = strdup(why);
		return vg->backend && vg->why_backend ? 0 : -ENOMEM;
	}
	/* the package manager is used: its style names it, if known */
	style = read_word(root, vg->name, "apps/pkgmgmt/style");
	if (style)
		b = vserver_style_backend(style);
	if (b) {
		vg->backend = strdup(b);
		if (asprintf(&vg->why_backend, "apps/pkgmgmt/style %s",
			     style) < 0)
			vg->why_backend = NULL;
		free(style);
		return vg->backend && vg->why_backend ? 0 : -ENOMEM;
	}
	if (style)
		note(1, "guest '%s': style '%s' names no backend: the "
		     "detection table chooses", qs(vg->name), qs(style));
	free(style);
	return 0;
}

int vserver_guest_load(const char *cfgroot, const char *name,
		       struct vserver_guest **out)
{
	struct vserver_guest *vg = calloc(1, sizeof(*vg));
	char *cand[2] = { NULL, NULL };
	const char *const *d, *shipped;
	int i, ret = -ENOMEM;

	if (!vg || !(vg->name = strdup(name)))
		goto out;
	cand[0] = cfg_path(cfgroot, name, "apps/vunify/exclude");
	cand[1] = cfg_path(cfgroot, "", "apps/vunify/exclude");
	if (!cand[0] || !cand[1])
		goto out;
	/* the first readable list, as util-vserver takes it */
	for (i = 0; i < 2 && !vg->exclude_list; i++)
		if (!access(cand[i], R_OK))
			vg->exclude_list = strdup(cand[i]);
	shipped = getenv("VHASHIFY_VUNIFY_EXCLUDE");
	if (shipped && *shipped) {
		/* for tests and packagers: the shipped list is here */
		if (!vg->exclude_list && !access(shipped, R_OK))
			vg->exclude_list = strdup(shipped);
	} else {
		for (d = vserver_default_lists; !vg->exclude_list && *d; d++)
			if (!access(*d, R_OK))
				vg->exclude_list = strdup(*d);
	}
	if (vg->exclude_list) {
		ret = vexclude_load(vg->exclude_list, &vg->excludes);
		if (ret)
			goto out;
	}
	ret = choose_backend(cfgroot, vg);
out:
	free(cand[0]);
	free(cand[1]);
	if (ret) {
		vserver_guest_free(vg);
		return ret;
	}
	*out = vg;
	return 0;
}

void vserver_guest_free(struct vserver_guest *vg)
{
	if (!vg)
		return;
	vexclude_free(vg->excludes);
	free(vg->name);
	free(vg->exclude_list);
	free(vg->backend);
	free(vg->why_backend);
	free(vg);
}

char *vserver_hash_dir(const char *cfgroot, const char *name)
{
	const char *names[] = { name, "" };
	int i;

	for (i = 0; i < 2; i++)
		if (cfg_is_dir(cfgroot, names[i], "apps/vunify/hash"))
			return cfg_path(cfgroot, names[i], "apps/vunify/hash");
	return NULL;
}

int vserver_guest_setup(const char *cfgroot, struct guest *g, bool named)
{
	char *appdir;
	int ret;

	if (!g->name ||
	    !vserver_is_guest(cfgroot, g->name, g->st.st_dev, g->st.st_ino))
		return 0;
	if (!vserver_opted_in(cfgroot, g->name)) {
		appdir = cfg_path(cfgroot, g->name, "apps/vunify");
		if (named)
			error("guest '%s' has not opted in to unification: "
			      "'%s' is not a directory", qs(g->name),
			      qs(appdir ? appdir : "apps/vunify"));
		else
			note(1, "guest '%s' left out: no '%s'", qs(g->name),
			     qs(appdir ? appdir : "apps/vunify"));
		free(appdir);
		return named ? -EPERM : 1;
	}
	ret = vserver_guest_load(cfgroot, g->name, &g->vserver);
	if (ret)
		return ret;
	note(1, "guest '%s': util-vserver guest, exclude list '%s'%s%s",
	     qs(g->name), g->vserver->exclude_list ?
	     qs(g->vserver->exclude_list) : "(none: the default list)",
	     g->vserver->why_backend ? ", backend from " : "",
	     g->vserver->why_backend ? qs(g->vserver->why_backend) : "");
	return 0;
}

char **vserver_guest_paths(const char *cfgroot,
			   const char *const *templates)
{
	size_t n, i;
	char **out;

	for (n = 0; templates[n]; n++)
		;
	out = calloc(n + 1, sizeof(*out));
	for (i = 0; out && i < n; i++) {
		if (!strcmp(templates[i], VSERVER_ROOT "/{name}/vdir")) {
			if (asprintf(&out[i], "%s/{name}/vdir", cfgroot) < 0)
				out[i] = NULL;
		} else {
			out[i] = strdup(templates[i]);
		}
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			return NULL;
		}
	}
	return out;
}

int vserver_manual_setup(struct guest *g, const char *list)
{
	struct vserver_guest *vg = calloc(1, sizeof(*vg));
	int ret;

	if (!vg || !(vg->name = strdup(g->path)) ||
	    !(vg->exclude_list = strdup(list))) {
		vserver_guest_free(vg);
		return -ENOMEM;
	}
	ret = vexclude_load(list, &vg->excludes);
	if (ret) {
		vserver_guest_free(vg);
		return ret;
	}
	g->vserver = vg;
	return 0;
}

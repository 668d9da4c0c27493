// SPDX-License-Identifier: GPL-2.0-or-later
/* The backend plugin loader; see plugin.h. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "plugin.h"

const char *plugins_default_dir(const char *dir)
{
	const char *env = getenv("VHASHIFY_PLUGIN_DIR");

	if (dir)
		return dir;
	if (env && *env)
		return env;
	return PLUGINDIR;
}

int plugins_init(struct plugins *ps, const char *dir)
{
	memset(ps, 0, sizeof(*ps));
	ps->dir = strdup(dir);
	return ps->dir ? 0 : -ENOMEM;
}

void plugin_release(struct plugin *p)
{
	if (p->handle)
		dlclose(p->handle);
	free(p->name);
	free(p->file);
	memset(p, 0, sizeof(*p));
}

void plugins_release(struct plugins *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		plugin_release(ps->v[i]);
		free(ps->v[i]);
	}
	free(ps->v);
	free(ps->dir);
	memset(ps, 0, sizeof(*ps));
}

/*
 * Whether a backend's name may be printed as it is, in messages, lists
 * and JSON: ASCII letters, digits and "+-._", not starting with a dot.
 */
static bool plain_name(const char *name)
{
	const char *c;

	if (*name == '.' || strlen(name) > 64)
		return false;
	for (c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("+-._", *c))
			return false;
	return true;
}

/* Checks a descriptor against what this host knows. */
static int check_backend(const char *file, const char *name,
			 const struct vhashify_backend *b)
{
	if (!b) {
		error("cannot load plugin '%s': %s() returned no backend",
		      qs(file), VHASHIFY_BACKEND_SYMBOL);
		return -EINVAL;
	}
	if (b->abi_major != VHASHIFY_BACKEND_ABI_MAJOR ||
	    b->abi_minor > VHASHIFY_BACKEND_ABI_MINOR) {
		error("cannot load plugin '%s': it needs backend ABI %u.%u, "
		      "this vhashify has %u.%u", qs(file), b->abi_major,
		      b->abi_minor, VHASHIFY_BACKEND_ABI_MAJOR,
		      VHASHIFY_BACKEND_ABI_MINOR);
		return -EPROTO;
	}
	if (b->struct_size < offsetof(struct vhashify_backend, probe)) {
		error("cannot load plugin '%s': descriptor of %zu bytes is "
		      "too small", qs(file), b->struct_size);
		return -EPROTO;
	}
	if (!b->name || !*b->name || !b->list_exclusions) {
		error("cannot load plugin '%s': descriptor has no name or "
		      "no list_exclusions", qs(file));
		return -EINVAL;
	}
	if (!plain_name(b->name)) {
		error("cannot load plugin '%s': its name '%s' is not made of "
		      "letters, digits and '+-._'", qs(file), qs(b->name));
		return -EINVAL;
	}
	if (name && strcmp(b->name, name)) {
		error("cannot load plugin '%s': it calls itself '%s', not "
		      "'%s'", qs(file), qs(b->name), qs(name));
		return -EINVAL;
	}
	return 0;
}

int plugin_load_file(const char *file, const char *name, struct plugin *p)
{
	vhashify_backend_v1_fn entry;
	int ret;

	memset(p, 0, sizeof(*p));
	/* never unmapped: leak reports can then name a library's code */
	p->handle = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!p->handle) {
		error("cannot load plugin '%s': %s", qs(file), qs(dlerror()));
		return -ENOEXEC;
	}
	*(void **)&entry = dlsym(p->handle, VHASHIFY_BACKEND_SYMBOL);
	if (!entry) {
		error("cannot load plugin '%s': no symbol '%s'", qs(file),
		      VHASHIFY_BACKEND_SYMBOL);
		ret = -ENOEXEC;
		goto out_release;
	}
	p->backend = entry();
	ret = check_backend(file, name, p->backend);
	if (ret)
		goto out_release;
	p->name = strdup(p->backend->name);
	p->file = strdup(file);
	if (!p->name || !p->file) {
		ret = -ENOMEM;
		goto out_release;
	}
	return 0;

out_release:
	plugin_release(p);
	return ret;
}

/* Whether @name may name a plugin file: no path, no leading dot. */
static bool valid_name(const char *name)
{
	return *name && *name != '.' && !strchr(name, '/');
}

const struct plugin *plugins_get(struct plugins *ps, const char *name,
				 int *err)
{
	struct plugin *p, **v;
	char *file;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i]->name, name))
			return ps->v[i];
	if (!valid_name(name)) {
		*err = -ENOENT;
		return NULL;
	}
	if (asprintf(&file, "%s/%s.so", ps->dir, name) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	if (access(file, F_OK)) {
		free(file);
		*err = -ENOENT;
		return NULL;
	}
	p = malloc(sizeof(*p));
	v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
	if (v)
		ps->v = v;
	if (!p || !v) {
		free(p);
		free(file);
		*err = -ENOMEM;
		return NULL;
	}
	*err = plugin_load_file(file, name, p);
	free(file);
	if (*err) {
		free(p);
		return NULL;
	}
	ps->v[ps->n++] = p;
	return p;
}

static int filter_so(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 3 && de->d_name[0] != '.' &&
	       !strcmp(de->d_name + n - 3, ".so");
}

int plugins_each(struct plugins *ps,
		 void (*fn)(const struct plugin *p, void *arg), void *arg)
{
	struct dirent **list;
	const struct plugin *p;
	int n, i, err;

	n = scandir(ps->dir, &list, filter_so, alphasort);
	if (n < 0) {
		error("cannot read plugin directory '%s': %s", qs(ps->dir),
		      strerror(errno));
		return -errno;
	}
	for (i = 0; i < n; i++) {
		list[i]->d_name[strlen(list[i]->d_name) - 3] = '\0';
		p = plugins_get(ps, list[i]->d_name, &err);
		if (p)
			fn(p, arg);
		free(list[i]);
	}
	free(list);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PLUGIN_H
#define VHASHIFY_PLUGIN_H

/*
 * The plugin loader: backend plugins are shared objects NAME.so in the
 * plugin directory, each exporting vhashify_backend_v1 (see
 * include/vhashify/backend.h). A plugin is loaded when first needed,
 * checked (ABI major and minor, struct size, name), and kept loaded
 * until the end of the run.
 */

#include <stdbool.h>
#include <stddef.h>

#include <vhashify/backend.h>

struct plugin {
	char *name;		/* backend name, = file name without ".so" */
	char *file;		/* full path of the shared object */
	void *handle;		/* from dlopen */
	const struct vhashify_backend *backend;
};

struct plugins {
	char *dir;
	struct plugin **v;	/* loaded so far; pointers stay valid */
	size_t n;
};

/*
 * The plugin directory: @dir if given (--plugin-dir), else the
 * environment's VHASHIFY_PLUGIN_DIR, else the configured one.
 */
const char *plugins_default_dir(const char *dir);

/* Starts with no plugin loaded. Returns 0 or -ENOMEM. */
int plugins_init(struct plugins *ps, const char *dir);
void plugins_release(struct plugins *ps);

/*
 * Returns the loaded backend @name, loading DIR/NAME.so on first use
 * (a note at -v names it: a run loads only the plugins it needs).
 * Returns NULL and sets *err: -ENOENT when no such plugin is
 * installed (nothing printed), or another -errno after printing why
 * the plugin was refused (dlopen error, missing symbol, ABI version).
 */
const struct plugin *plugins_get(struct plugins *ps, const char *name,
				 int *err);

/* Whether DIR/NAME.so is there for backend @name; loads nothing. */
bool plugins_installed(const struct plugins *ps, const char *name);

/*
 * Loads the shared object @file and checks its descriptor. Before
 * anything of it runs, its directory and those above must be owned by
 * root or the effective user and writable by no one else (those above:
 * unless sticky), and @file, or what its symlink leads to, a regular
 * file of root or the effective user that no one else may write; the
 * very file checked is loaded, through /proc/self/fd (one descriptor
 * per loaded plugin stays open). Refusals return -EPERM. The backend
 * name must be @name unless @name is NULL. Prints why on refusal.
 * Returns 0 or -errno; on success the caller owns p->handle.
 */
int plugin_load_file(const char *file, const char *name, struct plugin *p);
void plugin_release(struct plugin *p);

/*
 * Calls @fn for every *.so in the plugin directory, in name order,
 * loaded and checked; refused ones are reported and skipped. Returns 0,
 * -errno when the directory cannot be read, or, after all the others,
 * the -errno of the first plugin refused.
 */
int plugins_each(struct plugins *ps,
		 void (*fn)(const struct plugin *p, void *arg), void *arg);

#endif

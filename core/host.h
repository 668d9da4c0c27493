/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_HOST_H
#define VHASHIFY_HOST_H

/*
 * The services vhashify lends a backend plugin for one guest (struct
 * vhashify_host of include/vhashify/backend.h): logging through our
 * messages, the backend's options, the reasons of its exclusions, and
 * reading files, directories and symlinks resolved inside the guest
 * root.
 */

#include <vhashify/backend.h>

struct guest;
struct conf;
struct guest_conf;
struct matcher;

struct host {
	struct vhashify_host h;	/* what plugins see; first member */
	const char *plugin;	/* name of the plugin being called */
	const struct conf *conf;	/* for options; may be NULL */
	const struct guest_conf *gc;	/* the guest's settings, or NULL */
	struct matcher *m;	/* during list_exclusions: for reasons */
};

/*
 * Prepares @host for calls about guest @g. @exclude_lists is a
 * NULL-terminated array of host files, borrowed for the host's life, as
 * are @conf and @gc (the configuration and the guest's settings, for
 * backend options; either may be NULL).
 */
void host_init(struct host *host, const struct guest *g,
	       const char *const *exclude_lists, const struct conf *conf,
	       const struct guest_conf *gc);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_HOST_H
#define VHASHIFY_HOST_H

/*
 * The services vhashify lends a backend plugin for one guest (struct
 * vhashify_host of include/vhashify/backend.h): logging through our
 * messages, and opening files resolved inside the guest root.
 */

#include <vhashify/backend.h>

struct guest;

struct host {
	struct vhashify_host h;	/* what plugins see; first member */
	const char *plugin;	/* name of the plugin being called */
};

/*
 * Prepares @host for calls about guest @g. @exclude_lists is a
 * NULL-terminated array of host files, borrowed for the host's life.
 */
void host_init(struct host *host, const struct guest *g,
	       const char *const *exclude_lists);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_EXCLUSIONS_H
#define VHASHIFY_EXCLUSIONS_H

/*
 * The exclusions of one guest, gathered from backend plugins into the
 * core matcher: first the exclude lists (the exclude-file plugin, so an
 * administrator's "+" rules come first), then the package backend's
 * configuration files and database.
 */

#include <stddef.h>

#include "host.h"
#include "match.h"
#include "plugin.h"

/*
 * Asks plugin @p for the exclusions of the guest @host serves and adds
 * them to @m. Sets *count to the number of rules it emitted. Returns 0
 * or the plugin's -errno (it has said why).
 */
int exclusions_collect(struct host *host, const struct plugin *p,
		       struct matcher *m, size_t *count);

/*
 * The same, but the plugin's include rules are left out (counted in
 * *@dropped): for a guest with several backends, where an include of
 * one (a file it does not protect) must not share a configuration file
 * of another, whichever comes first.
 */
int exclusions_collect_excludes(struct host *host, const struct plugin *p,
				struct matcher *m, size_t *count,
				size_t *dropped);

#endif

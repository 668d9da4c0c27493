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

/* The default of exclusions_budget.limit (exclusions-limit:). */
#define EXCLUSIONS_LIMIT_DEFAULT ((size_t)128 << 20)

/*
 * What the backends of one guest may make the matcher hold: each rule
 * (an alias too) costs the bytes of its path or pattern plus
 * EXCLUSIONS_RULE_COST for its bookkeeping, about what the matcher
 * spends on it.
 */
#define EXCLUSIONS_RULE_COST 32
struct exclusions_budget {
	size_t limit;		/* bytes, 0 for no limit */
	size_t used;		/* bytes so far, over all backends */
};

/*
 * Asks plugin @p for the exclusions of the guest @host serves and adds
 * them to @m. Sets *count to the number of rules it emitted. With
 * @budget (NULL: no limit), a rule beyond its limit is refused, the
 * plugin is told so (-EFBIG from emit) and -EFBIG is returned whatever
 * the plugin returns: the caller leaves the guest alone and says why.
 * Returns 0, -EFBIG, or the plugin's -errno (it has said why).
 */
int exclusions_collect(struct host *host, const struct plugin *p,
		       struct matcher *m, size_t *count,
		       struct exclusions_budget *budget);

/*
 * The same, but the plugin's include rules are left out (counted in
 * *@dropped): for a guest with several backends, where an include of
 * one (a file it does not protect) must not share a configuration file
 * of another, whichever comes first.
 */
int exclusions_collect_excludes(struct host *host, const struct plugin *p,
				struct matcher *m, size_t *count,
				size_t *dropped,
				struct exclusions_budget *budget);

#endif

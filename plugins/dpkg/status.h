/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_DPKG_STATUS_H
#define VHASHIFY_DPKG_STATUS_H

/*
 * Parsers of dpkg's text databases, over buffers (no I/O), so that a
 * fuzzer can drive them: var/lib/dpkg/status and var/lib/dpkg/diversions.
 */

#include <stddef.h>

/*
 * Receives one conffile @path of the package @package (the stanza's
 * Package field, "" when it has none before the conffiles); returns 0
 * or -errno to stop.
 */
typedef int (*dpkg_path_fn)(void *ctx, const char *package,
			    const char *path);

/*
 * Calls @fn for the path of every "Conffiles:" entry in the status text
 * @buf of @len bytes, of installed and of removed-but-not-purged
 * packages alike. Entries are " PATH MD5 [obsolete] [remove-on-upgrade]"
 * and are parsed from the right, as paths may hold spaces. Sets
 * *packages to the number of stanzas with a Package field and *bad to
 * the number of entries that could not be parsed.
 * Returns 0 or what @fn returned.
 */
int dpkg_parse_status(const char *buf, size_t len, dpkg_path_fn fn,
		      void *ctx, size_t *packages, size_t *bad);

/*
 * The same, a line at a time, for a status read in pieces: set @fn and
 * @ctx, zero the rest, then give every line (without its "\n") to
 * dpkg_status_line(), which returns 0 or what @fn returned, and end
 * with dpkg_status_end(), which frees what the parser held.
 */
struct dpkg_status {
	dpkg_path_fn fn;
	void *ctx;
	size_t packages, bad;
	int in_conffiles;
	char *package;		/* of the stanza at hand, or NULL */
};
int dpkg_status_line(struct dpkg_status *s, const char *line, size_t n);
void dpkg_status_end(struct dpkg_status *s);

/*
 * Calls @fn(ctx, from, to) for every record of the diversions text:
 * three lines each, the original path, the diverted path and the
 * package (":" for a local diversion). A trailing incomplete record is
 * counted in *bad. Returns 0 or what @fn returned.
 */
int dpkg_parse_diversions(const char *buf, size_t len,
			  int (*fn)(void *ctx, const char *from,
				    const char *to),
			  void *ctx, size_t *bad);

#endif

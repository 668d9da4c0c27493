/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PACMAN_FILES_H
#define VHASHIFY_PACMAN_FILES_H

/*
 * Parsers of pacman's text formats, over buffers (no I/O), so that a
 * fuzzer can drive them: a local database entry's "files" and the
 * DBPath of pacman.conf.
 */

#include <stddef.h>

/*
 * Calls @fn with the guest-absolute path ("/" + the relative path) of
 * every %BACKUP% entry of the "files" text: one "path<TAB>md5" per
 * line, paths may hold spaces. Sets *bad to the entries not understood.
 * Returns 0 or what @fn returned.
 */
int pacman_parse_backup(const char *buf, size_t len,
			int (*fn)(void *ctx, const char *path), void *ctx,
			size_t *bad);

/*
 * The DBPath set in the [options] section of pacman.conf text, as a
 * new string, or NULL when it sets none (or out of memory).
 */
char *pacman_parse_dbpath(const char *buf, size_t len);

#endif

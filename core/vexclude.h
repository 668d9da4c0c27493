/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_VEXCLUDE_H
#define VHASHIFY_VEXCLUDE_H

/*
 * util-vserver's exclude lists (apps/vunify/exclude), read and applied
 * with util-vserver's own meaning, beside the native matcher (match.h),
 * whose meaning differs. As util-vserver's lib_internal/
 * matchlist-initmanually.c, matchlist-appendfiles.c, matchlist-compare.c
 * and src/vhashify.c have it:
 *
 *   - a line with '#' in column 0 is a comment; trailing spaces are cut;
 *     a line of fewer than two characters left is ignored
 *   - "+PATTERN" includes, "~PATTERN" skips, "-PATTERN" or a bare
 *     PATTERN excludes; the pattern follows the sign at once
 *   - a path is checked against the rules in order with fnmatch(3)
 *     without flags: "*", "?" and "[...]" match '/' too, so "/etc/" "*"
 *     matches "/etc/a/b"; the first rule that matches decides, and a
 *     path no rule matches is included
 *   - the rule decides for that path only, not for what is below it;
 *     but the walk prunes a directory that is not included (skipped
 *     or excluded alike, src/vhashify.c), so nothing below it is
 *     shared whatever later rules say
 *
 * Differences, on purpose: a last line without a newline counts (util-
 * vserver dropped it); a NUL byte is an error (util-vserver silently
 * ignored the rest of the file).
 */

#include <stdbool.h>
#include <stddef.h>

struct vexclude;

/*
 * Parses @len bytes of @text, an exclude list named @file in messages.
 * Returns 0 and a new list in *out, or -EINVAL (said, with file and
 * line) or -ENOMEM.
 */
int vexclude_parse(const char *text, size_t len, const char *file,
		   struct vexclude **out);

/* Reads and parses the file @file. Returns 0 or -errno (said). */
int vexclude_load(const char *file, struct vexclude **out);

void vexclude_free(struct vexclude *x);

/* The file it was read from. */
const char *vexclude_file(const struct vexclude *x);

/* Number of rules. */
size_t vexclude_count(const struct vexclude *x);

/*
 * Whether the guest-absolute @path is left out by the rules themselves
 * (its first matching rule skips or excludes it). The walk asks for
 * every directory before it enters it, so the pruning of excluded
 * directories follows from the walk.
 */
bool vexclude_skips(const struct vexclude *x, const char *path);

#endif

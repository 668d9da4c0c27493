/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PLUGIN_SPARSECOPY_H
#define VHASHIFY_PLUGIN_SPARSECOPY_H

/*
 * Copying a guest file into a host file, keeping its holes and within a
 * budget, for plugins that must hand a library a private copy (compiled
 * into each plugin that uses it: plugins call no host symbols).
 */

/*
 * Copies the regular file @in to @out, an empty regular file, of the
 * size @in has when the copy starts: only the data segments that
 * SEEK_DATA/SEEK_HOLE find are read and written (all of it where the
 * filesystem cannot tell), so a hole stays a hole and takes no space.
 * At most *budget bytes are written, and *budget is lessened by what
 * was: a file with more data, even one growing during the copy, is
 * -EFBIG. Returns 0 or -errno.
 */
int sparse_copy(int in, int out, unsigned long long *budget);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PLUGIN_SAFEOPEN_H
#define VHASHIFY_PLUGIN_SAFEOPEN_H

/*
 * Opening guest files for plugins without ever opening a device node,
 * FIFO or socket a guest planted (compiled into each plugin that uses
 * it: plugins call no host symbols). The host's open_in_guest() does
 * the same for paths resolved inside the guest.
 */

/*
 * Opens @name in @dirfd (AT_FDCWD and host paths allowed) to read when
 * it is a regular file: first with O_PATH, which opens nothing, then,
 * once fstat shows a regular file, that same inode again through
 * /proc/self/fd. @flags may hold O_NOFOLLOW (a symlink is then -ELOOP).
 * The descriptor is blocking and close-on-exec. Returns it, -ENXIO for
 * anything but a regular file, or another -errno.
 */
int open_regular(int dirfd, const char *name, int flags);

/* strerror(), but "not a regular file" for -ENXIO (of @err < 0). */
const char *open_strerror(int err);

#endif

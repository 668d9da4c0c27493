/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_CLOSER_H
#define VHASHIFY_CLOSER_H

/*
 * Closing descriptors of replaced guest files in the background. The
 * last close of an inode that no name holds any more frees its blocks,
 * and on a filesystem mounted with "discard" that waits for the device
 * to trim them, about a millisecond a file. Threads of their own do
 * that waiting while the run goes on.
 *
 * Without closer_start(), or when it failed, closer_close() is close().
 * closer_close() may be called from several threads at once.
 */

/* Starts @threads closing threads. Returns 0 or -errno. */
int closer_start(unsigned int threads);
/* Closes @fd, now or soon. Never fails: a close has nothing to report. */
void closer_close(int fd);
/* Waits until every queued descriptor is closed; stops the threads. */
void closer_stop(void);

#endif

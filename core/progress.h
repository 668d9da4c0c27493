/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_PROGRESS_H
#define VHASHIFY_PROGRESS_H

/*
 * Progress on stderr while guests are hashified: one line, rewritten at
 * most five times a second, with the guest begun last, files and bytes
 * done, the rate and, once a guest is finished, an estimate of the time
 * left. Only when stderr is a terminal and not --quiet. All but
 * progress_start() may be called from several threads.
 */

#include <stdbool.h>
#include <sys/types.h>

void progress_start(int n_guests, bool enabled);
/* A guest of the run, named @name, begins; or it is done. */
void progress_guest(const char *name);
void progress_guest_done(void);
/* One more entry seen, of @bytes read or linked. */
void progress_file(off_t bytes);
/*
 * The calling thread hashes the file @path of guest @guest (borrowed
 * until progress_hash_end()). Once that takes a second or more, the
 * line names the file and how far the hash is (progress_hash_tick(),
 * a content_tick_fn: bytes hashed so far), so that a huge file is seen
 * for what it is rather than as a stalled run.
 */
void progress_hash_begin(const char *guest, const char *path);
void progress_hash_tick(off_t done);
void progress_hash_end(void);
/* Clears the line (before a summary or a message). */
void progress_end(void);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* Progress on stderr; see progress.h. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "progress.h"

/* guests may run in threads: all but "on" under the lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool on;
	int n_guests, started, finished;
	const char *name;	/* the guest begun last */
	unsigned long long files, bytes;
	double start, last;
	bool shown;		/* a line is on the terminal */
} p;

/* the file this thread hashes, for a slow one (see progress.h) */
static __thread struct {
	const char *guest, *path;
	double begin;
} hashing;

/* a second of hashing one file, and it is named */
#define SLOW_FILE 1.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wipes the line if one is shown, before a message or at the end. */
static void clear_line(void)
{
	pthread_mutex_lock(&lock);
	if (p.shown)
		fprintf(stderr, "\r\033[K");
	p.shown = false;
	pthread_mutex_unlock(&lock);
}

void progress_start(int n_guests, bool enabled)
{
	p.on = enabled;
	if (enabled)
		log_before_message(clear_line);
	p.n_guests = n_guests;
	p.start = p.last = now();
}

static void show(double t)
{
	double elapsed = t - p.start, rate = elapsed > 0 ? p.bytes / elapsed : 0;
	char eta[32] = "";

	if (p.finished > 0) {
		double left = elapsed / p.finished *
			      (p.n_guests - p.finished);

		snprintf(eta, sizeof(eta), ", about %d:%02d left",
			 (int)left / 60, (int)left % 60);
	}
	fprintf(stderr, "\r\033[K[%d/%d] %s: %llu files, %.1f MiB, %.1f MiB/s%s",
		p.started, p.n_guests, qs(p.name ? p.name : ""), p.files,
		p.bytes / 1048576.0, rate / 1048576.0, eta);
	p.shown = true;
}

void progress_guest(const char *name)
{
	pthread_mutex_lock(&lock);
	p.started++;
	p.name = name;
	if (p.on)
		show(now());	/* at once: a guest may take long to list */
	pthread_mutex_unlock(&lock);
}

void progress_guest_done(void)
{
	pthread_mutex_lock(&lock);
	p.finished++;
	pthread_mutex_unlock(&lock);
}

void progress_file(off_t bytes)
{
	double t;

	if (!p.on)
		return;
	pthread_mutex_lock(&lock);
	p.files++;
	p.bytes += bytes;
	/* look at the clock now and then only */
	if (!(p.files % 64) && (t = now()) - p.last >= 0.2) {
		p.last = t;
		show(t);
	}
	pthread_mutex_unlock(&lock);
}

void progress_hash_begin(const char *guest, const char *path)
{
	if (!p.on)
		return;
	hashing.guest = guest;
	hashing.path = path;
	hashing.begin = now();
}

void progress_hash_tick(off_t done)
{
	double t;

	if (!p.on || !hashing.path)
		return;
	t = now();
	if (t - hashing.begin < SLOW_FILE)
		return;
	pthread_mutex_lock(&lock);
	if (t - p.last >= 0.2) {
		p.last = t;
		fprintf(stderr, "\r\033[K[%d/%d] hashing '%s%s': %.1f MiB done",
			p.started, p.n_guests, qs(hashing.guest),
			qs(hashing.path), done / 1048576.0);
		p.shown = true;
	}
	pthread_mutex_unlock(&lock);
}

void progress_hash_end(void)
{
	hashing.path = NULL;
}

void progress_end(void)
{
	clear_line();
}

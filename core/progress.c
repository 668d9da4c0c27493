// SPDX-License-Identifier: GPL-2.0-or-later
/* Progress on stderr; see progress.h. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "log.h"
#include "progress.h"

static struct {
	bool on;
	int n_guests, guest;
	const char *name;
	unsigned long long files, bytes;
	double start, guest_start, last;
	double guests_time;	/* seconds spent on finished guests */
	bool shown;		/* a line is on the terminal */
} p;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wipes the line if one is shown, before a message or at the end. */
static void clear_line(void)
{
	if (p.shown)
		fprintf(stderr, "\r\033[K");
	p.shown = false;
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

	if (p.guest > 0) {
		double per_guest = p.guests_time / p.guest;
		double left = per_guest * (p.n_guests - p.guest) -
			      (t - p.guest_start);

		if (left < 0)
			left = 0;
		snprintf(eta, sizeof(eta), ", about %d:%02d left",
			 (int)left / 60, (int)left % 60);
	}
	fprintf(stderr, "\r\033[K[%d/%d] %s: %llu files, %.1f MiB, %.1f MiB/s%s",
		p.guest + 1, p.n_guests, p.name ? p.name : "", p.files,
		p.bytes / 1048576.0, rate / 1048576.0, eta);
	p.shown = true;
}

void progress_guest(int i, const char *name)
{
	double t = now();

	if (i > 0)
		p.guests_time = t - p.start;
	p.guest = i;
	p.name = name;
	p.guest_start = t;
	if (p.on)
		show(t);	/* at once: a guest may take long to list */
}

void progress_file(off_t bytes)
{
	double t;

	if (!p.on)
		return;
	p.files++;
	p.bytes += bytes;
	if (p.files % 64)
		return;		/* look at the clock now and then only */
	t = now();
	if (t - p.last < 0.2)
		return;
	p.last = t;
	show(t);
}

void progress_end(void)
{
	clear_line();
}

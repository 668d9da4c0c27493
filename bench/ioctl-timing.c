// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bench only, preloaded into vhashify (LD_PRELOAD): times every ioctl
 * by request (FIDEDUPERANGE by the length asked for, FIEMAP, FICLONE)
 * and writes, when the process ends, one line per kind to the file
 * $IOCTL_TIMING_OUT: "REQUEST SIZE CALLS SECONDS MICROSECONDS-PER-CALL".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ioctl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

enum { DEDUPE, FIEMAP, CLONE, OTHER, KINDS };
enum { SMALL, MEDIUM, LARGE, SIZES };	/* <= 4 KiB, <= 64 KiB, more */

static long long ns[KINDS][SIZES];
static long calls[KINDS][SIZES];
static int (*real_ioctl)(int, unsigned long, void *);

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int ioctl(int fd, unsigned long req, ...)
{
	struct file_dedupe_range *r;
	long long start;
	va_list ap;
	void *arg;
	int ret, kind, size = SMALL;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		*(void **)&real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	kind = req == FIDEDUPERANGE ? DEDUPE : req == FS_IOC_FIEMAP ? FIEMAP :
	       req == FICLONE ? CLONE : OTHER;
	if (kind == DEDUPE) {
		r = arg;
		size = r->src_length <= 4096 ? SMALL :
		       r->src_length <= 65536 ? MEDIUM : LARGE;
	}
	start = now();
	ret = real_ioctl(fd, req, arg);
	__atomic_fetch_add(&ns[kind][size], now() - start, __ATOMIC_RELAXED);
	__atomic_fetch_add(&calls[kind][size], 1, __ATOMIC_RELAXED);
	return ret;
}

__attribute__((destructor)) static void report(void)
{
	static const char *const kinds[] = { "FIDEDUPERANGE", "FIEMAP",
					     "FICLONE", "other" };
	static const char *const sizes[] = { "<=4KiB", "<=64KiB", ">64KiB" };
	const char *out = getenv("IOCTL_TIMING_OUT");
	FILE *f;
	int k, s;

	if (!out || !(f = fopen(out, "w")))
		return;
	for (k = 0; k < KINDS; k++)
		for (s = 0; s < SIZES; s++)
			if (calls[k][s])
				fprintf(f, "%s %s %ld %.6f %.3f\n", kinds[k],
					k == DEDUPE ? sizes[s] : "-",
					calls[k][s], ns[k][s] / 1e9,
					ns[k][s] / 1e3 / calls[k][s]);
	fclose(f);
}

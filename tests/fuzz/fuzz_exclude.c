// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: the exclude-file plugin's list reader, through its
 * descriptor as vhashify calls it, on a list in a memory file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vhashify/backend.h>

#include "match.h"

static void quiet_log(const struct vhashify_host *h,
		      enum vhashify_log_level level, const char *fmt, ...)
{
	(void)h;
	(void)level;
	(void)fmt;
}

/* Formats the reason as the host does, so that its arguments are used. */
static int set_reason(const struct vhashify_host *h, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	(void)h;
	if (!fmt)
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return 0;
}

static int emit(void *ctx, const char *path, unsigned int flags)
{
	return matcher_add_glob(ctx, path, flags & VHASHIFY_EMIT_INCLUDE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	const char *lists[] = { path, NULL };
	struct vhashify_host host = {
		.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
		.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
		.struct_size = sizeof(host),
		.log = quiet_log,
		.exclude_lists = lists,
		.reason = set_reason,
	};
	struct matcher *m = matcher_new();

	if (fd < 0)
		fd = memfd_create("fuzz.exclude", 0);
	if (fd >= 0 && m && !ftruncate(fd, 0) &&
	    pwrite(fd, data, size, 0) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		vhashify_backend_v1()->list_exclusions(&host, emit, m);
	}
	matcher_free(m);
	return 0;
}

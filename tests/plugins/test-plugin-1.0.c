// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A backend built as a plugin of ABI 1.0 was: with a copy of the 1.0
 * header's layout, not with today's <vhashify/backend.h>, so that a
 * newer host is shown to still load and serve it. It excludes
 * /usr/share/old10 and the files its list names, and logs what the host
 * told it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the 1.0 layout, copied from the header of that version */
enum log_level_1_0 { LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

typedef int (*emit_fn_1_0)(void *ctx, const char *path, unsigned int flags);

struct host_1_0 {
	unsigned int abi_major;
	unsigned int abi_minor;
	size_t struct_size;
	void (*log)(const struct host_1_0 *host, enum log_level_1_0 level,
		    const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	int (*open_in_guest)(const struct host_1_0 *host, const char *path,
			     int flags);
	int guest_fd;
	const char *guest_root;
	const char *const *exclude_lists;
	void *host_private;
};

struct backend_1_0 {
	unsigned int abi_major;
	unsigned int abi_minor;
	size_t struct_size;
	const char *name;
	const char *description;
	int (*probe)(const struct host_1_0 *host);
	int (*list_exclusions)(const struct host_1_0 *host, emit_fn_1_0 emit,
			       void *ctx);
};

/* Reads /etc/old10.list of the guest: one path a line. */
static int read_list(const struct host_1_0 *host, emit_fn_1_0 emit,
		     void *ctx)
{
	char buf[4096], *line, *save;
	ssize_t n;
	int fd = host->open_in_guest(host, "/etc/old10.list", O_RDONLY);
	int ret = 0;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save))
		ret = emit(ctx, line, 0);
	return ret;
}

static int old_list(const struct host_1_0 *host, emit_fn_1_0 emit, void *ctx)
{
	int ret;

	if (host->abi_major != 1 ||
	    host->struct_size < offsetof(struct host_1_0, host_private) +
				sizeof(void *))
		return -EPROTO;
	host->log(host, LOG_INFO, "1.0 plugin served by host ABI %u.%u",
		  host->abi_major, host->abi_minor);
	ret = emit(ctx, "/usr/share/old10", 0);
	return ret ? ret : read_list(host, emit, ctx);
}

static const struct backend_1_0 backend = {
	.abi_major = 1,
	.abi_minor = 0,
	.struct_size = sizeof(struct backend_1_0),
	.name = "old10",
	.description = "a plugin built for ABI 1.0",
	.list_exclusions = old_list,
};

__attribute__((visibility("default")))
const struct backend_1_0 *vhashify_backend_v1(void);

const struct backend_1_0 *vhashify_backend_v1(void)
{
	return &backend;
}

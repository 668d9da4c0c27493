// SPDX-License-Identifier: GPL-2.0-or-later
/* Services lent to backend plugins; see host.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "host.h"
#include "log.h"

/*
 * A plugin's message, often with guest text in it, is quoted whole with
 * qs() and said to be of the guest and the plugin.
 */
static void host_log(const struct vhashify_host *h,
		     enum vhashify_log_level level, const char *fmt, ...)
{
	const struct host *host = (const struct host *)h;
	const char *guest, *text;
	char msg[2048];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')	/* we end the line */
		msg[--n] = '\0';
	guest = qs(h->guest_root ? h->guest_root : "?");
	text = qs(msg);
	switch (level) {
	case VHASHIFY_LOG_ERROR:
		error("guest '%s': %s: %s", guest, host->plugin, text);
		break;
	case VHASHIFY_LOG_WARNING:
		warning("guest '%s': %s: %s", guest, host->plugin, text);
		break;
	case VHASHIFY_LOG_INFO:
		note(1, "guest '%s': %s: %s", guest, host->plugin, text);
		break;
	default:
		note(2, "guest '%s': %s: %s", guest, host->plugin, text);
		break;
	}
}

static int host_open_in_guest(const struct vhashify_host *h,
			      const char *path, int flags)
{
	return guest_openat(h->guest_fd, path, flags);
}

void host_init(struct host *host, const struct guest *g,
	       const char *const *exclude_lists)
{
	memset(host, 0, sizeof(*host));
	host->h.abi_major = VHASHIFY_BACKEND_ABI_MAJOR;
	host->h.abi_minor = VHASHIFY_BACKEND_ABI_MINOR;
	host->h.struct_size = sizeof(host->h);
	host->h.log = host_log;
	host->h.open_in_guest = host_open_in_guest;
	host->h.guest_fd = g->rootfd;
	host->h.guest_root = g->path;
	host->h.exclude_lists = exclude_lists;
	host->h.host_private = host;
	host->plugin = "?";
}

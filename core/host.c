// SPDX-License-Identifier: GPL-2.0-or-later
/* Services lent to backend plugins; see host.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf.h"
#include "guest.h"
#include "host.h"
#include "log.h"
#include "match.h"

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

static const char *host_option(const struct vhashify_host *h,
			       const char *name)
{
	const struct host *host = (const struct host *)h;

	if (!host->conf || !name)
		return NULL;
	return conf_option(host->conf, host->gc, host->plugin, name);
}

/* The reason of the rules emitted from now on: "PLUGIN: TEXT". */
static int host_reason(const struct vhashify_host *h, const char *fmt, ...)
{
	const struct host *host = (const struct host *)h;
	char msg[1024];
	va_list ap;
	int n;

	if (!host->m)
		return -EINVAL;	/* not inside list_exclusions */
	if (!fmt)
		return matcher_set_reason(host->m, host->plugin);
	n = snprintf(msg, sizeof(msg), "%s: ", host->plugin);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	return matcher_set_reason(host->m, msg);
}

static int host_read_file(const struct vhashify_host *h, const char *path,
			  size_t max, char **buf, size_t *len)
{
	size_t n = 0, cap;
	char *b, *nb;
	ssize_t r;
	int fd;

	fd = guest_openat(h->guest_fd, path, O_RDONLY);
	if (fd < 0)
		return fd;
	cap = max < 65536 ? max + 1 : 65536;
	b = malloc(cap + 1);
	for (;;) {
		if (!b) {
			close(fd);
			return -ENOMEM;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
		if (n > max)
			break;
		if (n == cap) {
			cap = cap > max / 2 ? max + 1 : 2 * cap;
			nb = realloc(b, cap + 1);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (r < 0 || n > max) {
		r = r < 0 ? -errno : -EFBIG;
		close(fd);
		free(b);
		return r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int host_list_dir(const struct vhashify_host *h, const char *path,
			 size_t max, char ***names, size_t *count)
{
	char *text = NULL, *nt, **v, *o;
	size_t n = 0, bytes = 0, cap = 0, i, len;
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = guest_openat(h->guest_fd, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* the names one after another, each with its NUL */
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == max) {
			ret = -EFBIG;
			break;
		}
		len = strlen(de->d_name) + 1;
		if (bytes + len > cap) {
			cap = 2 * (bytes + len);
			nt = realloc(text, cap);
			if (!nt) {
				ret = -ENOMEM;
				break;
			}
			text = nt;
		}
		memcpy(text + bytes, de->d_name, len);
		bytes += len;
		n++;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	v = ret ? NULL : malloc((n + 1) * sizeof(*v) + bytes);
	if (!ret && !v)
		ret = -ENOMEM;
	if (ret) {
		free(text);
		return ret;
	}
	o = (char *)(v + n + 1);
	if (bytes)
		memcpy(o, text, bytes);
	free(text);
	for (i = 0; i < n; i++) {
		v[i] = o;
		o += strlen(o) + 1;
	}
	v[n] = NULL;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
}

static ssize_t host_read_link(const struct vhashify_host *h,
			      const char *path, char *buf, size_t size)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = guest_openat(h->guest_fd, path, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		n = -errno;
	} else if (!S_ISLNK(st.st_mode)) {
		n = -EINVAL;
	} else {
		n = readlinkat(fd, "", buf, size);
		if (n < 0)
			n = -errno;
		else if ((size_t)n >= size)
			n = -ENAMETOOLONG;
		else
			buf[n] = '\0';
	}
	close(fd);
	return n;
}

static size_t host_glob_escape(const struct vhashify_host *h,
			       const char *path, char *buf, size_t size)
{
	size_t n = 0;

	(void)h;
	for (; *path; path++) {
		if (strchr("*?[\\", *path)) {
			if (n + 1 < size)
				buf[n] = '\\';
			n++;
		}
		if (n + 1 < size)
			buf[n] = *path;
		n++;
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

void host_init(struct host *host, const struct guest *g,
	       const char *const *exclude_lists, const struct conf *conf,
	       const struct guest_conf *gc)
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
	host->h.option = host_option;
	host->h.reason = host_reason;
	host->h.read_file = host_read_file;
	host->h.list_dir = host_list_dir;
	host->h.read_link = host_read_link;
	host->h.glob_escape = host_glob_escape;
	host->plugin = "?";
	host->conf = conf;
	host->gc = gc;
}

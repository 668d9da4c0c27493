// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a guest file, whole or line by line, for plugins; see readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "readfile.h"

int read_guest_file(const struct vhashify_host *host, const char *path,
		    size_t max, char **buf, size_t *len)
{
	int ret = host->read_file(host, path, max, buf, len);

	if (ret == -ENXIO)
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': not a regular file", path);
	else if (ret == -EFBIG)
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': larger than %zu bytes", path, max);
	else if (ret && ret != -ENOENT)
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  path, strerror(-ret));
	return ret;
}

/* The piece read at a time by read_guest_lines(). */
#define LINES_PIECE (256u << 10)

/* Calls @fn for the lines of [b, b + n) that end; the rest stays. */
static int feed_lines(char *b, size_t *n, bool eof, read_line_fn fn,
		      void *ctx)
{
	size_t at = 0, end, len;
	char *nl;
	int ret;

	while (at < *n) {
		nl = memchr(b + at, '\n', *n - at);
		if (!nl && !eof)
			break;
		end = nl ? (size_t)(nl - b) : *n;
		len = end - at;
		if (len && b[at + len - 1] == '\r')
			len--;
		ret = fn(ctx, b + at, len);
		if (ret)
			return ret;
		at = nl ? end + 1 : end;
	}
	memmove(b, b + at, *n - at);
	*n -= at;
	return 0;
}

int read_guest_lines(const struct vhashify_host *host, const char *path,
		     size_t max, read_line_fn fn, void *ctx)
{
	int fd = host->open_in_guest(host, path, O_RDONLY | O_NONBLOCK);
	size_t cap = LINES_PIECE, n = 0, total = 0;
	struct stat st;
	char *b = NULL;
	ssize_t r;
	int ret;

	if (fd < 0) {
		if (fd != -ENOENT)
			host->log(host, VHASHIFY_LOG_ERROR,
				  "cannot %s '%s': %s", fd == -ENXIO ?
				  "read" : "open", path, fd == -ENXIO ?
				  "not a regular file" : strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_log;
	}
	if (!S_ISREG(st.st_mode)) {
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': not a regular file", path);
		ret = -EINVAL;
		goto out;
	}
	b = malloc(cap);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (n == cap) {	/* a line longer than the buffer */
			char *nb = realloc(b, 2 * cap);

			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out_log;
		}
		total += r;
		if (total > max) {
			host->log(host, VHASHIFY_LOG_ERROR,
				  "cannot read '%s': larger than %zu bytes",
				  path, max);
			ret = -EFBIG;
			goto out;
		}
		n += r;
		ret = feed_lines(b, &n, !r, fn, ctx);
		if (ret || !r)
			goto out;
	}

out_log:
	host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s", path,
		  strerror(-ret));
out:
	free(b);
	close(fd);
	return ret;
}

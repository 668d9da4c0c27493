// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading a whole guest file, for plugins; see readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "readfile.h"
#include "safeopen.h"

/* Reads all of @fd (a regular file); @what names it in messages. */
static int read_fd(const struct vhashify_host *host, int fd,
		   const char *what, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	ssize_t r;
	char *b;
	int err;

	if (fstat(fd, &st)) {
		err = -errno;
		goto out_err;
	}
	if (!S_ISREG(st.st_mode)) {
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': not a regular file", what);
		return -EINVAL;
	}
	if ((size_t)st.st_size > max) {
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read '%s': larger than %zu bytes", what,
			  max);
		return -EFBIG;
	}
	cap = st.st_size + 1;
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	for (;;) {
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			free(b);
			goto out_err;
		}
		if (!r)
			break;
		n += r;
		if (n == cap) {	/* grew since fstat */
			char *nb;

			if (cap > max) {
				free(b);
				host->log(host, VHASHIFY_LOG_ERROR,
					  "cannot read '%s': larger than %zu "
					  "bytes", what, max);
				return -EFBIG;
			}
			nb = realloc(b, 2 * cap);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;

out_err:
	host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s", what,
		  strerror(-err));
	return err;
}

int read_guest_file(const struct vhashify_host *host, const char *path,
		    size_t max, char **buf, size_t *len)
{
	int fd = host->open_in_guest(host, path, O_RDONLY | O_NONBLOCK);
	int ret;

	if (fd < 0) {
		if (fd != -ENOENT)
			host->log(host, VHASHIFY_LOG_ERROR,
				  "cannot %s '%s': %s", fd == -ENXIO ?
				  "read" : "open", path, open_strerror(fd));
		return fd;
	}
	ret = read_fd(host, fd, path, max, buf, len);
	close(fd);
	return ret;
}

int read_file_at(const struct vhashify_host *host, int dirfd,
		 const char *name, const char *what, size_t max, char **buf,
		 size_t *len)
{
	int fd = open_regular(dirfd, name, O_NOFOLLOW);
	int ret;

	if (fd < 0) {
		if (fd != -ENOENT)
			host->log(host, VHASHIFY_LOG_ERROR,
				  "cannot %s '%s': %s", fd == -ENXIO ?
				  "read" : "open", what, open_strerror(fd));
		return fd;
	}
	ret = read_fd(host, fd, what, max, buf, len);
	close(fd);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* A hole-keeping, bounded copy, for plugins; see sparsecopy.h. */
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sparsecopy.h"

/* Copies [off, end) of @in to the same place in @out. */
static int copy_segment(int in, int out, off_t off, off_t end,
			unsigned long long *budget)
{
	char buf[65536];

	while (off < end) {
		size_t want = end - off < (off_t)sizeof(buf) ?
			      (size_t)(end - off) : sizeof(buf);
		ssize_t n = pread(in, buf, want, off), w, done;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;	/* shrank: the rest is past its end */
		if ((unsigned long long)n > *budget)
			return -EFBIG;
		for (done = 0; done < n; done += w) {
			w = pwrite(out, buf + done, n - done, off + done);
			if (w < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				return -errno;
			}
		}
		*budget -= n;
		off += n;
	}
	return 0;
}

int sparse_copy(int in, int out, unsigned long long *budget)
{
	off_t data = 0, hole, size;
	struct stat st;
	int ret;

	if (fstat(in, &st))
		return -errno;
	size = st.st_size;
	while (data < size) {
		data = lseek(in, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;		/* only a hole is left */
			if (errno != EINVAL)
				return -errno;
			data = 0;		/* cannot tell: copy it all */
			hole = size;
		} else {
			hole = lseek(in, data, SEEK_HOLE);
			if (hole < 0 || hole > size)
				hole = size;
		}
		if (data >= size)
			break;
		ret = copy_segment(in, out, data, hole, budget);
		if (ret)
			return ret;
		if (hole == size)
			break;
		data = hole;
	}
	if (ftruncate(out, size))
		return -errno;
	return 0;
}

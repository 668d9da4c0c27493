// SPDX-License-Identifier: GPL-2.0-or-later
/* File content: hash, compare and copy through descriptors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "content.h"

/* Large reads keep the syscall count low; one buffer pair per thread. */
#define CHUNK (256 * 1024)
static __thread unsigned char buf_a[CHUNK];
static __thread unsigned char buf_b[CHUNK];

#define OFF_MAX ((off_t)INT64_MAX)

/* Reads up to @len bytes at @off, retrying short reads; returns bytes. */
static ssize_t read_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  off + done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/*
 * The first CHUNK bytes at offset 0, read whole, a hole as the zeros
 * it reads as: most files end within them, and then one read is all
 * (a short read of a regular file is its end; should it not be, the
 * size the caller checks tells). Returns bytes or -errno.
 */
static ssize_t read_first(int fd, void *buf)
{
	ssize_t n;

	do
		n = pread(fd, buf, CHUNK, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Holes are hashed as the zeros they read as, from here. */
static const unsigned char zeros[CHUNK];

static content_tick_fn *tick;

void content_set_tick(content_tick_fn *fn)
{
	tick = fn;
}

/*
 * The data extent at or after @off: [*data, *end). Past the last one,
 * *data is the end of file (what is left is a hole) and *end unbounded;
 * without SEEK_DATA all of it is data.
 */
static int next_data(int fd, off_t off, off_t *data, off_t *end)
{
	struct stat st;

	*end = OFF_MAX;
	*data = lseek(fd, off, SEEK_DATA);
	if (*data < 0) {
		if (errno != ENXIO) {
			*data = off;	/* no SEEK_DATA: read it all */
			return 0;
		}
		if (fstat(fd, &st))
			return -errno;
		*data = st.st_size > off ? st.st_size : off;
		return 0;
	}
	*end = lseek(fd, *data, SEEK_HOLE);
	if (*end <= *data)
		*end = OFF_MAX;
	return 0;
}

int content_hash(int fd, enum hash_method m, struct digest *digest,
		 off_t *size)
{
	off_t off = 0, data, end = 0, holes = 0, want;
	struct hasher h;
	ssize_t n;
	int ret;

	ret = hasher_init(&h, m);
	if (ret)
		return ret;
	n = read_first(fd, buf_a);
	if (n < 0) {
		ret = n;
		goto fail;
	}
	hasher_update(&h, buf_a, n);
	off = n;
	if (n < CHUNK)
		goto done;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		if (off >= end) {
			ret = next_data(fd, off, &data, &end);
			if (ret)
				goto fail;
			/* a hole: the zeros it reads as, without reading */
			if (data - off > CONTENT_HOLES_MAX - holes) {
				ret = -EFBIG;
				goto fail;
			}
			holes += data - off;
			while (off < data) {
				want = data - off < CHUNK ? data - off : CHUNK;
				hasher_update(&h, zeros, want);
				off += want;
			}
		}
		want = end - off < CHUNK ? end - off : CHUNK;
		n = read_full(fd, buf_a, want, off);
		if (n < 0) {
			ret = n;
			goto fail;
		}
		hasher_update(&h, buf_a, n);
		off += n;
		if (n < want)
			break;
		if (tick)
			tick(off);
	}
done:
	hasher_final(&h, digest);
	*size = off;
	return 0;
fail:
	hasher_release(&h);
	return ret;
}

int content_compare(int a, int b, off_t size)
{
	off_t off, da = 0, ea = 0, db = 0, eb = 0, want;
	ssize_t na, nb;
	int ret;

	na = read_first(a, buf_a);
	if (na < 0)
		return na;
	nb = read_first(b, buf_b);
	if (nb < 0)
		return nb;
	if (na != nb || memcmp(buf_a, buf_b, na))
		return 1;
	off = na;
	if (na < CHUNK)
		return off == size ? 0 : 1;
	for (;;) {

		if (off >= ea && (ret = next_data(a, off, &da, &ea)))
			return ret;
		if (off >= eb && (ret = next_data(b, off, &db, &eb)))
			return ret;
		if (da > off && db > off) {
			off = da < db ? da : db;	/* a hole in both */
			continue;
		}
		want = (ea < eb ? ea : eb) - off;
		if (want > CHUNK)
			want = CHUNK;
		na = read_full(a, buf_a, want, off);
		if (na < 0)
			return na;
		nb = read_full(b, buf_b, want, off);
		if (nb < 0)
			return nb;
		if (na != nb || memcmp(buf_a, buf_b, na))
			return 1;
		off += na;
		if (na < want)
			break;
	}
	return off == size ? 0 : 1;
}

/* Plain read/write copy of [off, off + len). */
static int copy_rw(int src, int dst, off_t off, off_t len)
{
	while (len > 0) {
		ssize_t n = read_full(src, buf_a, len < CHUNK ? len : CHUNK,
				      off);
		ssize_t w;

		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;	/* shrank under us: caller re-hashes */
		w = pwrite(dst, buf_a, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += w;
		len -= w;
	}
	return 0;
}

/* Copies [off, off + len) in the kernel, or by hand where it cannot. */
static int copy_range(int src, int dst, off_t off, off_t len)
{
	while (len > 0) {
		loff_t in = off, out = off;
		ssize_t n = copy_file_range(src, &in, dst, &out, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EXDEV || errno == EINVAL ||
			    errno == EOPNOTSUPP || errno == ENOSYS)
				return copy_rw(src, dst, off, len);
			return -errno;
		}
		if (n == 0)
			return -EIO;
		off += n;
		len -= n;
	}
	return 0;
}

int content_copy(int src, int dst, off_t size)
{
	off_t data = 0, hole;
	int ret;

	if (!ioctl(dst, FICLONE, src))
		return 0;

	while (data < size) {
		data = lseek(src, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;		/* only a hole is left */
			data = 0;		/* no SEEK_DATA: copy it all */
			hole = size;
		} else {
			hole = lseek(src, data, SEEK_HOLE);
			if (hole < 0 || hole > size)
				hole = size;
		}
		ret = copy_range(src, dst, data, hole - data);
		if (ret)
			return ret;
		data = hole;
	}
	if (ftruncate(dst, size))
		return -errno;
	return 0;
}

/*
 * /proc/self/fd, opened once: a reopen then looks up one name, not
 * four. Threads share the descriptor table it shows.
 */
static int proc_fds(void)
{
	static int cached = -1;
	int fd = __atomic_load_n(&cached, __ATOMIC_ACQUIRE), old = -1;

	if (fd >= 0)
		return fd;
	fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!__atomic_compare_exchange_n(&cached, &old, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);	/* another thread was first */
		fd = old;
	}
	return fd;
}

int content_reopen(int pathfd, int flags, struct stat *st)
{
	struct stat before, after;
	int procfd, fd;
	char name[16];
	mode_t want;

	if (fstat(pathfd, &before))
		return -errno;
	want = flags & O_DIRECTORY ? S_IFDIR : S_IFREG;
	if ((before.st_mode & S_IFMT) != want)
		return S_ISLNK(before.st_mode) ? -ELOOP :
		       want == S_IFDIR ? -ENOTDIR : -ENXIO;
	procfd = proc_fds();
	if (procfd < 0)
		return procfd;
	snprintf(name, sizeof(name), "%d", pathfd);
	flags &= O_NOATIME | O_DIRECTORY;
	flags |= O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	fd = openat(procfd, name, flags);
	if (fd < 0 && errno == EPERM && (flags & O_NOATIME)) {
		flags &= ~O_NOATIME;
		fd = openat(procfd, name, flags);
	}
	if (fd < 0)
		return -errno;
	/* the same inode, now open to read, and blocking again (F_SETFL
	 * sets the status flags it can: O_NOATIME as opened, no more
	 * O_NONBLOCK) */
	if (fstat(fd, &after) || after.st_dev != before.st_dev ||
	    after.st_ino != before.st_ino ||
	    (after.st_mode & S_IFMT) != want ||
	    fcntl(fd, F_SETFL, flags & O_NOATIME)) {
		close(fd);
		return -ENXIO;
	}
	if (st)
		*st = after;
	return fd;
}

const char *content_strerror(int err)
{
	return err == -ENXIO ? "not a regular file" : strerror(-err);
}

int content_open(int dirfd, const char *name, struct stat *st)
{
	int pathfd, fd;

	pathfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pathfd < 0)
		return -errno;
	fd = content_reopen(pathfd, O_NOATIME, st);
	close(pathfd);
	return fd;
}

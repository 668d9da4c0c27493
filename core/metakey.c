// SPDX-License-Identifier: GPL-2.0-or-later
/* The shared metadata of a hard link and its canonical encoding. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <xxhash.h>

#include "metakey.h"

static int cmp_xattr(const void *a, const void *b)
{
	const struct xattr *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void free_xattrs(struct xattr *xs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(xs[i].name);
		free(xs[i].value);
	}
	free(xs);
}

/* Lists the names of @fd's xattrs into a new buffer; sets *len. */
static int list_names(int fd, char **names, size_t *len)
{
	char *buf = NULL;
	ssize_t n;

	*names = NULL;
	*len = 0;
	for (;;) {
		n = flistxattr(fd, NULL, 0);
		if (n < 0)
			goto out_errno;
		if (n == 0)
			break;
		free(buf);
		buf = malloc(n);
		if (!buf)
			return -ENOMEM;
		n = flistxattr(fd, buf, n);
		if (n >= 0)
			break;
		if (errno != ERANGE)
			goto out_errno;	/* ERANGE: grew meanwhile, retry */
	}
	*names = buf;
	*len = n;
	return 0;

out_errno:
	n = -errno;
	free(buf);
	if (n == -ENOTSUP)	/* a filesystem without xattrs */
		return 0;
	return n;
}

static int read_value(int fd, const char *name, struct xattr *x)
{
	ssize_t n;

	for (;;) {
		n = fgetxattr(fd, name, NULL, 0);
		if (n < 0)
			return -errno;
		x->value = malloc(n ? n : 1);
		if (!x->value)
			return -ENOMEM;
		n = fgetxattr(fd, name, x->value, n);
		if (n >= 0)
			break;
		n = -errno;
		free(x->value);
		x->value = NULL;
		if (n != -ERANGE)
			return n;
	}
	x->len = n;
	x->name = strdup(name);
	return x->name ? 0 : -ENOMEM;
}

static int read_xattrs(int fd, struct metakey *k)
{
	char *names, *p;
	size_t len, n = 0;
	int ret;

	ret = list_names(fd, &names, &len);
	if (ret)
		return ret;
	for (p = names; p < names + len; p += strlen(p) + 1)
		n++;
	k->xattrs = calloc(n ? n : 1, sizeof(*k->xattrs));
	if (!k->xattrs) {
		free(names);
		return -ENOMEM;
	}
	for (p = names; p < names + len; p += strlen(p) + 1) {
		ret = read_value(fd, p, &k->xattrs[k->n_xattrs]);
		if (ret == -ENODATA) {
			ret = 0;	/* removed since listed */
			continue;
		}
		if (ret) {
			free(k->xattrs[k->n_xattrs].value);
			break;
		}
		k->n_xattrs++;
	}
	free(names);
	qsort(k->xattrs, k->n_xattrs, sizeof(*k->xattrs), cmp_xattr);
	return ret;
}

/* Whether an ioctl's error means the filesystem has no such thing. */
static bool unsupported(int err)
{
	return err == ENOTTY || err == ENOTSUP || err == EOPNOTSUPP ||
	       err == EINVAL || err == ENOSYS;
}

/* Reads @fd's inode flags (FS_IOC_GETFLAGS): 0 where there are none. */
static int get_iflags(int fd, uint32_t *iflags)
{
	int flags;

	*iflags = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return unsupported(errno) ? 0 : -errno;
	*iflags = flags;
	return 0;
}

int metakey_project(int fd, uint32_t *projid)
{
	struct fsxattr fsx;

	*projid = 0;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		return unsupported(errno) ? 0 : -errno;
	*projid = fsx.fsx_projid;
	return 0;
}

struct encoder {
	unsigned char *buf;
	size_t len;
};

static void put(struct encoder *e, const void *p, size_t n)
{
	if (e->buf)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void put_u32(struct encoder *e, uint32_t v)
{
	unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(e, b, 4);
}

static void put_u64(struct encoder *e, uint64_t v)
{
	put_u32(e, v);
	put_u32(e, v >> 32);
}

/* Writes the encoding to e->buf, or only counts it when buf is NULL. */
static void encode(const struct metakey *k, struct encoder *e)
{
	bool more = k->iflags || k->projid;
	unsigned char head[6] = { 'v', 'h', 'm', 'k', METAKEY_VERSION,
				  k->ignore_mtime | more << 1 };
	size_t i;

	put(e, head, sizeof(head));
	put_u32(e, k->mode);
	put_u32(e, k->uid);
	put_u32(e, k->gid);
	put_u64(e, k->ignore_mtime ? 0 : (uint64_t)k->mtime.tv_sec);
	put_u32(e, k->ignore_mtime ? 0 : k->mtime.tv_nsec);
	put_u32(e, k->n_xattrs);
	for (i = 0; i < k->n_xattrs; i++) {
		size_t nlen = strlen(k->xattrs[i].name);

		put_u32(e, nlen);
		put(e, k->xattrs[i].name, nlen);
		put_u32(e, k->xattrs[i].len);
		put(e, k->xattrs[i].value, k->xattrs[i].len);
	}
	if (more) {
		put_u32(e, k->iflags);
		put_u32(e, k->projid);
	}
}

int metakey_read(int fd, const struct stat *st, bool ignore_mtime,
		 struct metakey *k)
{
	struct encoder e = { NULL, 0 };
	int ret;

	memset(k, 0, sizeof(*k));
	k->mode = st->st_mode & 07777;
	k->uid = st->st_uid;
	k->gid = st->st_gid;
	k->mtime = st->st_mtim;
	k->ignore_mtime = ignore_mtime;

	ret = read_xattrs(fd, k);
	if (!ret)
		ret = get_iflags(fd, &k->iflags);
	if (!ret)
		ret = metakey_project(fd, &k->projid);
	if (ret)
		goto out_release;
	k->iflags &= METAKEY_IFLAGS;

	encode(k, &e);
	e.buf = malloc(e.len);
	if (!e.buf) {
		ret = -ENOMEM;
		goto out_release;
	}
	e.len = 0;
	encode(k, &e);
	k->enc = e.buf;
	k->enc_len = e.len;
	k->id = XXH3_64bits(k->enc, k->enc_len);
	return 0;

out_release:
	metakey_release(k);
	return ret;
}

uint64_t metakey_id_as(const struct metakey *k, bool ignore_mtime)
{
	struct metakey c = *k;
	struct encoder e = { NULL, 0 };
	uint64_t id;

	if (ignore_mtime == k->ignore_mtime)
		return k->id;
	c.ignore_mtime = ignore_mtime;
	encode(&c, &e);
	e.buf = malloc(e.len);
	if (!e.buf)
		return 0;
	e.len = 0;
	encode(&c, &e);
	id = XXH3_64bits(e.buf, e.len);
	free(e.buf);
	return id;
}

void metakey_release(struct metakey *k)
{
	free_xattrs(k->xattrs, k->n_xattrs);
	free(k->enc);
	k->xattrs = NULL;
	k->n_xattrs = 0;
	k->enc = NULL;
	k->enc_len = 0;
}

bool metakey_equal(const struct metakey *a, const struct metakey *b)
{
	return a->enc_len == b->enc_len && !memcmp(a->enc, b->enc, a->enc_len);
}

/* Whether @k has an xattr called @name. */
static bool has_xattr(const struct metakey *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n_xattrs; i++)
		if (!strcmp(k->xattrs[i].name, name))
			return true;
	return false;
}

/* Removes every xattr of @fd that @k lacks. */
static int remove_other_xattrs(const struct metakey *k, int fd)
{
	char *names, *p;
	size_t len;
	int ret;

	ret = list_names(fd, &names, &len);
	if (ret)
		return ret;
	for (p = names; p < names + len; p += strlen(p) + 1) {
		if (has_xattr(k, p))
			continue;
		if (fremovexattr(fd, p) && errno != ENODATA) {
			ret = -errno;
			break;
		}
	}
	free(names);
	return ret;
}

/* Sets the flags of @k within @mask on @fd, keeping its others. */
static int set_iflags(const struct metakey *k, int fd, uint32_t mask)
{
	uint32_t cur;
	int ret, flags;

	ret = get_iflags(fd, &cur);
	if (ret)
		return ret;
	flags = (cur & ~mask) | (k->iflags & mask);
	if ((uint32_t)flags == cur)
		return 0;
	return ioctl(fd, FS_IOC_SETFLAGS, &flags) ? -errno : 0;
}

static int set_project(const struct metakey *k, int fd)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx)) {
		if (!k->projid && unsupported(errno))
			return 0;
		return -errno;
	}
	if (fsx.fsx_projid == k->projid)
		return 0;
	fsx.fsx_projid = k->projid;
	return ioctl(fd, FS_IOC_FSSETXATTR, &fsx) ? -errno : 0;
}

int metakey_apply_early(const struct metakey *k, int fd)
{
	return set_iflags(k, fd, METAKEY_IFLAGS_EARLY);
}

int metakey_apply(const struct metakey *k, int fd)
{
	struct timespec times[2] = { k->mtime, k->mtime };
	size_t i;
	int ret;

	/* chown first: it clears set-id bits and file capabilities */
	if (fchown(fd, k->uid, k->gid))
		return -errno;
	/* before chmod: removing an inherited ACL leaves the mode alone */
	ret = remove_other_xattrs(k, fd);
	if (ret)
		return ret;
	if (fchmod(fd, k->mode))
		return -errno;
	for (i = 0; i < k->n_xattrs; i++) {
		const struct xattr *x = &k->xattrs[i];

		if (fsetxattr(fd, x->name, x->value, x->len, 0))
			return -errno;
	}
	ret = set_project(k, fd);
	if (!ret)
		ret = set_iflags(k, fd, METAKEY_IFLAGS);
	if (ret)
		return ret;
	if (futimens(fd, times))
		return -errno;
	return 0;
}

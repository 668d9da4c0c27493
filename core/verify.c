// SPDX-License-Identifier: GPL-2.0-or-later
/* Verifying every object of the store against its name; see maint.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "immutable.h"
#include "log.h"
#include "maint.h"
#include "metakey.h"

struct verify {
	bool remove;
	uint64_t objects, bytes;
	unsigned long corrupt;
	int failed;
};

/* Why object @name (open as @fd) does not match its name, or NULL. */
static const char *check(struct store *s, int fd, const char *name,
			 const struct stat *st, int *err)
{
	struct digest want, got;
	struct metakey k;
	uint64_t meta_id;
	bool meta_ok, content;
	off_t size;

	*err = 0;
	if (store_parse_name(name, &want, &meta_id, &content))
		return "not an object name";
	if (want.len != (store_hash(s) == HASH_SHA256 ? 32 : 16))
		return "name of another hash method";
	*err = content_hash(fd, store_hash(s), &got, &size);
	if (*err)
		return NULL;
	if (size != st->st_size || !digest_equal(&want, &got))
		return "content does not match its name";
	if (content)
		return NULL;	/* a dedupe source has no metadata of note */
	/* the key was made with or without --ignore-mtime */
	*err = metakey_read(fd, st, false, &k);
	if (*err)
		return NULL;
	meta_ok = k.id == meta_id;
	metakey_release(&k);
	if (!meta_ok) {
		*err = metakey_read(fd, st, true, &k);
		if (*err)
			return NULL;
		meta_ok = k.id == meta_id;
		metakey_release(&k);
	}
	if (!meta_ok)
		return "metadata changed since it was stored";
	if (store_is_immutable(s) && immutable_get(fd) != 1)
		return "not immutable, in an immutable store";
	return NULL;
}

/*
 * Unlinks entry @base (@st) of fan-out directory @dirfd; an immutable
 * object loses its flag meanwhile and gets it back, for the guests keep
 * the inode. Returns 0 or -errno.
 */
static int remove_entry(struct store *s, int dirfd, const char *base,
			const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return unlinkat(dirfd, base, 0) ? -errno : 0;
	return immutable_unlink(s, dirfd, base, NULL);
}

static int verify_one(struct store *s, int dirfd, const char *name,
		      const struct stat *st, void *arg)
{
	struct verify *v = arg;
	const char *base = strchr(name, '/'), *why = NULL;
	int fd, err = 0;

	if (!base) {
		/* an entry of objects/ itself */
		v->corrupt++;
		error("unexpected '%s/objects/%s' in the store: %s",
		      qs(store_path(s)), qs(name), S_ISLNK(st->st_mode) ?
		      "a symbolic link" : "not a fan-out directory");
		if (v->remove && !store_is_dry_run(s) &&
		    !S_ISDIR(st->st_mode) && unlinkat(dirfd, name, 0)) {
			err = -errno;
			error_errno(err, "cannot remove '%s/objects/%s'",
				    qs(store_path(s)), qs(name));
		}
		return 0;
	}
	base++;
	v->objects++;
	v->bytes += st->st_size;
	if (S_ISLNK(st->st_mode)) {
		why = "a symbolic link";
	} else if (!S_ISREG(st->st_mode)) {
		why = "not a regular file";
	} else {
		fd = content_open(dirfd, base, NULL);
		if (fd < 0) {
			err = fd;
		} else {
			why = check(s, fd, name, st, &err);
			close(fd);
		}
	}
	if (err) {
		error("cannot verify object '%s/objects/%s': %s",
		      qs(store_path(s)), name, strerror(-err));
		v->failed++;
		return 0;
	}
	if (!why) {
		note(2, "good '%s'", name);
		return 0;
	}
	v->corrupt++;
	error("corrupt object '%s/objects/%s': %s", qs(store_path(s)), qs(name),
	      why);
	if (v->remove && !store_is_dry_run(s)) {
		err = remove_entry(s, dirfd, base, st);
		if (err)
			error("cannot remove '%s/objects/%s': %s",
			      qs(store_path(s)), qs(name), strerror(-err));
		else
			note(0, "removed '%s' from the store: the next run "
			     "makes a good object of its files", qs(name));
	}
	return 0;
}

int verify_store(struct store *s, bool remove, unsigned long *corrupt)
{
	struct verify v = { .remove = remove };
	int ret;

	ret = store_each_object(s, verify_one, &v);
	if (ret) {
		error("cannot read objects of store '%s': %s",
		      qs(store_path(s)), strerror(-ret));
		return ret;
	}
	printf("store '%s': %" PRIu64 " objects (%" PRIu64 " bytes) "
	       "verified, %lu corrupt\n", qs(store_path(s)), v.objects, v.bytes,
	       v.corrupt);
	*corrupt += v.corrupt;
	return v.failed ? -EIO : 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Garbage collection of the store; see store-gc.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "dedupe.h"
#include "immutable.h"
#include "log.h"
#include "store-gc.h"

struct gc {
	uint64_t objects, removed, bytes;
	int failed;
};


static int collect(struct store *s, int dirfd, const char *name,
		   const struct stat *st, void *arg)
{
	struct gc *gc = arg;
	const char *base = strchr(name, '/');
	int ret;

	if (!base || !S_ISREG(st->st_mode)) {
		/* not ours: left alone for --verify to report and remove */
		error("unexpected '%s/objects/%s' in the store: %s, see "
		      "--verify", qs(store_path(s)), qs(name),
		      S_ISLNK(st->st_mode) ? "a symbolic link" : base ?
		      "not a regular file" : "not a fan-out directory");
		gc->failed++;
		return 0;
	}
	base++;
	gc->objects++;
	if (st->st_nlink != 1)
		return 0;
	/* a dedupe source is referenced by shared extents, not links */
	if (strstr(base, "-content")) {
		int fd = content_open(dirfd, base, NULL), shared;

		shared = fd < 0 ? fd : dedupe_any_shared(fd);
		if (fd >= 0)
			close(fd);
		if (shared)	/* shared, or cannot tell: keep it */
			return 0;
	}
	/* the lock keeps hashify runs out: nobody links it meanwhile */
	if (!store_is_dry_run(s)) {
		ret = immutable_unlink(s, dirfd, base, NULL);
		if (ret) {
			error("cannot remove object '%s/objects/%s': %s",
			      qs(store_path(s)), qs(name), strerror(-ret));
			gc->failed++;
			return 0;
		}
	}
	note(1, "%s '%s'", store_is_dry_run(s) ? "would remove" : "removed",
	     name);
	gc->removed++;
	gc->bytes += st->st_size;
	return 0;
}

int gc_store(struct store *s)
{
	struct gc gc = { 0 };
	int ret, tmp;

	ret = store_each_object(s, collect, &gc);
	if (ret) {
		error("cannot read objects of store '%s': %s",
		      qs(store_path(s)), strerror(-ret));
		return ret;
	}
	tmp = store_clean_tmp(s);
	printf("store '%s': %" PRIu64 " objects, %s %" PRIu64
	       " unreferenced (%" PRIu64 " bytes) and %d leftover "
	       "temporaries\n", qs(store_path(s)), gc.objects,
	       store_is_dry_run(s) ? "would remove" : "removed", gc.removed,
	       gc.bytes, tmp > 0 ? tmp : 0);
	return gc.failed ? -EIO : 0;
}

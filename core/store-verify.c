// SPDX-License-Identifier: GPL-2.0-or-later
/* Verifying every object of the store against its name; see store-verify.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "content.h"
#include "guest-restore.h"
#include "immutable.h"
#include "json.h"
#include "log.h"
#include "metakey.h"
#include "store-verify.h"
#include "u64set.h"
#include "walk.h"

struct verify {
	struct verification *run;
	uint64_t objects, bytes;
	unsigned long corrupt;
	int failed;
};

/* What check() finds wrong that means a guest wrote the object. */
static const char content_changed[] = "content does not match its name";
static const char metadata_changed[] = "metadata changed since it was stored";

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
		return content_changed;
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
		return metadata_changed;
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

/* Keeps the regular file @name (@st) that is @why for verify_guests(). */
static int keep_bad(struct verification *v, struct store *s, const char *name,
		    const struct stat *st, const char *why)
{
	struct bad_object *b;

	b = realloc(v->bad, (v->n_bad + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	v->bad = b;
	b += v->n_bad++;
	memset(b, 0, sizeof(*b));
	b->store = s;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->why = why;
	b->dev = st->st_dev;
	b->ino = st->st_ino;
	b->modified = why == content_changed || why == metadata_changed;
	return 0;
}

static int verify_one(struct store *s, int dirfd, const char *name,
		      const struct stat *st, void *arg)
{
	struct verify *v = arg;
	struct verification *run = v->run;
	const char *base = strchr(name, '/'), *why = NULL;
	int fd, err = 0;

	if (!base) {
		/* an entry of objects/ itself */
		v->corrupt++;
		error("unexpected '%s/objects/%s' in the store: %s",
		      qs(store_path(s)), qs(name), S_ISLNK(st->st_mode) ?
		      "a symbolic link" : "not a fan-out directory");
		if (run->remove && !store_is_dry_run(s) &&
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
	/* guests may link a regular file: verify_guests() names them */
	if (S_ISREG(st->st_mode)) {
		err = keep_bad(run, s, name, st, why);
		if (err)
			return err;
		if (run->detach && run->bad[run->n_bad - 1].modified)
			return 0;	/* detached later, not removed */
	}
	if (run->remove && !store_is_dry_run(s)) {
		err = remove_entry(s, dirfd, base, st);
		if (err) {
			error("cannot remove '%s/objects/%s': %s",
			      qs(store_path(s)), qs(name), strerror(-err));
		} else if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
			note(0, "removed '%s' from the store: %lu guest names "
			     "keep sharing its inode (--detach-modified gives "
			     "each its own copy)", qs(name),
			     (unsigned long)st->st_nlink - 1);
			run->bad[run->n_bad - 1].removed = true;
		} else {
			note(0, "removed '%s' from the store: the next run "
			     "makes a good object of its files", qs(name));
			if (S_ISREG(st->st_mode))
				run->bad[run->n_bad - 1].removed = true;
		}
	}
	return 0;
}

int verify_store(struct store *s, struct verification *run)
{
	struct verify v = { .run = run };
	struct verify_figures *f;
	int ret;

	ret = store_each_object(s, verify_one, &v);
	if (ret) {
		error("cannot read objects of store '%s': %s",
		      qs(store_path(s)), strerror(-ret));
		return ret;
	}
	run->corrupt += v.corrupt;
	f = realloc(run->stores, (run->n_stores + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	run->stores = f;
	run->stores[run->n_stores++] = (struct verify_figures){
		store_path(s), v.objects, v.bytes, v.corrupt };
	if (!run->json)
		printf("store '%s': %" PRIu64 " objects (%" PRIu64 " bytes) "
		       "verified, %lu corrupt\n", qs(store_path(s)), v.objects,
		       v.bytes, v.corrupt);
	return v.failed ? -EIO : 0;
}

/* One guest's walk for the paths linked to bad objects. */
struct paths_walk {
	struct verification *v;
	struct guest *g;
	struct u64set inos;	/* of v->bad, a quick first test */
	struct restore *restore;	/* detaching, else NULL */
	struct tally t;
	uint64_t paths, copies;
	bool json_first;
};

static struct bad_object *bad_of(const struct paths_walk *w,
				 const struct stat *st)
{
	size_t i;

	if (!u64set_has(&w->inos, st->st_ino))
		return NULL;
	for (i = 0; i < w->v->n_bad; i++)
		if (w->v->bad[i].ino == st->st_ino &&
		    w->v->bad[i].dev == st->st_dev)
			return &w->v->bad[i];
	return NULL;
}

static bool paths_enter(const struct walk_entry *e, void *arg)
{
	struct paths_walk *w = arg;

	return e->st.st_dev == w->g->st.st_dev &&
	       !store_is_dir(w->g->store, &e->st);
}

static bool paths_file(const struct walk_entry *e, void *arg)
{
	struct paths_walk *w = arg;
	struct bad_object *b;
	uint64_t restored = w->t.restored;
	bool replaced = false, copy;

	if (!S_ISREG(e->st.st_mode) || e->other_mount)
		return false;
	b = bad_of(w, &e->st);
	if (!b)
		return false;
	b->paths++;
	w->paths++;
	copy = w->restore && b->modified;
	if (copy) {
		replaced = restore_entry(w->restore, e);
		copy = w->t.restored > restored;
		w->copies += copy;
	}
	if (w->v->json) {
		printf("%s\n    {", w->json_first ? "" : ",");
		w->json_first = false;
		json_name(stdout, "guest", w->g->path);
		printf(", ");
		json_name(stdout, "path", e->path);
		printf(", ");
		json_name(stdout, "object", b->name);
		printf(", \"private_copy\": %s}", copy ? "true" : "false");
		return replaced;
	}
	printf("'%s%s' links corrupt object '%s'\n", qs(w->g->prefix),
	       qs(e->path), qs(b->name));
	if (copy)
		printf("'%s%s' %s a private copy\n", qs(w->g->prefix),
		       qs(e->path), w->v->dry_run ? "would get" : "got");
	return replaced;
}

static void paths_fail(const char *path, int err, void *arg)
{
	struct paths_walk *w = arg;

	error("cannot read directory '%s%s': %s", qs(w->g->prefix), qs(path),
	      strerror(-err));
	w->t.failed++;
}

/*
 * Removes the store name of the modified object @b once the guests'
 * paths got their copies: only when the store's name is its last (in a
 * dry run: when every other name was found in the guests). Returns 1
 * removed (or would be), 0 left, -errno failed (said).
 */
static int detach_object(struct verification *v, struct bad_object *b)
{
	struct stat st;
	int fan, ret;

	fan = store_object_dir(b->store, b->name, false);
	if (fan < 0)
		ret = fan;
	else if (fstatat(fan, b->name + 3, &st, AT_SYMLINK_NOFOLLOW))
		ret = -errno;
	else if (st.st_ino != b->ino || st.st_dev != b->dev)
		ret = -ESTALE;
	else
		ret = 0;
	if (ret) {
		error("cannot detach object '%s/objects/%s': %s",
		      qs(store_path(b->store)), qs(b->name), ret == -ESTALE ?
		      "another file took its name" : strerror(-ret));
		return ret;
	}
	if (st.st_nlink > 1 + (v->dry_run ? b->paths : 0)) {
		error("cannot detach object '%s/objects/%s': %llu other "
		      "names of it are left, in guests not walked or "
		      "changed while detached",
		      qs(store_path(b->store)), qs(b->name), (unsigned long long)
		      (st.st_nlink - 1 - (v->dry_run ? b->paths : 0)));
		return -EBUSY;
	}
	if (!v->dry_run) {
		ret = immutable_unlink(b->store, fan, b->name + 3, &st);
		if (ret) {
			error("cannot remove '%s/objects/%s': %s",
			      qs(store_path(b->store)), qs(b->name), strerror(-ret));
			return ret;
		}
		b->removed = true;
	}
	if (!v->json)
		printf("%s object '%s' from the store\n", v->dry_run ?
		       "would detach" : "detached", qs(b->name));
	return 1;
}

static void json_head(const struct verification *v)
{
	size_t i;

	printf("{\n  \"version\": 1,\n  \"dry_run\": %s,\n  \"stores\": [",
	       v->dry_run ? "true" : "false");
	for (i = 0; i < v->n_stores; i++) {
		printf("%s\n    {", i ? "," : "");
		json_name(stdout, "path", v->stores[i].path);
		printf(", \"objects\": %" PRIu64 ", \"bytes\": %" PRIu64
		       ", \"corrupt\": %lu}", v->stores[i].objects,
		       v->stores[i].bytes, v->stores[i].corrupt);
	}
	printf("\n  ],\n  \"corrupt\": [");
	for (i = 0; i < v->n_bad; i++) {
		printf("%s\n    {", i ? "," : "");
		json_name(stdout, "store", store_path(v->bad[i].store));
		printf(", ");
		json_name(stdout, "object", v->bad[i].name);
		printf(", ");
		json_name(stdout, "error", v->bad[i].why);
		printf(", \"modified\": %s}",
		       v->bad[i].modified ? "true" : "false");
	}
	printf("\n  ],\n  \"guest_paths\": [");
}

unsigned long verify_guests(struct verification *v, struct guest *guests,
			    int n)
{
	static const struct walk_ops ops = { paths_enter, paths_file,
					      paths_fail };
	struct paths_walk w = { .v = v, .json_first = true };
	unsigned long failed = 0, detached = 0;
	uint64_t paths = 0, copies = 0;
	int i, walked = 0, ret;
	size_t k;

	if (v->json)
		json_head(v);
	for (k = 0; k < v->n_bad; k++)
		if (u64set_add(&w.inos, v->bad[k].ino))
			return 1;
	for (i = 0; i < n && v->n_bad; i++) {
		struct guest *g = &guests[i];

		/* a guest can link only objects of its own filesystem */
		for (k = 0; k < v->n_bad; k++)
			if (v->bad[k].dev == g->st.st_dev)
				break;
		if (k == v->n_bad)
			continue;
		g->store = v->bad[k].store;
		w.g = g;
		memset(&w.t, 0, sizeof(w.t));
		w.paths = w.copies = 0;
		w.restore = NULL;
		ret = v->detach ? restore_begin(g, v->dry_run, &w.t,
						&w.restore) : 0;
		if (!ret)
			ret = walk_tree(g->rootfd, &ops, &w);
		restore_end(w.restore);
		if (ret) {
			error("cannot walk guest '%s': %s", qs(g->path),
			      strerror(-ret));
			w.t.failed++;
		}
		walked++;
		paths += w.paths;
		copies += w.copies;
		failed += w.t.failed;
	}
	u64set_release(&w.inos);
	for (k = 0; v->detach && k < v->n_bad; k++) {
		if (!v->bad[k].modified || v->bad[k].removed)
			continue;
		ret = detach_object(v, &v->bad[k]);
		if (ret < 0)
			failed++;
		else
			detached += ret;
	}
	if (v->json) {
		printf("\n  ],\n  \"guests_walked\": %d,\n"
		       "  \"guest_path_count\": %" PRIu64 ",\n"
		       "  \"private_copies\": %" PRIu64 ",\n"
		       "  \"objects_detached\": %lu,\n  \"failed\": %lu\n}\n",
		       walked, paths, copies, detached, failed);
		return failed;
	}
	if (v->n_bad)
		printf("%" PRIu64 " guest paths link corrupt objects (%d "
		       "guests walked)\n", paths, walked);
	if (v->detach)
		printf("%" PRIu64 " guest paths %s a private copy, %lu "
		       "objects %s from the store, %lu failed\n", copies,
		       v->dry_run ? "would get" : "got", detached,
		       v->dry_run ? "would be detached" : "detached", failed);
	return failed;
}

void verify_release(struct verification *v)
{
	free(v->bad);
	free(v->stores);
	v->bad = NULL;
	v->stores = NULL;
}

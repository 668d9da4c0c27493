// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Adopting util-vserver's hash directory into the store; see migrate.h.
 * The layout is util-vserver's src/vhashify-init.hc (one entry per
 * filesystem, told apart by device, and the "method" file) and
 * src/vhashify.c (objects ab/cd/<rest>-<collision counter as 8 hex
 * digits>, made as empty placeholders first).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "content.h"
#include "immutable.h"
#include "log.h"
#include "match.h"
#include "metakey.h"
#include "migrate.h"
#include "u64set.h"
#include "vserver.h"
#include "walk.h"

struct adopt_inodes {
	dev_t dev;
	struct u64set ino;
};

struct adopt_tally {
	unsigned long adopted, already, placeholders, removed, skipped,
		      failed;
	unsigned long long bytes;
};

/* The adoption of the hash directory of one filesystem into its store. */
struct fs_adoption {
	struct adopt_options *o;
	struct store *s;
	const char *fsdir;	/* the hash directory of one filesystem */
	struct adopt_tally t;
};

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return !s[n] || s[n] == '-';
}

/* Whether @name is an old object name's last part: <hex>-<8 hex>. */
static bool old_object_name(const char *name)
{
	const char *dash = strchr(name, '-');

	return dash && dash > name && is_hex(name, dash - name) &&
	       strlen(dash + 1) == 8 && is_hex(dash + 1, 8);
}

/*
 * Links the object open as @fd (@st) into the store under the name of
 * its content and metadata, or finds it there already. Returns 1 when
 * adopted (or would be), 0 when already there, -errno.
 */
static int adopt_one(struct fs_adoption *r, int fd, const struct stat *st,
		     const char *path)
{
	struct store_names names;
	const char *name = names.name;
	struct digest d;
	struct metakey k;
	struct stat now, ost;
	off_t size;
	struct immutable_hold h;
	int ret, ofd;

	ret = content_hash(fd, store_hash(r->s), &d, &size);
	if (ret)
		return ret;
	ret = metakey_read(fd, st, r->o->ignore_mtime, &k);
	if (ret)
		return ret;
	/* the proof: what was hashed is what is linked */
	if (fstat(fd, &now) || size != st->st_size ||
	    now.st_size != st->st_size ||
	    now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	    now.st_ctim.tv_sec != st->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != st->st_ctim.tv_nsec) {
		metakey_release(&k);
		warning("skipped '%s': changed while read", qs(path));
		return -EAGAIN;
	}
	store_names_init(&names, &d, k.id, NULL, false);
	for (;;) {
		if (!store_names_next(&names)) {
			ret = -EMLINK;
			break;
		}
		ofd = store_open_object(r->s, name, &ost);
		if (ofd >= 0) {
			close(ofd);
			if (ost.st_ino == st->st_ino) {
				ret = 0;	/* adopted before */
				break;
			}
			continue;	/* another inode: a sibling */
		}
		if (ofd != -ENOENT) {
			ret = ofd;
			break;
		}
		if (r->o->dry_run) {
			ret = store_plan(r->s, name);
			if (ret == 0)
				continue;	/* planned for another */
			ret = ret < 0 ? ret : 1;
			break;
		}
		/* a link to an immutable inode needs the flag off */
		ret = immutable_hold(r->s, fd, &h);
		if (ret)
			break;
		ret = store_adopt(r->s, fd, st, name);
		immutable_release(&h, false);
		if (ret == -EEXIST && store_names_again(&names))
			continue;	/* appeared meanwhile */
		ret = ret ? ret : 1;
		break;
	}
	if (ret == 1)
		note(1, "%s '%s' as '%s'", r->o->dry_run ? "would adopt" :
		     "adopted", qs(path), name);
	metakey_release(&k);
	return ret;
}

/* Records the inode of the object @st as adopted (or to be). */
static int remember(struct adopt_options *o, const struct stat *st)
{
	struct adopt_inodes *v;
	int i;

	for (i = 0; i < o->n_inodes; i++)
		if (o->inodes[i].dev == st->st_dev)
			return u64set_add(&o->inodes[i].ino, st->st_ino);
	v = realloc(o->inodes, (o->n_inodes + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->inodes = v;
	v[o->n_inodes].dev = st->st_dev;
	v[o->n_inodes].ino = (struct u64set)U64SET_INIT;
	return u64set_add(&v[o->n_inodes++].ino, st->st_ino);
}

static bool adopted(const struct adopt_options *o, const struct stat *st)
{
	int i;

	for (i = 0; i < o->n_inodes; i++)
		if (o->inodes[i].dev == st->st_dev)
			return u64set_has(&o->inodes[i].ino, st->st_ino);
	return false;
}

void adopt_release(struct adopt_options *o)
{
	int i;

	for (i = 0; i < o->n_inodes; i++)
		u64set_release(&o->inodes[i].ino);
	free(o->inodes);
	o->inodes = NULL;
	o->n_inodes = 0;
}

/* One entry of a fan-out directory: an object, a placeholder, other. */
static void adopt_entry(struct fs_adoption *r, int dirfd, const char *sub,
			const char *name)
{
	char *path;
	struct stat st;
	int fd, ret;

	if (asprintf(&path, "%s/%s/%s", r->fsdir, sub, name) < 0)
		return;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(st.st_mode) || !old_object_name(name)) {
		warning("left '%s' alone: not a util-vserver object",
			qs(path));
		r->t.skipped++;
		goto out;
	}
	if (st.st_size == 0 && st.st_nlink == 1) {
		/* made before the copy it was meant for: nobody's */
		r->t.placeholders++;
		if (!r->o->remove || r->o->dry_run) {
			printf("placeholder '%s'\n", qs(path));
		} else if (unlinkat(dirfd, name, 0)) {
			ret = -errno;
			error_errno(ret, "cannot remove placeholder '%s'",
				    qs(path));
			r->t.failed++;
		} else {
			printf("removed placeholder '%s'\n", qs(path));
		}
		goto out;
	}
	fd = content_open(dirfd, name, &st);
	if (fd < 0) {
		ret = fd;
		goto failed;
	}
	ret = adopt_one(r, fd, &st, path);
	close(fd);
	if (ret == -EAGAIN) {
		r->t.skipped++;
		goto out;
	}
	if (ret < 0)
		goto failed;
	if (remember(r->o, &st)) {
		ret = -ENOMEM;
		goto failed;
	}
	if (ret) {
		r->t.adopted++;
		r->t.bytes += st.st_size;
	} else {
		r->t.already++;
	}
	if (r->o->remove && !r->o->dry_run) {
		ret = immutable_unlink(r->s, dirfd, name, NULL);
		if (ret)
			goto failed;
		r->t.removed++;
	}
	goto out;
failed:
	error("cannot adopt '%s': %s", qs(path), strerror(-ret));
	r->t.failed++;
out:
	free(path);
}

/* Lists directory @fd (closing it) as sorted names; -errno. */
static int list_dir(int fd, struct dirent ***names)
{
	int n = scandirat(fd, ".", names, NULL, alphasort);

	n = n < 0 ? -errno : n;
	close(fd);
	return n;
}

static bool fanout_name(const char *name)
{
	return strlen(name) == 2 && is_hex(name, 2);
}

/* The objects of one filesystem's hash directory, open as @fd. */
static void adopt_fs(struct fs_adoption *r, int fd)
{
	struct dirent **l1, **l2, **l3;
	int n1, n2, n3, i, j, m, fd2, fd3;
	char sub[6];

	n1 = list_dir(dup(fd), &l1);
	for (i = 0; i < n1; i++) {
		fd2 = fanout_name(l1[i]->d_name) ?
		      openat(fd, l1[i]->d_name, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC) : -1;
		n2 = fd2 >= 0 ? list_dir(dup(fd2), &l2) : 0;
		for (j = 0; j < n2; j++) {
			fd3 = fanout_name(l2[j]->d_name) ?
			      openat(fd2, l2[j]->d_name, O_RDONLY |
				     O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC) : -1;
			snprintf(sub, sizeof(sub), "%.2s/%.2s",
				 l1[i]->d_name, l2[j]->d_name);
			n3 = fd3 >= 0 ? list_dir(dup(fd3), &l3) : 0;
			for (m = 0; m < n3; m++) {
				if (l3[m]->d_name[0] != '.')
					adopt_entry(r, fd3, sub,
						    l3[m]->d_name);
				free(l3[m]);
			}
			if (n3 > 0)
				free(l3);
			if (fd3 >= 0)
				close(fd3);
			free(l2[j]);
		}
		if (n2 > 0)
			free(l2);
		if (fd2 >= 0)
			close(fd2);
		free(l1[i]);
	}
	if (n1 > 0)
		free(l1);
	close(fd);
}

/* The index of the store on filesystem @dev, or -1. */
static int store_on(struct adopt_options *o, dev_t dev)
{
	struct stat st;
	char *copy;
	int i, ok;

	for (i = 0; i < o->n_stores; i++) {
		ok = !stat(o->store_paths[i], &st);
		if (!ok && (copy = strdup(o->store_paths[i]))) {
			ok = !stat(dirname(copy), &st);
			free(copy);
		}
		if (ok && st.st_dev == dev)
			return i;
	}
	return -1;
}

/* Prints the digest util-vserver named in DIR/method, for the record. */
static void say_method(const char *dir)
{
	char *p, buf[32] = "";
	FILE *f;

	if (asprintf(&p, "%s/method", dir) < 0)
		return;
	f = fopen(p, "re");
	free(p);
	if (f && fscanf(f, "%31s", buf) == 1)
		note(1, "hash directory '%s': method %s, not needed: every "
		     "object is hashed again", qs(dir), qs(buf));
	if (f)
		fclose(f);
}

int adopt_hash_dir(const char *dir, struct adopt_options *o)
{
	struct fs_adoption r = { .o = o };
	struct dirent **ents;
	struct stat st;
	int n, i, j, fd, err, ret = 0;
	char *fsdir;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return error_errno(ret, "cannot open hash directory '%s'",
				   qs(dir));
	}
	say_method(dir);
	n = list_dir(fd, &ents);
	if (n < 0) {
		error("cannot read hash directory '%s': %s", qs(dir),
		      strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;

		if (ret || e[0] == '.' ||
		    asprintf(&fsdir, "%s/%s", dir, e) < 0)
			goto next;
		/* the entries are the administrator's: symlinks followed */
		if (stat(fsdir, &st) || !S_ISDIR(st.st_mode))
			goto next_free;
		j = store_on(o, st.st_dev);
		if (j < 0) {
			error("no store on the filesystem of hash directory "
			      "'%s': give --store DIR on that filesystem",
			      qs(fsdir));
			ret = -ENODEV;
			goto next_free;
		}
		if (!o->stores[j]) {
			ret = store_open(o->store_paths[j], o->hash,
					 o->hash_set, o->dry_run,
					 &o->stores[j]);
			if (ret)
				goto next_free;
		}
		r.s = o->stores[j];
		r.fsdir = fsdir;
		fd = open(fsdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			error_errno(err, "cannot open hash directory '%s'",
				    qs(fsdir));
			r.t.failed++;
		} else {
			adopt_fs(&r, fd);
		}
next_free:
		free(fsdir);
next:
		free(ents[i]);
	}
	free(ents);
	if (ret)
		return ret;
	printf("%s: %lu objects, %llu bytes, no byte copied\n"
	       "already adopted: %lu\nplaceholders: %lu\n"
	       "old names removed: %lu\nleft alone: %lu\nfailed: %lu\n",
	       o->dry_run ? "would adopt" : "adopted", r.t.adopted,
	       r.t.bytes, r.t.already, r.t.placeholders, r.t.removed,
	       r.t.skipped, r.t.failed);
	return r.t.failed ? 1 : 0;
}

int adopt_guests_hash_dirs(const char *cfgroot, struct guest *guests,
			   int n, struct adopt_options *o)
{
	struct stat *seen = calloc(n ? n : 1, sizeof(*seen));
	int i, j, n_seen = 0, ret, status = 0;
	char *dir;

	if (!seen)
		return -ENOMEM;
	for (i = 0; i < n && status >= 0; i++) {
		struct guest *g = &guests[i];

		if (!g->vserver || !g->name) {
			error("cannot find the hash directory of guest '%s': "
			      "not a guest of util-vserver's '%s'",
			      qs(g->path), qs(cfgroot));
			status = 1;
			continue;
		}
		dir = vserver_hash_dir(cfgroot, g->name);
		if (!dir) {
			note(0, "guest '%s' has no hash directory: neither "
			     "'%s/%s/apps/vunify/hash' nor '%s/.defaults/"
			     "apps/vunify/hash'", qs(g->name), qs(cfgroot),
			     qs(g->name), qs(cfgroot));
			continue;
		}
		if (stat(dir, &seen[n_seen])) {
			ret = -errno;
			error("cannot read hash directory '%s': %s", qs(dir),
			      strerror(-ret));
			free(dir);
			status = 1;
			continue;
		}
		/* guests that share .defaults share its hash directory */
		for (j = 0; j < n_seen; j++)
			if (seen[j].st_dev == seen[n_seen].st_dev &&
			    seen[j].st_ino == seen[n_seen].st_ino)
				break;
		if (j < n_seen) {
			note(1, "guest '%s': hash directory '%s', adopted "
			     "once", qs(g->name), qs(dir));
			free(dir);
			continue;
		}
		n_seen++;
		printf("hash directory '%s' of guest '%s'\n", qs(dir),
		       qs(g->name));
		ret = adopt_hash_dir(dir, o);
		free(dir);
		if (ret)
			status = ret < 0 ? ret : 1;
	}
	free(seen);
	return status;
}

/*
 * Whether @name is a temporary of util-vserver's Unify_unify(): NAME
 * followed by ";XXXXXX" as mkstemp(3) fills it, six letters or digits.
 * Returns NAME's length, or 0.
 */
static size_t vserver_tmpname(const char *name)
{
	size_t n = strlen(name), i;
	char c;

	if (n < 8 || name[n - 7] != ';')
		return 0;
	for (i = n - 6; i < n; i++) {
		c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return 0;
	}
	return n - 7;
}

/* One guest walked for util-vserver's leftovers. */
struct leftover_walk {
	struct adopt_options *o;
	struct guest *g;
	unsigned long removed, left, failed;
};

/* Why the temporary @e, NAME being its first @len bytes, is not
 * provably util-vserver's, or NULL when it is. */
static const char *not_theirs(struct leftover_walk *r,
			      const struct walk_entry *e, size_t len)
{
	struct guest *g = r->g;
	struct stat st;
	char *base;
	bool there;

	if (!S_ISREG(e->st.st_mode) || e->other_mount ||
	    !adopted(r->o, &e->st))
		return "not a link to an object of util-vserver's hash "
		       "directory";
	if ((g->excludes && matcher_check(g->excludes, e->path,
					  e->pathlen) == MATCH_EXCLUDE) ||
	    (g->vserver && g->vserver->excludes &&
	     vexclude_skips(g->vserver->excludes, e->path)))
		return "excluded";
	base = strndup(e->name, len);
	if (!base)
		return "out of memory";
	there = !fstatat(e->dirfd, base, &st, AT_SYMLINK_NOFOLLOW);
	free(base);
	/* killed between rename and link: the guest's file is missing */
	return there ? NULL : "the file it was renamed from is missing";
}

static bool leftover_file(const struct walk_entry *e, void *arg)
{
	struct leftover_walk *r = arg;
	size_t len = vserver_tmpname(e->name);
	const char *why;
	int j, ret;

	if (!len)
		return false;
	why = not_theirs(r, e, len);
	if (why) {
		note(1, "left alone '%s%s': named like a temporary of "
		     "util-vserver, but %s", qs(r->g->prefix), qs(e->path),
		     why);
		r->left++;
		return false;
	}
	if (r->o->dry_run) {
		note(1, "would remove util-vserver's leftover '%s%s'",
		     qs(r->g->prefix), qs(e->path));
		r->removed++;
		return false;
	}
	j = store_on(r->o, e->st.st_dev);
	ret = j < 0 || !r->o->stores[j] ? -ENODEV :
	      immutable_unlink(r->o->stores[j], e->dirfd, e->name, &e->st);
	if (ret == -ESTALE) {
		note(1, "left alone '%s%s': changed meanwhile",
		     qs(r->g->prefix), qs(e->path));
		r->left++;
	} else if (ret < 0) {
		error("cannot remove leftover '%s%s': %s", qs(r->g->prefix),
		      qs(e->path), strerror(-ret));
		r->failed++;
	} else {
		note(1, "removed util-vserver's leftover '%s%s'",
		     qs(r->g->prefix), qs(e->path));
		r->removed++;
	}
	return !ret;
}

static bool leftover_enter(const struct walk_entry *e, void *arg)
{
	(void)arg;
	return !e->other_mount;
}

static void leftover_fail(const char *path, int err, void *arg)
{
	struct leftover_walk *r = arg;

	error("cannot read directory '%s%s': %s", qs(r->g->prefix), qs(path),
	      strerror(-err));
	r->failed++;
}

int adopt_leftovers(struct guest *g, struct adopt_options *o)
{
	static const struct walk_ops ops = {
		leftover_enter, leftover_file, leftover_fail,
	};
	struct leftover_walk r = { .o = o, .g = g };
	int ret;

	if (!g->vserver)
		return 0;
	ret = walk_tree(g->rootfd, &ops, &r);
	if (ret) {
		error("cannot walk guest '%s': %s", qs(g->path),
		      strerror(-ret));
		return ret;
	}
	printf("guest '%s': util-vserver leftovers %s: %lu, left alone: "
	       "%lu\n", qs(g->name ? g->name : g->path),
	       o->dry_run ? "to remove" : "removed", r.removed, r.left);
	return r.failed ? 1 : 0;
}

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
#include "metakey.h"
#include "migrate.h"

struct adopt_tally {
	unsigned long adopted, already, placeholders, removed, skipped,
		      failed;
	unsigned long long bytes;
};

struct adopt_run {
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
static int adopt_one(struct adopt_run *r, int fd, const struct stat *st,
		     const char *path)
{
	char name[STORE_NAME_MAX];
	struct digest d;
	struct metakey k;
	struct stat now, ost;
	unsigned int sib;
	off_t size;
	struct immutable_hold h;
	int ret, ofd;

	ret = content_hash(fd, r->s->hash, &d, &size);
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
	for (sib = 0; sib < STORE_MAX_SIBLINGS; sib++) {
		store_object_name(&d, k.id, sib, name);
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
		if (ret == -EEXIST)
			continue;
		ret = ret ? ret : 1;
		break;
	}
	if (sib == STORE_MAX_SIBLINGS)
		ret = -EMLINK;
	if (ret == 1)
		note(1, "%s '%s' as '%s'", r->o->dry_run ? "would adopt" :
		     "adopted", qs(path), name);
	metakey_release(&k);
	return ret;
}

/* One entry of a fan-out directory: an object, a placeholder, other. */
static void adopt_entry(struct adopt_run *r, int dirfd, const char *sub,
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
			error("cannot remove placeholder '%s': %s", qs(path),
			      strerror(errno));
			r->t.failed++;
		} else {
			printf("removed placeholder '%s'\n", qs(path));
		}
		goto out;
	}
	fd = content_open(dirfd, name);
	if (fd < 0 || fstat(fd, &st)) {
		ret = fd < 0 ? fd : -errno;
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
static void adopt_fs(struct adopt_run *r, int fd)
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
	struct adopt_run r = { .o = o };
	struct dirent **ents;
	struct stat st;
	int n, i, j, fd, ret = 0;
	char *fsdir;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		error("cannot open hash directory '%s': %s", qs(dir),
		      strerror(errno));
		return -errno;
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
			error("cannot open hash directory '%s': %s",
			      qs(fsdir), strerror(errno));
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

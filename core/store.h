/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_STORE_H
#define VHASHIFY_STORE_H

/*
 * The content-addressed store: one directory per filesystem.
 *
 *   STORE/config            format version and hash method
 *   STORE/lock              flock()ed by every run that uses the store
 *   STORE/objects/ab/cdef...-0123456789abcdef[@GROUP][.N]
 *                           one inode per content digest (hex, fanned
 *                           out by its first byte), metadata key id and
 *                           trust group ("@GROUP" only for a group
 *                           other than the default one); ".N" siblings
 *                           take over when an object has as many links
 *                           as the filesystem allows
 *   STORE/tmp/              named temporaries where O_TMPFILE is missing
 *   STORE/immutable-pending there while a run may have cleared the
 *                           immutable flag of an object (immutable.h)
 *
 * An object is a guest file adopted as it is (store_adopt), or, for
 * --immutable and reflink, a private copy given its metadata; either is
 * published under its name by an atomic link, so a name never shows a
 * half-made object.
 *
 * No symlink in the store is ever followed: config, lock, objects/,
 * tmp/ and each fan-out directory are opened by themselves with
 * O_NOFOLLOW and must be a regular file or a directory of the store's
 * filesystem, and objects are reached relative to their fan-out
 * directory's fd. Anything else is an error that names it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hash.h"

struct objmap;
struct u64set;

#define STORE_FORMAT 1
/* the longest trust group name (see store_valid_group) */
#define STORE_GROUP_MAX 32
/* "ab/" + rest of the hex digest + "-" + 16 hex + "@" GROUP + ".NNNN"
 * + NUL */
#define STORE_NAME_MAX (DIGEST_HEX_MAX + 32 + 1 + STORE_GROUP_MAX)
/* siblings tried before giving up on one content */
#define STORE_MAX_SIBLINGS 1000
/* times one walk of names looks again at a name that appeared */
#define STORE_MAX_RETRIES 16
/* fan-out directories: objects/00 to objects/ff */
#define STORE_FANOUTS 256

/* A store opened by store_open(); its insides are store.c's. */
struct store;

/*
 * The filesystem each of the @n stores @paths serves, also before the
 * store exists (that of the directory it would be made in), into
 * @devs: one store per filesystem, two on one are an error. Says what
 * is wrong; returns 0 or -errno.
 */
int store_devices(const char *const *paths, int n, dev_t *devs);

/* Its path as given to store_open(). */
const char *store_path(const struct store *s);
/* Its directory's inode (0 when not there yet, in a dry run): part of
 * the names of its temporaries in guests (tmpname.h). */
ino_t store_ino(const struct store *s);
/* Whether @st is the store's own directory. */
bool store_is_dir(const struct store *s, const struct stat *st);
/*
 * Opens STORE/tmp again (for the caller to close), for private files
 * that are not objects. Returns the fd, -ENOENT when there is none (a
 * dry run of a new store), or -errno.
 */
int store_open_tmp_dir(const struct store *s);
/* Its hash method, as recorded in its config. */
enum hash_method store_hash(const struct store *s);
/* Opened for a dry run: it never writes. */
bool store_is_dry_run(const struct store *s);
/* An immutable store: every object has the immutable flag. */
bool store_is_immutable(const struct store *s);

/*
 * Opens the store at @path, creating it (and its config, recording
 * @hash) when missing or an empty directory, unless @dry_run. An
 * existing store keeps its method: @hash_forced makes a different one
 * an error. Takes the lock (shared in a dry run), waiting for other
 * runs, and reads the names and inode numbers of all objects (one
 * readdir of each fan-out directory, no stat) into its objects map
 * (store_objmap()). Unless @dry_run,
 * an immutable store that a run left with STORE/immutable-pending
 * (killed, or a flag it could not set) gets the flag set again on
 * every object that lacks it, each one named.
 * Prints the reason and returns -errno on failure.
 */
/* How long store_open() waits for another run's lock: @seconds (600
 * unless set). Call before opening stores. */
void store_set_lock_timeout(unsigned int seconds);

int store_open(const char *path, enum hash_method hash, bool hash_forced,
	       bool dry_run, struct store **out);
/*
 * Closes the store; removes STORE/immutable-pending when this run made
 * it and set back every flag it cleared.
 */
void store_close(struct store *s);

/*
 * Makes @s an immutable store (--immutable): recorded in its config, so
 * that every later run keeps every object immutable and --verify checks
 * the flag; sets the flag on every object that lacks it. Prints the
 * reason and returns -errno on failure.
 */
int store_set_immutable(struct store *s);

/*
 * Called before an object's immutable flag is cleared: makes sure
 * STORE/immutable-pending is on disk (once per run). Returns 0 or
 * -errno (then the flag must not be cleared).
 */
int store_flags_clearing(struct store *s);
/* An object's flag could not be set back: immutable-pending stays. */
void store_flags_lost(struct store *s);

/*
 * Whether @st (of a file on any filesystem) is an object of @s. This,
 * making objects and store_plan() may be called from several threads
 * at once; the rest of a store is for one thread.
 */
bool store_is_object(struct store *s, const struct stat *st);

/*
 * The store's objects by inode (objmap.h), read by store_open() and
 * kept by the store: the run checks the objects it meets against
 * their names with it. Never NULL; freed by store_close().
 */
struct objmap *store_objmap(struct store *s);

/*
 * Whether the object @st has as many links as the store's filesystem
 * allows: a sibling takes over.
 */
bool store_object_full(const struct store *s, const struct stat *st);

/* Writes the object name for a digest, metadata id and sibling index. */
void store_object_name(const struct digest *d, uint64_t meta_id,
		       unsigned int sibling, char name[STORE_NAME_MAX]);

/*
 * Trust groups: guests of different groups never share an object (in
 * hardlink mode without --immutable), since the group is part of the
 * object's name. The default group (NULL, or "default") has no part in
 * the name, so objects made before groups existed keep their names.
 */

/*
 * Whether @group may name a trust group: 1 to STORE_GROUP_MAX of
 * a-z, 0-9, '-' and '_', a letter or digit first.
 */
bool store_valid_group(const char *group);

/* Whether @group is the default group: NULL or "default". */
bool store_default_group(const char *group);

/*
 * store_object_name() for an object of trust group @group (NULL or
 * "default": the default group's name, store_object_name's).
 */
void store_group_object_name(const struct digest *d, uint64_t meta_id,
			     const char *group, unsigned int sibling,
			     char name[STORE_NAME_MAX]);

/*
 * The trust group in object name @name: points *group at it and
 * returns its length, or returns 0 for the default group.
 */
size_t store_name_group(const char *name, const char **group);

/*
 * Writes the name of a content-only object (--method=reflink): its
 * extents are the dedupe source, its metadata is nobody's.
 * "ab/cdef...-content[.N]".
 */
void store_content_name(const struct digest *d, unsigned int sibling,
			char name[STORE_NAME_MAX]);

/*
 * The names an object of one content (and metadata id) may have, in
 * the order they are tried: the first, then its siblings ".1", ".2",
 * ... A sibling takes over when an object is full
 * (store_object_full()) or holds other bytes or metadata; a name that
 * appeared since it was found free (another thread made the same
 * object) is looked at again. Both are bounded.
 */
struct store_names {
	const struct digest *digest;
	uint64_t meta_id;
	const char *group;	/* trust group, NULL: the default group */
	bool content;		/* content-only objects (reflink) */
	unsigned int next;	/* the sibling after @name */
	unsigned int retries;
	char name[STORE_NAME_MAX];	/* the current name */
};

void store_names_init(struct store_names *n, const struct digest *d,
		      uint64_t meta_id, const char *group, bool content);
/*
 * Moves to the next name, into n->name. Returns false when all
 * STORE_MAX_SIBLINGS were tried.
 */
bool store_names_next(struct store_names *n);
/*
 * The current name appeared meanwhile: the next store_names_next()
 * gives it again. Returns false when this walk has looked again
 * STORE_MAX_RETRIES times already (give up: something keeps taking
 * and dropping the name).
 */
bool store_names_again(struct store_names *n);

/*
 * The fan-out directory of object @name ("ab/cdef..."), opened once per
 * run without following a symlink; made first if missing and @create.
 * The object is @name + 3 in it. Returns a directory fd the store
 * keeps (do not close it), -ENOENT when there is none, -EUCLEAN when
 * objects/ab is something else than a directory of the store's
 * filesystem (said once, naming it), or -errno.
 */
int store_object_dir(struct store *s, const char *name, bool create);

/*
 * Opens object @name read-only. Returns the fd and fills @st, or
 * -ENOENT when there is no such object (also in a dry run for objects
 * that were only planned, see store_planned), -EUCLEAN when the name or
 * its fan-out directory is something else than a regular file and a
 * directory (said, naming it), or -errno.
 */
int store_open_object(struct store *s, const char *name, struct stat *st);

/*
 * Opens object @name to read its metadata (xattrs, inode flags), never
 * its content: read-only, through no symlink, only a regular file of
 * the store's filesystem. Returns the fd and fills @st, or -errno
 * (-EUCLEAN: something else, not said).
 */
int store_open_object_meta(struct store *s, const char *name,
			   struct stat *st);

/* An object in the making: an unnamed file in the store. */
struct store_tmp {
	int fd;
	char name[64];		/* "" for an O_TMPFILE */
};

/* Creates an empty private file in the store. Returns 0 or -errno. */
int store_tmp_create(struct store *s, struct store_tmp *t);
/*
 * Publishes the finished temporary under @name and forgets it (the fd
 * stays open in t->fd for the caller to close). Returns 0, -EEXIST, or
 * -errno.
 */
int store_tmp_publish(struct store *s, struct store_tmp *t,
		      const char *name);
/*
 * Makes the file open as @fd (its fstat @st), a guest file of the
 * store's filesystem, object @name as it is: no copy, the guest's inode
 * becomes the object. Returns 0, -EEXIST, or -errno.
 */
int store_adopt(struct store *s, int fd, const struct stat *st,
		const char *name);
/*
 * Takes back object @name, made of the inode @st by store_adopt() or
 * store_tmp_publish() in this run, before any guest path was linked to
 * it (the file changed meanwhile): removes the name and forgets the
 * inode, so that no other name of it counts as an object. Returns 0 or
 * -errno (the name is then still there, and the inode an object).
 */
int store_unadopt(struct store *s, const char *name, const struct stat *st);
/* Closes and removes an unpublished temporary. */
void store_tmp_discard(struct store *s, struct store_tmp *t);

/*
 * Calls @fn for every entry of the fan-out directories of the store
 * with its name ("ab/cdef-..."), the fan-out directory fd and the
 * entry's lstat, in no set order; and for every entry of objects/ that
 * is not a fan-out directory (two lower-case hex digits, a directory of
 * the store's filesystem, no symlink) with its bare name ("ab", no
 * '/') and the fd of objects/, for the caller to report.
 * Stops at the first non-zero return and returns it; returns -errno
 * when the store cannot be read.
 */
int store_each_object(struct store *s,
		      int (*fn)(struct store *s, int dirfd, const char *name,
				const struct stat *st, void *arg),
		      void *arg);

/*
 * Calls @fn for every name in the fan-out directories whose inode number
 * is in @inodes (read with readdir, no stat: cheap for a large store),
 * with its name ("ab/cdef-..."), the fan-out directory fd and the inode
 * number; the caller checks what it opens. Stops at the first non-zero
 * return and returns it; returns -errno when the store cannot be read.
 */
int store_find_names(struct store *s, const struct u64set *inodes,
		     int (*fn)(struct store *s, int dirfd, const char *name,
			       ino_t ino, void *arg),
		     void *arg);

/*
 * Splits object name @name into its content digest and metadata id;
 * sets *content for a content-only object (no metadata id). A trust
 * group in the name is accepted (see store_name_group).
 * Returns 0, or -EINVAL when @name is not an object name.
 */
int store_parse_name(const char *name, struct digest *d, uint64_t *meta_id,
		     bool *content);

/* Removes the named temporaries interrupted runs left in STORE/tmp;
 * returns how many, or -errno. */
int store_clean_tmp(struct store *s);

/*
 * Dry run: remembers that object @name would now exist. Returns 1 when
 * it is new, 0 when it was planned before, or -errno.
 */
int store_plan(struct store *s, const char *name);

#endif

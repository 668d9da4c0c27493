/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_OBJMAP_H
#define VHASHIFY_OBJMAP_H

/*
 * The objects of one store by inode number: the store's table of its
 * objects (store_is_object() asks it), made when the store is opened
 * from one readdir of its fan-out directories, no stat, and kept as
 * the run makes and takes back objects. For each object it keeps what
 * its name says (digest, metadata key id, trust group, sibling), to
 * name it again, and whether the object still has the metadata its
 * name says. A guest's root that writes a shared object in place moves
 * its mtime; a chmod, chown or setxattr changes the rest of its key:
 * the object no longer matches its name, and every run notices,
 * without reading any content. An object's metadata is read once per
 * inode and run, from the store, however many guests link it. The
 * size is not in a name: a write that changes it moves the mtime too
 * (the content digest in the name is checked by --verify, which also
 * catches a writer who puts the old mtime back).
 *
 * An object takes 40 bytes with xxh3-128 (56 with sha256), in chunks
 * that never move, and 4 to 8 bytes of a table of entry numbers by
 * inode: some 48 MiB for a million objects. A name the map cannot
 * check (a content-only object of --method=reflink, a digest of
 * another length than the store's, anything that is no object name)
 * keeps its inode an object, unchecked.
 *
 * Safe to use from several threads at once.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "store.h"

struct metakey;

struct objmap;

enum objmap_state {
	OBJMAP_OK,		/* matches its name, or not checked */
	OBJMAP_MODIFIED,	/* no longer matches its name */
	OBJMAP_OTHER_GROUP,	/* matches, but of another trust group */
};

/*
 * Makes the empty map of store @s (its digests are of store_hash(@s),
 * read at the first entry). Returns 0 or -ENOMEM.
 */
int objmap_new(struct store *s, struct objmap **out);
void objmap_free(struct objmap *m);

/*
 * Records the entry @name ("ab/cdef-..."), inode @ino, of a fan-out
 * directory as the store is read: not checked yet. Another name of an
 * inode already known only replaces that name when the map can check
 * it. Returns 0 or -ENOMEM.
 */
int objmap_scan(struct objmap *m, ino_t ino, const char *name);

/*
 * Records object @name, inode @ino, made or found in this run and
 * known to match its name. Returns 0 or -ENOMEM.
 */
int objmap_add(struct objmap *m, ino_t ino, const char *name);

/* Whether inode @ino is an object of the map's store. */
bool objmap_has(struct objmap *m, ino_t ino);

/* Forgets inode @ino (its name was taken back). */
void objmap_remove(struct objmap *m, ino_t ino);

/*
 * Checks the object that a guest file whose lstat is @st is
 * (store_is_object): opens it from the store to read its metadata,
 * once per inode and run, never its content. @group: the trust group
 * the caller's objects belong to (NULL: the default one). Returns an
 * objmap_state, or -errno when the object cannot be opened (-ESTALE:
 * its name holds another inode now). Sets *first when this call found
 * the object modified: the caller reports it (objmap_report), once per
 * run.
 */
int objmap_check_entry(struct objmap *m, const struct stat *st,
		       const char *group, bool *first);

/*
 * Checks the object whose fstat is @st and metadata key @key (read by
 * the caller, who compares it too) that the caller is about to link a
 * file of @size bytes to, found under a name whose digest is that
 * file's: an object of another size was written to. As
 * objmap_check_entry() otherwise, but the group is not checked (the
 * name the caller looked up holds it).
 */
int objmap_check_key(struct objmap *m, const struct metakey *key,
		     const struct stat *st, off_t size, bool *first);

/*
 * Reports the modified object @st (an error naming the object, how many
 * guest links share it, and the guest file @prefix@path where the run
 * met it), whose key was checked by the map, and keeps the message in
 * @msg of LOG_MSG_MAX bytes for the run's report. Once per object and
 * run: call it when objmap_check_*() set *first.
 */
void objmap_report(struct objmap *m, const struct stat *st,
		   const char *prefix, const char *path, char *msg);

/* How many objects this run found modified. */
unsigned long objmap_modified(const struct objmap *m);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* The objects of a store by inode, checked against their names; see
 * objmap.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metakey.h"
#include "objmap.h"

enum check {
	UNCHECKED,
	CHECKING,		/* by one thread; the others wait for it */
	MATCHES,
	BAD_KEY,		/* metadata no longer the key in the name */
	BAD_SIZE,		/* size no longer the content's */
	NAMELESS,		/* an object, but no name the map can check */
};

/*
 * An object: its inode and what its name says. Entries are m->stride
 * bytes, this and the digest of the store's length, numbered in the
 * order they came, in chunks of CHUNK entries that never move; a
 * table of 4-byte entry numbers finds them by inode.
 */
struct entry {
	uint64_t ino;
	uint64_t meta_id;
	uint16_t group;		/* index in groups, 0: the default group */
	uint16_t sibling;
	uint8_t check;		/* enum check */
	unsigned char digest[];
};

#define CHUNK_SHIFT 14
#define CHUNK ((size_t)1 << CHUNK_SHIFT)

struct objmap {
	struct store *store;
	uint32_t *index;	/* cap slots: 0 free, else entry number + 1 */
	size_t cap;		/* a power of two, or 0 */
	unsigned char **chunks;
	size_t n_chunks, count;	/* entries 0 to count - 1 are in use */
	size_t stride;
	unsigned int digest_len;
	char **groups;		/* [0] NULL: the default group */
	size_t n_groups;
	unsigned long modified;
	pthread_mutex_t lock;
	pthread_cond_t checked;	/* an entry is CHECKING no more */
};

static size_t slot_of(uint64_t ino, size_t cap)
{
	/* Fibonacci hashing spreads sequential inode numbers */
	return (ino * 0x9e3779b97f4a7c15ULL) >> 17 & (cap - 1);
}

/* Entry number @k. */
static struct entry *at(const struct objmap *m, size_t k)
{
	return (struct entry *)(m->chunks[k >> CHUNK_SHIFT] +
				(k & (CHUNK - 1)) * m->stride);
}

/* The slot of @ino, or the free slot where it would go (m->cap > 0). */
static size_t slot(const struct objmap *m, uint64_t ino)
{
	size_t i = slot_of(ino, m->cap);

	while (m->index[i] && at(m, m->index[i] - 1)->ino != ino)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* The entry of @ino, or NULL. */
static struct entry *find(const struct objmap *m, uint64_t ino)
{
	size_t i;

	if (!m->cap || !ino)
		return NULL;
	i = slot(m, ino);
	return m->index[i] ? at(m, m->index[i] - 1) : NULL;
}

/*
 * Makes room for one more entry: in the chunks, and in the table (at
 * most half full). Returns 0 or -ENOMEM.
 */
static int grow(struct objmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 1024, k;
	uint32_t *old = m->index;
	unsigned char **v;

	if (!m->stride) {	/* the first entry: the store's digests */
		m->digest_len = hash_method_len(store_hash(m->store));
		m->stride = (sizeof(struct entry) + m->digest_len + 7) & ~7UL;
	}
	if (m->count == m->n_chunks * CHUNK) {
		if (m->count >= UINT32_MAX - CHUNK)
			return -ENOMEM;	/* beyond the entry numbers */
		v = realloc(m->chunks, (m->n_chunks + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->chunks = v;
		v[m->n_chunks] = malloc(CHUNK * m->stride);
		if (!v[m->n_chunks])
			return -ENOMEM;
		m->n_chunks++;
	}
	if ((m->count + 1) * 2 <= m->cap)
		return 0;
	m->index = calloc(cap, sizeof(*m->index));
	if (!m->index) {
		m->index = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (k = 0; k < m->count; k++)
		m->index[slot(m, at(m, k)->ino)] = k + 1;
	free(old);
	return 0;
}

/* The index of the group in object name @name, added if new. */
static int group_index(struct objmap *m, const char *name, uint32_t *index)
{
	const char *g;
	size_t len = store_name_group(name, &g), i;
	char **v;

	*index = 0;
	if (!len)
		return 0;
	for (i = 1; i < m->n_groups; i++) {
		if (strlen(m->groups[i]) == len &&
		    !memcmp(m->groups[i], g, len)) {
			*index = i;
			return 0;
		}
	}
	v = realloc(m->groups, (m->n_groups + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->groups = v;
	v[m->n_groups] = strndup(g, len);
	if (!v[m->n_groups])
		return -ENOMEM;
	*index = m->n_groups++;
	return 0;
}

/*
 * The sibling index of object name @name: ".N" at its end, or 0; -1
 * when it does not fit the map.
 */
static long sibling_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	long n = 0;

	if (!dot)
		return 0;
	while (*++dot >= '0' && *dot <= '9' && n <= UINT16_MAX)
		n = n * 10 + (*dot - '0');
	return *dot || n > UINT16_MAX ? -1 : n;
}

/*
 * Adds @name, inode @ino, with the lock held: as @check when the map
 * can check it, else as NAMELESS unless the inode is known already.
 */
static int add(struct objmap *m, uint64_t ino, const char *name,
	       enum check check)
{
	struct digest d;
	uint64_t id;
	bool content;
	struct entry *e;
	uint32_t group = 0;
	long sibling = -1;
	int ret;

	if (!ino)
		return 0;	/* no inode: nothing a file can be */
	ret = grow(m);
	if (ret)
		return ret;
	if (!store_parse_name(name, &d, &id, &content) && !content &&
	    d.len == m->digest_len) {
		ret = group_index(m, name, &group);
		if (ret)
			return ret;
		sibling = sibling_of(name);
	}
	e = find(m, ino);
	if (sibling < 0 || group > UINT16_MAX) {
		if (e)
			return 0;	/* a name we can check is kept */
		check = NAMELESS;
		sibling = 0;
		group = 0;
		id = 0;
		memset(d.bytes, 0, m->digest_len);
	}
	if (!e) {
		m->index[slot(m, ino)] = m->count + 1;
		e = at(m, m->count++);
	}
	e->ino = ino;
	e->meta_id = id;
	memcpy(e->digest, d.bytes, m->digest_len);
	e->group = group;
	e->sibling = sibling;
	e->check = check;
	return 0;
}

/* Writes the name of the object of entry @e. */
static void name_of(const struct objmap *m, const struct entry *e,
		    char name[STORE_NAME_MAX])
{
	struct digest d = { .len = m->digest_len };

	memcpy(d.bytes, e->digest, m->digest_len);
	store_group_object_name(&d, e->meta_id, m->groups[e->group],
				e->sibling, name);
}

int objmap_new(struct store *s, struct objmap **out)
{
	struct objmap *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->store = s;
	m->groups = calloc(1, sizeof(*m->groups));
	if (!m->groups) {
		free(m);
		return -ENOMEM;
	}
	m->n_groups = 1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->checked, NULL);
	*out = m;
	return 0;
}

void objmap_free(struct objmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_groups; i++)
		free(m->groups[i]);
	free(m->groups);
	for (i = 0; i < m->n_chunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	free(m->index);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->checked);
	free(m);
}

int objmap_scan(struct objmap *m, ino_t ino, const char *name)
{
	int ret;

	pthread_mutex_lock(&m->lock);
	ret = add(m, ino, name, UNCHECKED);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int objmap_add(struct objmap *m, ino_t ino, const char *name)
{
	int ret;

	pthread_mutex_lock(&m->lock);
	ret = add(m, ino, name, MATCHES);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

bool objmap_has(struct objmap *m, ino_t ino)
{
	bool ret;

	pthread_mutex_lock(&m->lock);
	ret = find(m, ino);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* Whether slot @k lies in the cyclic range (@i, @j]. */
static bool between(size_t i, size_t k, size_t j)
{
	return i <= j ? i < k && k <= j : i < k || k <= j;
}

void objmap_remove(struct objmap *m, ino_t ino)
{
	size_t mask = m->cap - 1, i, j, k, last;

	pthread_mutex_lock(&m->lock);
	if (!find(m, ino))
		goto out;
	i = slot(m, ino);
	k = m->index[i] - 1;
	last = --m->count;
	if (k != last) {	/* the last entry takes its number */
		m->index[slot(m, at(m, last)->ino)] = k + 1;
		memcpy(at(m, k), at(m, last), m->stride);
	}
	/* close the gap: a later slot of the run whose home slot is not
	 * between the gap and it would no longer be found */
	for (j = (i + 1) & mask; m->index[j]; j = (j + 1) & mask) {
		if (between(i, slot_of(at(m, m->index[j] - 1)->ino, m->cap),
			    j))
			continue;
		m->index[i] = m->index[j];
		i = j;
	}
	m->index[i] = 0;
	pthread_cond_broadcast(&m->checked);	/* none waits on it now */
out:
	pthread_mutex_unlock(&m->lock);
}

/* Whether @k is the key @id, with the mtime or without. */
static bool key_is(const struct metakey *k, uint64_t id)
{
	return metakey_id_as(k, false) == id || metakey_id_as(k, true) == id;
}

/*
 * Whether the metadata of @fd (@st) is the key @id: made with the mtime
 * or without (--ignore-mtime), which the name does not tell.
 * Returns 1, 0, or -errno.
 */
static int key_matches(int fd, const struct stat *st, uint64_t id)
{
	struct metakey k;
	int ret;

	ret = metakey_read(fd, st, false, &k);
	if (ret)
		return ret;
	ret = key_is(&k, id);
	metakey_release(&k);
	return ret;
}

/* The state for a checked entry @e, of the caller's group @group. */
static int state_of(const struct objmap *m, const struct entry *e,
		    const char *group)
{
	const char *mine = store_default_group(group) ? NULL : group;
	const char *its = m->groups[e->group];

	if (e->check == BAD_KEY || e->check == BAD_SIZE)
		return OBJMAP_MODIFIED;
	if (e->check == NAMELESS)
		return OBJMAP_OK;	/* none of ours to judge */
	if (!mine != !its || (mine && strcmp(mine, its)))
		return OBJMAP_OTHER_GROUP;
	return OBJMAP_OK;
}

/*
 * Records the outcome @check of inode @ino, which this thread checked
 * (UNCHECKED: it could not, another thread may try); returns the state
 * for @group and sets *first when it found the object modified.
 */
static int settle(struct objmap *m, uint64_t ino, enum check check,
		  const char *group, bool *first)
{
	struct entry *e;
	int state;

	pthread_mutex_lock(&m->lock);
	e = find(m, ino);
	if (e)
		e->check = check;
	*first = e && (check == BAD_KEY || check == BAD_SIZE);
	if (*first)
		m->modified++;
	/* taken back meanwhile (store_unadopt): an object no more */
	state = e ? state_of(m, e, group) : OBJMAP_OK;
	pthread_cond_broadcast(&m->checked);
	pthread_mutex_unlock(&m->lock);
	return state;
}

/*
 * Looks up @ino: returns 1 with its state in *state when it needs no
 * check now, 0 when the caller is to check it (its key id in *id, its
 * name in @name) and then settle() it. An inode another thread is
 * checking is waited for, so that each is read once.
 */
static int lookup(struct objmap *m, uint64_t ino, const char *group,
		  int *state, uint64_t *id, char name[STORE_NAME_MAX])
{
	struct entry *e;
	int ret = 1;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		e = find(m, ino);
		if (!e || e->check != CHECKING)
			break;
		pthread_cond_wait(&m->checked, &m->lock);
	}
	*state = OBJMAP_OK;	/* not in the map: none of ours to judge */
	if (e && e->check == UNCHECKED) {
		e->check = CHECKING;
		*id = e->meta_id;
		name_of(m, e, name);
		ret = 0;
	} else if (e) {
		*state = state_of(m, e, group);
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int objmap_check_entry(struct objmap *m, const struct stat *st,
		       const char *group, bool *first)
{
	char name[STORE_NAME_MAX];
	struct stat now;
	uint64_t id;
	int state, fd, ret;

	*first = false;
	if (lookup(m, st->st_ino, group, &state, &id, name))
		return state;
	/* from the store: nothing a guest can swap, and no content read */
	fd = store_open_object_meta(m->store, name, &now);
	ret = fd;
	if (fd >= 0) {
		ret = -ESTALE;
		if (now.st_ino == st->st_ino && now.st_dev == st->st_dev)
			ret = key_matches(fd, &now, id);
		close(fd);
	}
	if (ret < 0) {
		settle(m, st->st_ino, UNCHECKED, NULL, first);
		return ret;
	}
	return settle(m, st->st_ino, ret ? MATCHES : BAD_KEY, group, first);
}

int objmap_check_key(struct objmap *m, const struct metakey *key,
		     const struct stat *st, off_t size, bool *first)
{
	char name[STORE_NAME_MAX];
	enum check check;
	uint64_t id;
	int state;

	*first = false;
	if (lookup(m, st->st_ino, NULL, &state, &id, name))
		return state == OBJMAP_MODIFIED ? state : OBJMAP_OK;
	if (st->st_size != size)
		check = BAD_SIZE;
	else
		check = key_is(key, id) ? MATCHES : BAD_KEY;
	state = settle(m, st->st_ino, check, NULL, first);
	return state == OBJMAP_MODIFIED ? state : OBJMAP_OK;
}

void objmap_report(struct objmap *m, const struct stat *st,
		   const char *prefix, const char *path, char *msg)
{
	char name[STORE_NAME_MAX] = "?";
	struct entry *e;
	bool size = false;

	pthread_mutex_lock(&m->lock);
	e = find(m, st->st_ino);
	if (e) {
		size = e->check == BAD_SIZE;
		name_of(m, e, name);
	}
	pthread_mutex_unlock(&m->lock);
	error_msg(msg, LOG_MSG_MAX, 0,
		  "object '%s/objects/%s' changed after it was stored: its %s "
		  "no longer matches its name (guest links: %lu, one is "
		  "'%s%s'); nothing more is linked to it, see --verify",
		  qs(store_path(m->store)), qs(name),
		  size ? "size" : "metadata",
		  (unsigned long)(st->st_nlink ? st->st_nlink - 1 : 0),
		  qs(prefix), qs(path));
}

unsigned long objmap_modified(const struct objmap *m)
{
	return m->modified;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* A growing open-addressing set of 64-bit keys. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "u64set.h"

static size_t slot_of(uint64_t key, size_t cap)
{
	/* Fibonacci hashing spreads sequential inode numbers */
	return (key * 0x9e3779b97f4a7c15ULL) >> 17 & (cap - 1);
}

static void insert(uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i = slot_of(key, cap);

	while (slots[i] && slots[i] != key)
		i = (i + 1) & (cap - 1);
	slots[i] = key;
}

static int grow(struct u64set *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024, i;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			insert(slots, cap, s->slots[i]);
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int u64set_add(struct u64set *s, uint64_t key)
{
	int ret;

	if (!key) {
		s->has_zero = true;
		return 0;
	}
	if (u64set_has(s, key))
		return 0;
	if ((s->count + 1) * 2 > s->cap) {
		ret = grow(s);
		if (ret)
			return ret;
	}
	insert(s->slots, s->cap, key);
	s->count++;
	return 0;
}

bool u64set_has(const struct u64set *s, uint64_t key)
{
	size_t i;

	if (!key)
		return s->has_zero;
	if (!s->cap)
		return false;
	for (i = slot_of(key, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == key)
			return true;
	return false;
}

void u64set_release(struct u64set *s)
{
	free(s->slots);
	*s = (struct u64set)U64SET_INIT;
}

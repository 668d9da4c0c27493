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

/* Whether slot @k lies in the cyclic range (@i, @j]. */
static bool between(size_t i, size_t k, size_t j)
{
	return i <= j ? i < k && k <= j : i < k || k <= j;
}

void u64set_remove(struct u64set *s, uint64_t key)
{
	size_t i, j, mask = s->cap - 1;

	if (!key) {
		s->has_zero = false;
		return;
	}
	if (!s->cap)
		return;
	for (i = slot_of(key, s->cap); s->slots[i] != key; i = (i + 1) & mask)
		if (!s->slots[i])
			return;
	s->slots[i] = 0;
	s->count--;
	/* close the gap: a later key of the run whose home slot is not
	 * between the gap and it would no longer be found */
	for (j = (i + 1) & mask; s->slots[j]; j = (j + 1) & mask) {
		if (between(i, slot_of(s->slots[j], s->cap), j))
			continue;
		s->slots[i] = s->slots[j];
		s->slots[j] = 0;
		i = j;
	}
}

void u64set_release(struct u64set *s)
{
	free(s->slots);
	*s = (struct u64set)U64SET_INIT;
}

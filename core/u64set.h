/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_U64SET_H
#define VHASHIFY_U64SET_H

/*
 * A set of 64-bit keys (inode numbers, name hashes): open addressing,
 * grows as needed, about 16 bytes per member at most.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64set {
	uint64_t *slots;	/* 0 marks a free slot; key 0 is kept apart */
	size_t cap;		/* a power of two, or 0 */
	size_t count;
	bool has_zero;
};

#define U64SET_INIT { NULL, 0, 0, false }

/* Returns 0 or -ENOMEM. Adding a member twice is fine. */
int u64set_add(struct u64set *s, uint64_t key);
bool u64set_has(const struct u64set *s, uint64_t key);
/* Removes @key when it is a member. */
void u64set_remove(struct u64set *s, uint64_t key);
void u64set_release(struct u64set *s);

#endif

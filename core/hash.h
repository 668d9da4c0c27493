/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VHASHIFY_HASH_H
#define VHASHIFY_HASH_H

/*
 * Content digests. Two methods, chosen per store:
 *   xxh3-128  fast, not cryptographic: it finds candidates, and a
 *             byte-for-byte comparison proves equality before a link
 *   sha256    cryptographic (OpenSSL): equal digests are the proof
 */

#include <stdbool.h>
#include <stddef.h>

enum hash_method {
	HASH_XXH3_128,
	HASH_SHA256,
};

#define DIGEST_MAX 32
#define DIGEST_HEX_MAX (2 * DIGEST_MAX + 1)

struct digest {
	unsigned char bytes[DIGEST_MAX];
	unsigned int len;
};

/* State of one running digest; opaque storage sized for either method. */
struct hasher {
	enum hash_method method;
	void *state;
};

/* Name used in the store config and on the command line. */
const char *hash_method_name(enum hash_method m);
/* Returns 0 and sets *m, or -EINVAL for an unknown name. */
int hash_method_parse(const char *name, enum hash_method *m);
/* Whether equal digests prove equal content (no comparison needed). */
bool hash_method_is_proof(enum hash_method m);
/* The length of its digests in bytes: 16 or 32. */
unsigned int hash_method_len(enum hash_method m);

/* Returns 0 or -ENOMEM. */
int hasher_init(struct hasher *h, enum hash_method m);
void hasher_update(struct hasher *h, const void *buf, size_t len);
/* Writes the digest and releases the state. */
void hasher_final(struct hasher *h, struct digest *out);
/* Releases the state without a result (on error paths). */
void hasher_release(struct hasher *h);

/* Digest of a buffer in one call. */
int hash_buffer(enum hash_method m, const void *buf, size_t len,
		struct digest *out);

/* Lower-case hex of @d into @hex (DIGEST_HEX_MAX bytes). */
void digest_hex(const struct digest *d, char *hex);
bool digest_equal(const struct digest *a, const struct digest *b);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* Content digests: XXH3-128 from libxxhash, SHA-256 from OpenSSL. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "hash.h"

const char *hash_method_name(enum hash_method m)
{
	return m == HASH_SHA256 ? "sha256" : "xxh3-128";
}

int hash_method_parse(const char *name, enum hash_method *m)
{
	if (!strcmp(name, "xxh3-128") || !strcmp(name, "xxh3")) {
		*m = HASH_XXH3_128;
		return 0;
	}
	if (!strcmp(name, "sha256")) {
		*m = HASH_SHA256;
		return 0;
	}
	return -EINVAL;
}

bool hash_method_is_proof(enum hash_method m)
{
	return m == HASH_SHA256;
}

unsigned int hash_method_len(enum hash_method m)
{
	return m == HASH_SHA256 ? 32 : 16;
}

int hasher_init(struct hasher *h, enum hash_method m)
{
	h->method = m;
	if (m == HASH_SHA256) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		if (!ctx)
			return -ENOMEM;
		if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
			EVP_MD_CTX_free(ctx);
			return -ENOMEM;
		}
		h->state = ctx;
	} else {
		XXH3_state_t *st = XXH3_createState();

		if (!st)
			return -ENOMEM;
		XXH3_128bits_reset(st);
		h->state = st;
	}
	return 0;
}

void hasher_update(struct hasher *h, const void *buf, size_t len)
{
	if (h->method == HASH_SHA256)
		EVP_DigestUpdate(h->state, buf, len);
	else
		XXH3_128bits_update(h->state, buf, len);
}

void hasher_final(struct hasher *h, struct digest *out)
{
	if (h->method == HASH_SHA256) {
		unsigned int len = 0;

		EVP_DigestFinal_ex(h->state, out->bytes, &len);
		out->len = len;
	} else {
		XXH128_canonical_t c;

		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h->state));
		memcpy(out->bytes, c.digest, sizeof(c.digest));
		out->len = sizeof(c.digest);
	}
	hasher_release(h);
}

void hasher_release(struct hasher *h)
{
	if (!h->state)
		return;
	if (h->method == HASH_SHA256)
		EVP_MD_CTX_free(h->state);
	else
		XXH3_freeState(h->state);
	h->state = NULL;
}

int hash_buffer(enum hash_method m, const void *buf, size_t len,
		struct digest *out)
{
	struct hasher h;
	int ret;

	ret = hasher_init(&h, m);
	if (ret)
		return ret;
	hasher_update(&h, buf, len);
	hasher_final(&h, out);
	return 0;
}

void digest_hex(const struct digest *d, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < d->len; i++) {
		hex[2 * i] = digits[d->bytes[i] >> 4];
		hex[2 * i + 1] = digits[d->bytes[i] & 15];
	}
	hex[2 * i] = '\0';
}

bool digest_equal(const struct digest *a, const struct digest *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

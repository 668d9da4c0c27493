// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Digests against known answers (SHA-256 from FIPS 180-2; XXH3-128 as
 * printed by "xxhsum -H2" 0.8.1 for the same input), and file content:
 * hashing, comparing and sparse copies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "content.h"
#include "hash.h"

static void hex_of(enum hash_method m, const char *s, size_t len, char *hex)
{
	struct digest d;

	assert_int_equal(hash_buffer(m, s, len, &d), 0);
	digest_hex(&d, hex);
}

static void test_known_answers(void **state)
{
	char hex[DIGEST_HEX_MAX];

	(void)state;
	hex_of(HASH_SHA256, "", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	hex_of(HASH_SHA256, "abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	hex_of(HASH_XXH3_128, "", 0, hex);
	assert_string_equal(hex, "99aa06d3014798d86001c324468d497f");
	hex_of(HASH_XXH3_128, "abc", 3, hex);
	assert_string_equal(hex, "06b05ab6733a618578af5f94892f3950");
}

static void test_streaming_equals_one_shot(void **state)
{
	static char buf[100000];
	enum hash_method m;
	struct digest a, b;
	struct hasher h;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + (i >> 8);
	for (m = HASH_XXH3_128; m <= HASH_SHA256; m++) {
		assert_int_equal(hash_buffer(m, buf, sizeof(buf), &a), 0);
		assert_int_equal(hasher_init(&h, m), 0);
		for (off = 0; off < sizeof(buf); off += 777)
			hasher_update(&h, buf + off, sizeof(buf) - off < 777 ?
				      sizeof(buf) - off : 777);
		hasher_final(&h, &b);
		assert_true(digest_equal(&a, &b));
		buf[5]++;
		assert_int_equal(hash_buffer(m, buf, sizeof(buf), &b), 0);
		assert_false(digest_equal(&a, &b));
	}
}

static void test_method_names(void **state)
{
	enum hash_method m;

	(void)state;
	assert_int_equal(hash_method_parse("sha256", &m), 0);
	assert_int_equal(m, HASH_SHA256);
	assert_string_equal(hash_method_name(m), "sha256");
	assert_true(hash_method_is_proof(m));
	assert_int_equal(hash_method_parse("xxh3-128", &m), 0);
	assert_int_equal(m, HASH_XXH3_128);
	assert_string_equal(hash_method_name(m), "xxh3-128");
	assert_false(hash_method_is_proof(m));
	assert_int_equal(hash_method_parse("md5", &m), -EINVAL);
	assert_int_equal(hash_method_parse("", &m), -EINVAL);
}

/* A temporary file holding @len bytes of @buf; returns its fd. */
static int temp_file(const void *buf, size_t len)
{
	char name[] = "/tmp/vhashify-hash.XXXXXX";
	int fd = mkstemp(name);

	assert_true(fd >= 0);
	unlink(name);
	assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
	return fd;
}

static void test_content_hash_and_compare(void **state)
{
	size_t len = 3 * 256 * 1024 + 12345;	/* several read chunks */
	unsigned char *buf = malloc(len);
	struct digest file, mem;
	off_t size;
	size_t i;
	int a, b, c;

	(void)state;
	for (i = 0; i < len; i++)
		buf[i] = (i * 2654435761u) >> 24;
	a = temp_file(buf, len);
	b = temp_file(buf, len);
	assert_int_equal(content_hash(a, HASH_SHA256, &file, &size), 0);
	assert_int_equal(size, len);
	assert_int_equal(hash_buffer(HASH_SHA256, buf, len, &mem), 0);
	assert_true(digest_equal(&file, &mem));
	assert_int_equal(content_compare(a, b, len), 0);
	buf[len - 1] ^= 1;			/* one bit in the last chunk */
	c = temp_file(buf, len);
	assert_int_equal(content_compare(a, c, len), 1);
	assert_int_equal(ftruncate(c, len - 1), 0);	/* shorter */
	assert_int_equal(content_compare(a, c, len), 1);
	close(a);
	close(b);
	close(c);
	free(buf);
}

static void test_sparse_copy(void **state)
{
	const off_t size = 10 << 20;
	struct digest ds, dd;
	struct stat st;
	off_t n;
	int src, dst;

	(void)state;
	src = temp_file("", 0);
	assert_int_equal(ftruncate(src, size), 0);
	assert_int_equal(pwrite(src, "island", 6, 5 << 20), 6);
	dst = temp_file("", 0);
	assert_int_equal(content_copy(src, dst, size), 0);
	assert_int_equal(fstat(dst, &st), 0);
	assert_int_equal(st.st_size, size);
	assert_true(st.st_blocks * 512 < size / 4);	/* still sparse */
	assert_int_equal(content_compare(src, dst, size), 0);
	assert_int_equal(content_hash(src, HASH_XXH3_128, &ds, &n), 0);
	assert_int_equal(content_hash(dst, HASH_XXH3_128, &dd, &n), 0);
	assert_true(digest_equal(&ds, &dd));
	close(src);
	close(dst);
}

/*
 * A sparse file hashes and compares as the dense file of the same bytes
 * (its holes are zeros), and a file with holes beyond the bound is not
 * hashed at all.
 */
static void test_sparse_hash(void **state)
{
	const off_t size = 8 << 20, at = 3 << 20;
	enum hash_method m[] = { HASH_XXH3_128, HASH_SHA256 };
	unsigned char *buf = calloc(1, size);
	struct digest ds, dd, mem;
	off_t n;
	int sparse, dense, i;

	(void)state;
	memcpy(buf + at, "island", 6);
	dense = temp_file(buf, size);
	sparse = temp_file("", 0);
	assert_int_equal(ftruncate(sparse, size), 0);
	assert_int_equal(pwrite(sparse, "island", 6, at), 6);
	for (i = 0; i < 2; i++) {
		assert_int_equal(content_hash(sparse, m[i], &ds, &n), 0);
		assert_int_equal(n, size);
		assert_int_equal(content_hash(dense, m[i], &dd, &n), 0);
		assert_int_equal(hash_buffer(m[i], buf, size, &mem), 0);
		assert_true(digest_equal(&ds, &dd));
		assert_true(digest_equal(&dd, &mem));
	}
	assert_int_equal(content_compare(sparse, dense, size), 0);
	assert_int_equal(content_compare(dense, sparse, size), 0);
	assert_int_equal(pwrite(dense, "x", 1, size - 1), 1);
	assert_int_equal(content_compare(sparse, dense, size), 1);
	assert_int_equal(content_compare(dense, sparse, size), 1);

	/* a hole beyond the bound: not hashed, at once */
	assert_int_equal(ftruncate(sparse, CONTENT_HOLES_MAX + size), 0);
	assert_int_equal(content_hash(sparse, HASH_XXH3_128, &ds, &n),
			 -EFBIG);
	close(sparse);
	close(dense);
	free(buf);
}

/*
 * Sizes about the first read (256 KiB, read whole): each hashes as in
 * memory, compares equal to a copy, and unequal when its last byte or
 * its length differs.
 */
static void test_first_read_edges(void **state)
{
	const off_t chunk = 256 * 1024;
	const off_t sizes[] = { 0, 1, chunk - 1, chunk, chunk + 1,
				2 * chunk, 2 * chunk + 7 };
	unsigned char *buf = malloc(2 * chunk + 8);
	struct digest df, dm;
	size_t i;
	off_t n;

	(void)state;
	for (i = 0; i < (size_t)(2 * chunk + 8); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		off_t size = sizes[i];
		int a = temp_file(buf, size), b = temp_file(buf, size);
		int c = temp_file(buf, size + 1);

		assert_int_equal(content_hash(a, HASH_XXH3_128, &df, &n), 0);
		assert_int_equal(n, size);
		assert_int_equal(hash_buffer(HASH_XXH3_128, buf, size, &dm), 0);
		assert_true(digest_equal(&df, &dm));
		assert_int_equal(content_compare(a, b, size), 0);
		assert_int_equal(content_compare(a, c, size), 1);
		assert_int_equal(content_compare(c, a, size), 1);
		if (size) {
			assert_int_equal(pwrite(b, "", 1, size - 1), 1);
			if (buf[size - 1])
				assert_int_equal(content_compare(a, b, size), 1);
		}
		close(a);
		close(b);
		close(c);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_streaming_equals_one_shot),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_content_hash_and_compare),
		cmocka_unit_test(test_sparse_copy),
		cmocka_unit_test(test_sparse_hash),
		cmocka_unit_test(test_first_read_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

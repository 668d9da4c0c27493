// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay: runs a libFuzzer harness without libFuzzer, so that make check
 * builds every harness and feeds it its seed corpus (and CI does it
 * again under the sanitizers). Each file named on the command line is
 * given whole, and cut at up to 64 lengths spread over its size, since
 * a parser's edge cases sit where its input ends. Exits 0 when every
 * input was run, 1 when a file cannot be read; a harness that crashes
 * ends the program, which the test reports.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads all of @path into a new buffer, *@len bytes; NULL on failure. */
static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *buf = NULL, *more;
	size_t cap = 0, n;
	FILE *f = fopen(path, "rb");

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? 2 * cap : 4096;
			more = realloc(buf, cap);
			if (!more)
				goto fail;
			buf = more;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

/* Runs the harness on the first @n bytes of @buf, in a buffer of just
 * that size, so that AddressSanitizer sees a read past the end. */
static int run(const uint8_t *buf, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	if (!copy)
		return -1;
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long runs = 0;
	size_t len, cut, step;
	uint8_t *buf;
	int i, ret = 0;

	for (i = 1; i < argc && !ret; i++) {
		errno = 0;
		buf = slurp(argv[i], &len);
		if (!buf) {
			fprintf(stderr, "replay: cannot read '%s': %s\n",
				argv[i], strerror(errno ? errno : EIO));
			return 1;
		}
		step = len / 64 ? len / 64 : 1;
		for (cut = 0; cut < len && !ret; cut += step, runs++)
			ret = run(buf, cut);
		if (!ret)
			ret = run(buf, len);
		runs++;
		free(buf);
	}
	if (ret) {
		fprintf(stderr, "replay: out of memory\n");
		return 1;
	}
	printf("%lu inputs from %d files\n", runs, argc - 1);
	return 0;
}

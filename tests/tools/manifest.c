// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * manifest: prints one line per path below DIR, sorted, for tests to
 * compare trees before and after a run:
 *   PATH TYPE MODE UID GID MTIME SIZE XATTRS CONTENT [INODE NLINK]
 * PATH is escaped (\ooo for bytes outside printable ASCII, space and
 * backslash); CONTENT is the SHA-256 of a regular file, the target of
 * a symlink, or the device number. -i adds inode and link count.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <openssl/evp.h>

static char **lines;
static size_t n_lines, cap_lines;
static size_t root_len;
static int with_inode;

static void put_escaped(FILE *f, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\')
			fputc(s[i], f);
		else
			fprintf(f, "\\%03o", s[i]);
	}
}

static void put_sha256(FILE *f, const char *path)
{
	unsigned char buf[65536], md[32];
	unsigned int len, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOATIME);

	if (fd < 0)
		fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0) {
		fputs("unreadable", f);
		EVP_MD_CTX_free(ctx);
		return;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	close(fd);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", md[i]);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void put_xattrs(FILE *f, const char *path)
{
	char names[65536], *p;
	ssize_t n = llistxattr(path, names, sizeof(names));
	char *sorted[1024];
	size_t count = 0, i;

	if (n <= 0) {
		fputc('-', f);
		return;
	}
	for (p = names; p < names + n && count < 1024; p += strlen(p) + 1)
		sorted[count++] = p;
	qsort(sorted, count, sizeof(*sorted), cmp_str);
	for (i = 0; i < count; i++) {
		unsigned char val[65536];
		ssize_t v = lgetxattr(path, sorted[i], val, sizeof(val));

		fprintf(f, "%s%s=", i ? "," : "", sorted[i]);
		put_escaped(f, val, v > 0 ? v : 0);
	}
}

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	const char *rel = path + root_len;
	char *line = NULL, target[4096];
	size_t len = 0;
	ssize_t n;
	FILE *f = open_memstream(&line, &len);

	put_escaped(f, (const unsigned char *)(*rel ? rel : "/"),
		    strlen(*rel ? rel : "/"));
	fprintf(f, " %c %04o %u %u %lld.%09ld %lld ",
		S_ISREG(st->st_mode) ? 'f' : S_ISDIR(st->st_mode) ? 'd' :
		S_ISLNK(st->st_mode) ? 'l' : S_ISFIFO(st->st_mode) ? 'p' :
		S_ISCHR(st->st_mode) ? 'c' : S_ISBLK(st->st_mode) ? 'b' : 's',
		st->st_mode & 07777, st->st_uid, st->st_gid,
		(long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		S_ISDIR(st->st_mode) ? 0LL : (long long)st->st_size);
	put_xattrs(f, path);
	fputc(' ', f);
	if (S_ISREG(st->st_mode)) {
		put_sha256(f, path);
	} else if (S_ISLNK(st->st_mode)) {
		n = readlink(path, target, sizeof(target));
		put_escaped(f, (unsigned char *)target, n > 0 ? n : 0);
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		fprintf(f, "%u:%u", major(st->st_rdev), minor(st->st_rdev));
	} else {
		fputc('-', f);
	}
	if (with_inode)
		fprintf(f, " %llu %lu", (unsigned long long)st->st_ino,
			(unsigned long)st->st_nlink);
	fclose(f);
	if (n_lines == cap_lines) {
		cap_lines = cap_lines ? 2 * cap_lines : 1024;
		lines = realloc(lines, cap_lines * sizeof(*lines));
		if (!lines)
			abort();
	}
	lines[n_lines++] = line;
	(void)type;
	(void)ftw;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && !strcmp(argv[1], "-i")) {
		with_inode = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: manifest [-i] DIR\n");
		return 2;
	}
	root_len = strlen(argv[1]);
	while (root_len > 1 && argv[1][root_len - 1] == '/')
		root_len--;
	if (nftw(argv[1], visit, 64, FTW_PHYS | FTW_MOUNT)) {
		perror(argv[1]);
		return 1;
	}
	qsort(lines, n_lines, sizeof(*lines), cmp_str);
	for (i = 0; i < n_lines; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	free(lines);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link-floor: the least that replacing duplicates by hard links costs,
 * one after the other in one thread, nothing read or checked. Reads
 * lines "OBJECT<TAB>PATH" from standard input and, for each, links
 * OBJECT to a temporary beside PATH and then
 *   exchange  swaps the two names (RENAME_EXCHANGE) and unlinks the
 *             temporary, which now names the old file: vhashify's swap
 *   rename    renames the temporary over PATH: the peers' way
 * The replaced inode is freed in the thread, as a plain tool does.
 * Prints the files replaced.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[8192], tmp[8300];
	unsigned long done = 0;
	int exchange;

	if (argc != 2 || (strcmp(argv[1], "exchange") &&
			  strcmp(argv[1], "rename"))) {
		fprintf(stderr, "usage: link-floor exchange|rename <pairs\n");
		return 2;
	}
	exchange = !strcmp(argv[1], "exchange");
	while (fgets(line, sizeof(line), stdin)) {
		char *path = strchr(line, '\t');

		line[strcspn(line, "\n")] = '\0';
		if (!path)
			continue;
		*path++ = '\0';
		snprintf(tmp, sizeof(tmp), "%s.link-floor", path);
		if (link(line, tmp)) {
			perror(tmp);
			continue;
		}
		if (exchange) {
			if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
				      RENAME_EXCHANGE))
				perror(path);
			unlink(tmp);
		} else if (rename(tmp, path)) {
			perror(path);
			unlink(tmp);
		}
		done++;
	}
	printf("%lu\n", done);
	return 0;
}

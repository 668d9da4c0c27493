// SPDX-License-Identifier: GPL-2.0-or-later
/* The command line; see cli.h. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const char usage_text[] =
"usage: vhashify [OPTIONS] GUEST...\n"
"\n"
"Makes identical regular files of guest root trees one inode kept in a\n"
"content-addressed store on the same filesystem (hard links). Files that\n"
"differ in content, permission bits, owner, group, mtime or any extended\n"
"attribute stay apart. GUEST is the path to a guest's root directory.\n"
"\n"
"Options:\n"
"  -s, --store DIR      store directory, one per filesystem (repeatable);\n"
"                       default " DEFAULT_STORE "\n"
"  -n, --dry-run        change nothing, report what would be done\n"
"  -v, --verbose        list linked files; twice: skipped files and why\n"
"      --refresh        re-check files that already are store objects\n"
"      --ignore-mtime   link files whose mtimes differ\n"
"      --min-size N     skip files smaller than N bytes (suffixes K, M, G;\n"
"                       default 1: empty files are skipped)\n"
"      --method METHOD  hardlink (the only method yet)\n"
"      --hash METHOD    digest of a new store: xxh3-128 (default; a byte\n"
"                       comparison proves equality) or sha256 (the digest\n"
"                       is the proof); an existing store must match\n"
"      --pkgmgr NAME    the backend that finds configuration files: auto\n"
"                       (default: the detection table), a backend name,\n"
"                       or none (exclude lists alone)\n"
"      --exclude-from FILE\n"
"                       also leave out what FILE lists (repeatable)\n"
"      --plugin-dir DIR backend plugins are in DIR (default\n"
"                       " PLUGINDIR ";\n"
"                       VHASHIFY_PLUGIN_DIR overrides it too)\n"
"      --detect         print each guest's backend and the rule that\n"
"                       chose it, change nothing\n"
"      --list-backends  print the installed backend plugins\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Always left out: the paths of the default exclude list,\n"
SYSCONFDIR "/vhashify/exclude, and the configuration files that the\n"
"guest's package manager names. The detection table is\n"
SYSCONFDIR "/vhashify/detect.yaml and detect.d/*.yaml\n"
"(VHASHIFY_SYSCONFDIR overrides the directory). Directories, symlinks\n"
"and special files are never changed, nor are mount points crossed.\n"
"\n"
"Exit status:\n"
"  0  everything went well\n"
"  1  some files failed; they were left untouched and the run went on\n"
"  2  usage or configuration error; nothing was changed\n";

enum {
	OPT_REFRESH = 256,
	OPT_IGNORE_MTIME,
	OPT_MIN_SIZE,
	OPT_METHOD,
	OPT_HASH,
	OPT_PKGMGR,
	OPT_PLUGIN_DIR,
	OPT_EXCLUDE_FROM,
	OPT_DETECT,
	OPT_LIST_BACKENDS,
};

static const struct option long_options[] = {
	{ "store", required_argument, NULL, 's' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ "ignore-mtime", no_argument, NULL, OPT_IGNORE_MTIME },
	{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "pkgmgr", required_argument, NULL, OPT_PKGMGR },
	{ "plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR },
	{ "exclude-from", required_argument, NULL, OPT_EXCLUDE_FROM },
	{ "detect", no_argument, NULL, OPT_DETECT },
	{ "list-backends", no_argument, NULL, OPT_LIST_BACKENDS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Parses "123", "4K", "16M", "1G" (powers of 1024). */
static int parse_size(const char *s, off_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k':
		mul = 1ULL << 10;
		end++;
		break;
	case 'M': case 'm':
		mul = 1ULL << 20;
		end++;
		break;
	case 'G': case 'g':
		mul = 1ULL << 30;
		end++;
		break;
	}
	if (*end || v > (unsigned long long)INT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* Appends @s to a growing array of strings. */
static int push(const char ***v, int *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vhashify: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vhashify --help' for more information.\n");
	return EXIT_USAGE;
}

int cli_parse(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->min_size = 1;
	o->hash = HASH_XXH3_128;
	o->sysconfdir = getenv("VHASHIFY_SYSCONFDIR");
	if (!o->sysconfdir || !*o->sysconfdir)
		o->sysconfdir = SYSCONFDIR "/vhashify";

	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:nvhV", long_options,
				NULL)) != -1) {
		switch (c) {
		case 's':
			if (push(&o->stores, &o->n_stores, optarg))
				return usage_error("%s", strerror(ENOMEM));
			break;
		case OPT_EXCLUDE_FROM:
			if (push(&o->exclude_from, &o->n_exclude_from, optarg))
				return usage_error("%s", strerror(ENOMEM));
			break;
		case OPT_PKGMGR:
			o->pkgmgr = strcmp(optarg, "auto") ? optarg : NULL;
			if (o->pkgmgr && !*o->pkgmgr)
				return usage_error("--pkgmgr needs a name");
			break;
		case OPT_PLUGIN_DIR:
			o->plugin_dir = optarg;
			break;
		case OPT_DETECT:
			o->detect_only = true;
			break;
		case OPT_LIST_BACKENDS:
			o->list_backends = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_REFRESH:
			o->refresh = true;
			break;
		case OPT_IGNORE_MTIME:
			o->ignore_mtime = true;
			break;
		case OPT_MIN_SIZE:
			if (parse_size(optarg, &o->min_size))
				return usage_error("invalid size '%s' for "
						   "--min-size", optarg);
			break;
		case OPT_METHOD:
			if (strcmp(optarg, "hardlink"))
				return usage_error("unknown method '%s': "
						   "only 'hardlink' is known",
						   optarg);
			o->method = METHOD_HARDLINK;
			break;
		case OPT_HASH:
			if (hash_method_parse(optarg, &o->hash))
				return usage_error("unknown hash '%s': use "
						   "'xxh3-128' or 'sha256'",
						   optarg);
			o->hash_set = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("vhashify %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			if (optopt == 's')
				return usage_error("option '-s' needs an "
						   "argument");
			if (optopt > 0 && optopt < 256)
				return usage_error("unknown option '-%c'",
						   optopt);
			return usage_error("unknown option or missing "
					   "argument in '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind == argc && !o->list_backends)
		return usage_error("%s", "no guest given");
	o->guests = argv + optind;
	o->n_guests = argc - optind;
	log_set_verbosity(o->verbose);
	return -1;
}

void cli_release(struct options *o)
{
	free(o->stores);
	free(o->exclude_from);
	o->stores = NULL;
	o->exclude_from = NULL;
}

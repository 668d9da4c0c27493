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
"usage: vhashify [OPTIONS] GUEST...      hashify guests\n"
"       vhashify [OPTIONS] --all         hashify every guest found\n"
"       vhashify --restore GUEST...      give guests private copies again\n"
"       vhashify --verify [--remove-corrupt] [--detach-modified] [GUEST...]\n"
"       vhashify --gc | --stats [--json] | --list-guests |\n"
"                --list-backends | --detect GUEST...\n"
"\n"
"Makes identical regular files of guest root trees one inode kept in a\n"
"content-addressed store on the same filesystem (hard links). Files that\n"
"differ in content, permission bits, owner, group, mtime or any extended\n"
"attribute stay apart, and so do the configuration files the guest's\n"
"package manager names. GUEST is a path to a guest's root directory, or\n"
"a name (no '/') looked up in the configured guest paths.\n"
"\n"
"Options:\n"
"  -s, --store DIR      store directory, one per filesystem (repeatable);\n"
"                       default from the configuration, else\n"
"                       " DEFAULT_STORE "\n"
"  -c, --config FILE    configuration file (default\n"
"                       " SYSCONFDIR "/vhashify/vhashify.yaml)\n"
"  -n, --dry-run        change nothing, report what would be done\n"
"  -v, --verbose        list linked files; twice: skipped files and why\n"
"  -q, --quiet          no progress line (shown on a terminal otherwise)\n"
"  -j, --jobs N         work on up to N guests at once (default: one per\n"
"                       CPU)\n"
"      --all            every guest found in the configured guest paths\n"
"      --refresh        re-check files that already are store objects\n"
"      --ignore-mtime   link files whose mtimes differ\n"
"      --min-size N     skip files smaller than N bytes (suffixes K, M, G;\n"
"                       default 1: empty files are skipped)\n"
"      --lock-timeout SECONDS\n"
"                       give up (exit 2) when another run holds the\n"
"                       store's lock longer (default 600; 0: no wait)\n"
"      --method METHOD  hardlink (default): one inode, metadata shared;\n"
"                       reflink: shared extents (FIDEDUPERANGE), each\n"
"                       file keeps its inode and metadata; auto: reflink\n"
"                       where the filesystem can, else hardlink\n"
"      --hash METHOD    digest of a new store: xxh3-128 (default; a byte\n"
"                       comparison proves equality) or sha256 (the digest\n"
"                       is the proof); an existing store must match\n"
"      --immutable      make store objects immutable (chattr +i), for\n"
"                       frozen guests: on a stock kernel nothing can then\n"
"                       write, replace or remove a shared file, so package\n"
"                       upgrades in the guests fail; --restore and --gc\n"
"                       clear the flag\n"
"      --pkgmgr NAME    the backend that finds configuration files: auto\n"
"                       (default: the detection table), a backend name,\n"
"                       or none (exclude lists alone)\n"
"      --exclude-from FILE\n"
"                       also leave out what FILE lists (repeatable)\n"
"      --json           the report as one JSON document on stdout (notes\n"
"                       go to stderr); see vhashify(8) for its keys\n"
"      --force-guest    take a guest that is the host's root directory or\n"
"                       holds a store (refused otherwise)\n"
"      --plugin-dir DIR backend plugins are in DIR (default\n"
"                       " PLUGINDIR ";\n"
"                       VHASHIFY_PLUGIN_DIR overrides it too)\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Actions other than hashifying (one at a time; they take the store lock):\n"
"      --restore        give every shared file of the guests its own\n"
"                       private copy again (with --dry-run: count them)\n"
"      --gc             remove objects no guest links to any more, and\n"
"                       leftovers of interrupted runs\n"
"      --verify         re-hash every object, check its name and metadata;\n"
"                       name every path of the GUESTs (default: of the\n"
"                       configuration) linked to a bad one; --json;\n"
"                       --remove-corrupt unlinks bad ones from the store\n"
"                       (guests linked to one keep sharing its inode);\n"
"                       --detach-modified gives each path linked to an\n"
"                       object a guest wrote a private copy of what it\n"
"                       holds, then removes the object from the store\n"
"      --stats          objects, bytes stored and saved, largest objects,\n"
"                       guests referencing the store (of those given, or\n"
"                       --all); --json for a JSON document\n"
"      --detect         print each guest's backend and the rule that\n"
"                       chose it\n"
"      --list-guests    print the guests found, their roots and backends\n"
"      --list-backends  print the installed backend plugins\n"
"      --adopt-store DIR|auto [GUEST...]\n"
"                       take the objects of util-vserver's hash directory\n"
"                       DIR (auto: the GUESTs' own) into the store, no\n"
"                       byte copied, then remove util-vserver's NAME;XXXXXX\n"
"                       leftovers linked to them in the GUESTs;\n"
"                       --remove-adopted removes their old names and\n"
"                       util-vserver's empty placeholders\n"
"      --migrate-flags keep|clear\n"
"                       list the guests' shared files that are immutable\n"
"                       (util-vserver's unified files), or clear the\n"
"                       flag so that package upgrades work again;\n"
"                       with --immutable, store objects keep it\n"
"\n"
"Always left out: the paths of the default exclude list,\n"
SYSCONFDIR "/vhashify/exclude, and the configuration files that the\n"
"guest's package manager names. The detection table is\n"
SYSCONFDIR "/vhashify/detect.yaml and detect.d/*.yaml\n"
"(VHASHIFY_CONFIG_DIR overrides the directory). Directories, symlinks\n"
"and special files are never changed, nor are mount points crossed.\n"
"\n"
"Exit status:\n"
"  0  everything went well\n"
"  1  some files failed (left untouched, the run went on), or --verify\n"
"     found corrupt objects\n"
"  2  usage or configuration error; nothing was changed\n";

enum {
	OPT_REFRESH = 256,
	OPT_IGNORE_MTIME,
	OPT_MIN_SIZE,
	OPT_LOCK_TIMEOUT,
	OPT_METHOD,
	OPT_HASH,
	OPT_PKGMGR,
	OPT_PLUGIN_DIR,
	OPT_EXCLUDE_FROM,
	OPT_DETECT,
	OPT_LIST_BACKENDS,
	OPT_LIST_GUESTS,
	OPT_ALL,
	OPT_GC,
	OPT_VERIFY,
	OPT_REMOVE_CORRUPT,
	OPT_DETACH_MODIFIED,
	OPT_STATS,
	OPT_RESTORE,
	OPT_JSON,
	OPT_IMMUTABLE,
	OPT_FORCE_GUEST,
	OPT_MIGRATE_FLAGS,
	OPT_ADOPT_STORE,
	OPT_REMOVE_ADOPTED,
	OPT_DESTINATION,
	OPT_MANUALLY,
	OPT_OLD_NOOP,
};

static const struct option long_options[] = {
	{ "store", required_argument, NULL, 's' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ "ignore-mtime", no_argument, NULL, OPT_IGNORE_MTIME },
	{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "pkgmgr", required_argument, NULL, OPT_PKGMGR },
	{ "plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR },
	{ "exclude-from", required_argument, NULL, OPT_EXCLUDE_FROM },
	{ "detect", no_argument, NULL, OPT_DETECT },
	{ "list-backends", no_argument, NULL, OPT_LIST_BACKENDS },
	{ "list-guests", no_argument, NULL, OPT_LIST_GUESTS },
	{ "config", required_argument, NULL, 'c' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "gc", no_argument, NULL, OPT_GC },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "remove-corrupt", no_argument, NULL, OPT_REMOVE_CORRUPT },
	{ "detach-modified", no_argument, NULL, OPT_DETACH_MODIFIED },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "restore", no_argument, NULL, OPT_RESTORE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "immutable", no_argument, NULL, OPT_IMMUTABLE },
	{ "force-guest", no_argument, NULL, OPT_FORCE_GUEST },
	{ "quiet", no_argument, NULL, 'q' },
	{ "migrate-flags", required_argument, NULL, OPT_MIGRATE_FLAGS },
	{ "adopt-store", required_argument, NULL, OPT_ADOPT_STORE },
	{ "remove-adopted", no_argument, NULL, OPT_REMOVE_ADOPTED },
	/* util-vserver's vhashify: see vhashify(8), COMPATIBILITY */
	{ "destination", required_argument, NULL, OPT_DESTINATION },
	{ "manually", no_argument, NULL, OPT_MANUALLY },
	{ "insecure", no_argument, NULL, OPT_OLD_NOOP },
	{ "sledgehammer", no_argument, NULL, OPT_OLD_NOOP },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int parse_size(const char *s, off_t *out)
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

int parse_seconds(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > LOCK_TIMEOUT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A --jobs count from 1 to 1024, or 0 when @s is not one. */
static unsigned int parse_jobs(const char *s)
{
	unsigned long v;
	char *end;

	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	return errno || *end || v > 1024 ? 0 : v;
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

static enum mode mode_of(int option)
{
	switch (option) {
	case OPT_DETECT:
		return MODE_DETECT;
	case OPT_LIST_BACKENDS:
		return MODE_LIST_BACKENDS;
	case OPT_LIST_GUESTS:
		return MODE_LIST_GUESTS;
	case OPT_GC:
		return MODE_GC;
	case OPT_VERIFY:
		return MODE_VERIFY;
	case OPT_STATS:
		return MODE_STATS;
	case OPT_MIGRATE_FLAGS:
		return MODE_MIGRATE_FLAGS;
	case OPT_ADOPT_STORE:
		return MODE_ADOPT;
	default:
		return MODE_RESTORE;
	}
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
	bool manually = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->min_size = 1;
	o->lock_timeout = 600;
	o->hash = HASH_XXH3_128;
	/* VHASHIFY_SYSCONFDIR: the older name, still taken */
	o->sysconfdir = getenv("VHASHIFY_CONFIG_DIR");
	if (!o->sysconfdir || !*o->sysconfdir)
		o->sysconfdir = getenv("VHASHIFY_SYSCONFDIR");
	if (!o->sysconfdir || !*o->sysconfdir)
		o->sysconfdir = SYSCONFDIR "/vhashify";

	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:c:j:nqvhV", long_options,
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
		case OPT_LIST_BACKENDS:
		case OPT_LIST_GUESTS:
		case OPT_GC:
		case OPT_VERIFY:
		case OPT_STATS:
		case OPT_RESTORE:
		case OPT_MIGRATE_FLAGS:
		case OPT_ADOPT_STORE:
			if (o->mode != MODE_HASHIFY)
				return usage_error("only one of --detect, "
						   "--list-backends, "
						   "--list-guests, --gc, "
						   "--verify, --stats, "
						   "--restore, --adopt-store "
						   "and --migrate-flags at a "
						   "time");
			o->mode = mode_of(c);
			if (c == OPT_ADOPT_STORE)
				o->adopt_dir = optarg;
			if (c != OPT_MIGRATE_FLAGS)
				break;
			if (strcmp(optarg, "keep") && strcmp(optarg, "clear"))
				return usage_error("--migrate-flags takes "
						   "keep or clear, not '%s'",
						   optarg);
			o->clear_flags = !strcmp(optarg, "clear");
			break;
		case OPT_REMOVE_ADOPTED:
			o->remove_adopted = true;
			break;
		case OPT_DESTINATION:
			o->adopt_dir = optarg;	/* adopted, then hashify */
			break;
		case OPT_MANUALLY:
			manually = true;
			break;
		case OPT_OLD_NOOP:
			break;	/* nothing to make insecure */
		case 'c':
			o->config = optarg;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_REMOVE_CORRUPT:
			o->remove_corrupt = true;
			break;
		case OPT_DETACH_MODIFIED:
			o->detach_modified = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_IMMUTABLE:
			o->immutable = true;
			break;
		case OPT_FORCE_GUEST:
			o->force_guest = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'j':
			o->jobs = parse_jobs(optarg);
			if (!o->jobs)
				return usage_error("invalid number '%s' for "
						   "--jobs", optarg);
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
			o->min_size_set = true;
			break;
		case OPT_LOCK_TIMEOUT:
			if (parse_seconds(optarg, &o->lock_timeout))
				return usage_error("invalid number of seconds "
						   "'%s' for --lock-timeout",
						   optarg);
			o->lock_timeout_set = true;
			break;
		case OPT_METHOD:
			if (link_method_parse(optarg, &o->method))
				return usage_error("unknown method '%s': use "
						   "hardlink, reflink or auto",
						   optarg);
			o->method_set = true;
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
			if (optopt == 's' || optopt == 'c' || optopt == 'j')
				return usage_error("option '-%c' needs an "
						   "argument", optopt);
			if (optopt > 0 && optopt < 256)
				return usage_error("unknown option '-%c'",
						   optopt);
			return usage_error("unknown option or missing "
					   "argument in '%s'",
					   argv[optind - 1]);
		}
	}
	o->guests = argv + optind;
	o->n_guests = argc - optind;
	if (manually) {
		/* util-vserver: --manually --destination DIR PATH LIST */
		if (!o->adopt_dir || o->mode != MODE_HASHIFY ||
		    o->n_guests != 2)
			return usage_error("--manually takes --destination DIR"
					   ", a PATH and an EXCLUDELIST");
		o->manual_list = o->guests[1];
		o->n_guests = 1;
		if (!strchr(o->guests[0], '/'))
			return usage_error("--manually takes a path, not a "
					   "guest name: '%s'", o->guests[0]);
	}
	if (o->remove_corrupt && o->mode != MODE_VERIFY)
		return usage_error("--remove-corrupt goes with --verify");
	if (o->detach_modified && o->mode != MODE_VERIFY)
		return usage_error("--detach-modified goes with --verify");
	if (o->remove_adopted && o->mode != MODE_ADOPT)
		return usage_error("--remove-adopted goes with --adopt-store");
	if (o->json && o->mode != MODE_STATS && o->mode != MODE_HASHIFY &&
	    o->mode != MODE_VERIFY)
		return usage_error("--json goes with hashifying, --verify or "
				   "--stats");
	log_notes_to_stderr(o->json);
	if (o->immutable && o->method != METHOD_HARDLINK)
		return usage_error("--immutable goes with --method=hardlink");
	if (o->all && o->n_guests)
		return usage_error("give guests or --all, not both");
	switch (o->mode) {
	case MODE_HASHIFY:
	case MODE_DETECT:
	case MODE_RESTORE:
	case MODE_MIGRATE_FLAGS:
		if (!o->n_guests && !o->all)
			return usage_error("no guest given (or --all)");
		break;
	case MODE_LIST_BACKENDS:
	case MODE_LIST_GUESTS:
	case MODE_GC:
		if (o->n_guests || o->all)
			return usage_error("this action takes no guest");
		break;
	case MODE_ADOPT:
		/* auto: the guests' hash directories; guests: leftovers */
		if (!strcmp(o->adopt_dir, "auto") && !o->n_guests && !o->all)
			return usage_error("--adopt-store=auto takes guests "
					   "(or --all)");
		break;
	case MODE_STATS:
		break;	/* guests, if given, are counted as referencing */
	case MODE_VERIFY:
		break;	/* guests, if given, are walked for bad objects */
	}
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

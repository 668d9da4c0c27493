// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rpm backend: configuration files of Fedora, RHEL, SUSE and other
 * rpm guests, read offline from the guest's rpm database with librpm.
 *
 * The database is in var/lib/rpm or usr/lib/sysimage/rpm (one may be a
 * symlink to the other, resolved inside the guest), as sqlite
 * (rpmdb.sqlite), Berkeley DB (Packages) or ndb (Packages.db). librpm
 * creates a database where it finds none and sqlite may write beside
 * one, so librpm only ever sees a private copy of the files of the
 * database it reads, holes kept, their data bounded (1 GiB, or
 * VHASHIFY_RPMDB_MAX bytes): a guest's sparse or huge database never
 * fills the host's TMPDIR. Files flagged RPMFILE_CONFIG are
 * configuration, %ghost ones included.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include <vhashify/backend.h>

#include "safeopen.h"
#include "sparsecopy.h"

/* where guests keep the database, in the order tried */
static const char *const db_dirs[] = {
	"/var/lib/rpm",
	"/usr/lib/sysimage/rpm",
};

/*
 * Database files, the librpm backend that reads each, and the files of
 * that database librpm needs: the main one first, then those it may
 * use when there (sqlite's journal, write-ahead log and its index).
 */
static const struct {
	const char *file;
	const char *backend;
	const char *const *files;
} formats[] = {
	{ "rpmdb.sqlite", "sqlite", (const char *const[]){ "rpmdb.sqlite",
	  "rpmdb.sqlite-wal", "rpmdb.sqlite-shm", "rpmdb.sqlite-journal",
	  NULL } },
	{ "Packages", "bdb_ro", (const char *const[]){ "Packages", NULL } },
	{ "Packages.db", "ndb", (const char *const[]){ "Packages.db",
	  "Index.db", NULL } },
};

static const char *const by_nature[] = {
	"/**/*.rpmnew", "/**/*.rpmsave", "/**/*.rpmorig",
};

/* a private copy with more data than this is refused */
#define MAX_DB_SIZE (1ull << 30)
#define MAX_DB_ENV "VHASHIFY_RPMDB_MAX"

struct db {
	const char *dir;	/* guest path of the database directory */
	int format;		/* index into formats */
	char tmp[64];		/* the private copy */
};

/* Finds the guest's database: 1 found, 0 none, or -errno. */
static int find_db(const struct vhashify_host *host, struct db *db)
{
	size_t d, f;
	char path[128];
	int fd;

	for (d = 0; d < sizeof(db_dirs) / sizeof(*db_dirs); d++) {
		for (f = 0; f < sizeof(formats) / sizeof(*formats); f++) {
			snprintf(path, sizeof(path), "%s/%s", db_dirs[d],
				 formats[f].file);
			/* the copy opens it, and only a regular file */
			fd = host->open_in_guest(host, path, O_PATH);
			if (fd == -ENOENT || fd == -ENOTDIR)
				continue;
			if (fd < 0) {
				host->log(host, VHASHIFY_LOG_ERROR,
					  "cannot open '%s': %s", path,
					  strerror(-fd));
				return fd;
			}
			close(fd);
			db->dir = db_dirs[d];
			db->format = f;
			return 1;
		}
	}
	return 0;
}

/* The bound of the private copy: MAX_DB_ENV bytes (K, M, G) or 1 GiB. */
static unsigned long long max_db_size(void)
{
	const char *v = getenv(MAX_DB_ENV);
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return MAX_DB_SIZE;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return MAX_DB_SIZE;
	switch (*end) {
	case 'G':
		n <<= 10;
		/* fall through */
	case 'M':
		n <<= 10;
		/* fall through */
	case 'K':
		n <<= 10;
		break;
	}
	return n;
}

/* Removes the private copy and everything librpm put in it. */
static void remove_copy(struct db *db)
{
	struct dirent *de;
	DIR *d;

	if (!db->tmp[0])
		return;
	d = opendir(db->tmp);
	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(db->tmp);
	db->tmp[0] = '\0';
}

/*
 * Copies one file @name of the database, when there, into @tfd within
 * *budget bytes of data. Returns 0 or -errno (logged).
 */
static int copy_file(const struct vhashify_host *host, struct db *db,
		     int dfd, int tfd, const char *name, bool required,
		     unsigned long long *budget, unsigned long long max)
{
	struct stat st;
	int in, out, ret;

	in = open_regular(dfd, name, O_NOFOLLOW);
	if (in == -ENOENT && !required)
		return 0;
	if (in < 0) {
		host->log(host, VHASHIFY_LOG_ERROR, "cannot copy '%s/%s': %s",
			  db->dir, name, open_strerror(in));
		return in;
	}
	if (fstat(in, &st)) {
		ret = -errno;
		close(in);
		host->log(host, VHASHIFY_LOG_ERROR, "cannot copy '%s/%s': %s",
			  db->dir, name, strerror(-ret));
		return ret;
	}
	/* what it takes on disk is what a copy without its holes takes */
	if ((unsigned long long)st.st_blocks * 512 > *budget) {
		close(in);
		host->log(host, VHASHIFY_LOG_ERROR, "cannot copy '%s/%s': the "
			  "database holds more than %llu bytes (" MAX_DB_ENV
			  ")", db->dir, name, max);
		return -EFBIG;
	}
	out = openat(tfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ret = out < 0 ? -errno : sparse_copy(in, out, budget);
	close(in);
	if (out >= 0)
		close(out);
	if (ret == -EFBIG)
		host->log(host, VHASHIFY_LOG_ERROR, "cannot copy '%s/%s': the "
			  "database holds more than %llu bytes (" MAX_DB_ENV
			  ")", db->dir, name, max);
	else if (ret)
		host->log(host, VHASHIFY_LOG_ERROR, "cannot copy '%s/%s': %s",
			  db->dir, name, strerror(-ret));
	return ret;
}

/* Copies the files of the guest's database librpm reads, holes kept. */
static int copy_db(const struct vhashify_host *host, struct db *db)
{
	unsigned long long max = max_db_size(), budget = max;
	const char *tmpdir = getenv("TMPDIR");
	const char *const *name;
	int dfd, tfd, ret = 0;

	snprintf(db->tmp, sizeof(db->tmp), "%s/vhashify-rpmdb.XXXXXX",
		 tmpdir && *tmpdir && strlen(tmpdir) < 32 ? tmpdir : "/tmp");
	if (!mkdtemp(db->tmp)) {
		ret = -errno;
		db->tmp[0] = '\0';
		host->log(host, VHASHIFY_LOG_ERROR, "cannot make a private "
			  "copy of '%s': %s", db->dir, strerror(-ret));
		return ret;
	}
	tfd = open(db->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return -errno;
	dfd = host->open_in_guest(host, db->dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		close(tfd);
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  db->dir, strerror(-dfd));
		return dfd;
	}
	for (name = formats[db->format].files; !ret && *name; name++)
		ret = copy_file(host, db, dfd, tfd, *name,
				name == formats[db->format].files, &budget,
				max);
	close(dfd);
	close(tfd);
	return ret;
}

/* librpm's messages go to our log; its errors count. */
struct rpm_log {
	const struct vhashify_host *host;
	unsigned int errors;
};

static int log_cb(rpmlogRec rec, rpmlogCallbackData data)
{
	struct rpm_log *l = data;
	rpmlogLvl prio = rpmlogRecPriority(rec);
	char msg[1024];
	size_t n;

	snprintf(msg, sizeof(msg), "librpm: %s", rpmlogRecMessage(rec));
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (prio <= RPMLOG_ERR) {
		l->errors++;
		l->host->log(l->host, VHASHIFY_LOG_ERROR, "%s", msg);
	} else if (prio <= RPMLOG_WARNING) {
		l->host->log(l->host, VHASHIFY_LOG_WARNING, "%s", msg);
	} else {
		l->host->log(l->host, VHASHIFY_LOG_DEBUG, "%s", msg);
	}
	return 0;	/* librpm prints nothing itself */
}

/* Emits every configuration file of every package in the copy. */
static int read_packages(const struct vhashify_host *host, struct db *db,
			 vhashify_emit_fn emit, void *ctx)
{
	struct rpm_log log = { .host = host };
	unsigned long packages = 0, configs = 0;
	rpmdbMatchIterator mi;
	rpmlogCallback old_cb;
	rpmts ts;
	Header h;
	int ret = 0;

	old_cb = rpmlogSetCallback(log_cb, &log);
	if (rpmReadConfigFiles(NULL, NULL)) {
		rpmlogSetCallback(old_cb, NULL);
		host->log(host, VHASHIFY_LOG_ERROR,
			  "cannot read librpm's configuration");
		return -EIO;
	}
	rpmPushMacro(NULL, "_dbpath", NULL, db->tmp, RMIL_CMDLINE);
	rpmPushMacro(NULL, "_db_backend", NULL, formats[db->format].backend,
		     RMIL_CMDLINE);
	ts = rpmtsCreate();
	rpmtsSetRootDir(ts, "/");
	rpmtsSetVSFlags(ts, _RPMVSF_NOSIGNATURES | _RPMVSF_NODIGESTS);
	if (rpmtsOpenDB(ts, O_RDONLY)) {
		ret = -EIO;
		goto out;
	}
	mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
	while (!ret && (h = rpmdbNextIterator(mi))) {
		rpmfi fi = rpmfiNew(ts, h, RPMTAG_BASENAMES,
				    RPMFI_FLAGS_QUERY);

		packages++;
		if (!fi)
			continue;	/* a package without files */
		rpmfiInit(fi, 0);
		while (!ret && rpmfiNext(fi) >= 0) {
			if (!(rpmfiFFlags(fi) & RPMFILE_CONFIG))
				continue;
			configs++;
			ret = emit(ctx, rpmfiFN(fi), 0);
		}
		rpmfiFree(fi);
	}
	rpmdbFreeIterator(mi);
out:
	rpmtsFree(ts);
	/* leave no librpm state behind: the plugin may be unloaded */
	rpmFreeMacros(NULL);
	rpmFreeRpmrc();
	rpmlogSetCallback(old_cb, NULL);
	/* librpm may complain and still answer: do not trust silence */
	if (!ret && (log.errors || !packages)) {
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read the %s "
			  "database in '%s'%s", formats[db->format].backend,
			  db->dir, db->format == 2 ? ": this librpm cannot "
			  "read ndb databases (openSUSE)" : packages ? "" :
			  ": no package found");
		ret = -EIO;
	}
	if (!ret && !configs)
		host->log(host, VHASHIFY_LOG_WARNING, "'%s' lists %lu packages "
			  "but no configuration file: is it intact?", db->dir,
			  packages);
	host->log(host, VHASHIFY_LOG_DEBUG, "%lu packages, %lu configuration "
		  "files", packages, configs);
	return ret;
}

static int rpm_probe(const struct vhashify_host *host)
{
	struct db db = { 0 };

	return find_db(host, &db);
}

static int rpm_list(const struct vhashify_host *host, vhashify_emit_fn emit,
		    void *ctx)
{
	struct db db = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < sizeof(db_dirs) / sizeof(*db_dirs); i++)
		ret = emit(ctx, db_dirs[i], 0);
	for (i = 0; !ret && i < sizeof(by_nature) / sizeof(*by_nature); i++)
		ret = emit(ctx, by_nature[i], VHASHIFY_EMIT_GLOB);
	if (ret)
		return ret;
	ret = find_db(host, &db);
	if (ret <= 0) {
		if (!ret)
			host->log(host, VHASHIFY_LOG_ERROR, "no rpm database "
				  "in '/var/lib/rpm' or '/usr/lib/sysimage/rpm'");
		return ret ? ret : -ENOENT;
	}
	ret = copy_db(host, &db);
	if (!ret)
		ret = read_packages(host, &db, emit, ctx);
	remove_copy(&db);
	return ret;
}

static const struct vhashify_backend backend = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "rpm",
	.description = "rpm database (sqlite, Berkeley DB) read with librpm",
	.probe = rpm_probe,
	.list_exclusions = rpm_list,
	.version = PLUGIN_VERSION,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &backend;
}

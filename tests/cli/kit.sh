#!/bin/sh
# The backend kit of ABI 1.1, from an install: an out-of-tree plugin
# built against an installed vhashify with pkg-config alone, that reads
# its options from vhashify.yaml (global and per guest) and the guest
# through the host's services (read_file, list_dir, read_link,
# glob_escape, reason), chosen by its drop-in rule in detectdir, whose
# priority puts it before the shipped rules; an option it does not
# declare is an error with file and line; a plugin built for ABI 1.0
# still loads and works. The installed .pc is found by PKG_CONFIG_PATH
# alone: it names its directories relative to itself.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
[ -n "${TOP_BUILDDIR:-}" ] || skip_all "TOP_BUILDDIR is not set"
command -v pkg-config >/dev/null || skip_all "pkg-config is needed"
command -v timeout >/dev/null || skip_all "timeout is needed"
plan 19

D=$T/dest
make -C "$TOP_BUILDDIR" install DESTDIR="$D" >"$T/install.log" 2>&1 ||
	{ diag "$(tail -n 20 "$T/install.log")"; skip_all "make install failed"; }
pc=$(find "$D" -name vhashify-backend.pc)
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH="$(dirname "$pc")"
plugindir=$(pkg-config --variable=plugindir vhashify-backend)
detectdir=$(pkg-config --variable=detectdir vhashify-backend)

cat >"$T/kit.c" <<'CODE'
/* A backend of ABI 1.1 that uses nothing but the host's services. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <vhashify/backend.h>

static const char *const options[] = { "db", "confdir", NULL };

/* db: "PACKAGE PATH" a line; each PATH is that package's config file */
static int read_db(const struct vhashify_host *host, vhashify_emit_fn emit,
		   void *ctx)
{
	const char *db = host->option(host, "db");
	char *buf, *line, *save, *path;
	size_t len;
	int ret;

	ret = host->read_file(host, db ? db : "/kit/db", 1 << 20, &buf, &len);
	if (ret) {
		host->log(host, VHASHIFY_LOG_ERROR, "cannot read '%s': %s",
			  db ? db : "/kit/db", ret == -ENXIO ?
			  "not a regular file" : strerror(-ret));
		return ret;
	}
	for (line = strtok_r(buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		path = strchr(line, ' ');
		if (!path)
			continue;
		*path++ = '\0';
		ret = host->reason(host, "kit file of %s", line);
		if (!ret)
			ret = emit(ctx, path, 0);
	}
	free(buf);
	return ret;
}

/* confdir: each NAME in it keeps /srv/NAME* private, NAME literal */
static int read_confdir(const struct vhashify_host *host,
			vhashify_emit_fn emit, void *ctx)
{
	const char *dir = host->option(host, "confdir");
	char **names, pattern[4096];
	size_t n, i, k;
	int ret;

	ret = host->list_dir(host, dir ? dir : "/kit/conf.d", 100, &names, &n);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	ret = host->reason(host, "kit confdir");
	for (i = 0; !ret && i < n; i++) {
		k = host->glob_escape(host, names[i], pattern + 5,
				      sizeof(pattern) - 6);
		if (k >= sizeof(pattern) - 6) {
			ret = -ENAMETOOLONG;
			break;
		}
		memcpy(pattern, "/srv/", 5);
		strcat(pattern, "*");
		ret = emit(ctx, pattern, VHASHIFY_EMIT_GLOB);
	}
	free(names);
	return ret;
}

static int kit_list(const struct vhashify_host *host, vhashify_emit_fn emit,
		    void *ctx)
{
	char target[4096];
	ssize_t n;
	int ret;

	if (!VHASHIFY_HOST_HAS(host, glob_escape))
		return -ENOTSUP;	/* needs a 1.1 host */
	ret = read_db(host, emit, ctx);
	if (!ret)
		ret = read_confdir(host, emit, ctx);
	/* /kit/current: a symlink to the release in use, kept private */
	n = host->read_link(host, "/kit/current", target, sizeof(target));
	if (!ret && n > 0 && target[0] == '/') {
		ret = host->reason(host, "current release");
		if (!ret)
			ret = emit(ctx, target, 0);
	}
	return ret;
}

static const struct vhashify_backend kit = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "kit",
	.description = "a backend built from the installed kit",
	.list_exclusions = kit_list,
	.version = "7.1",
	.options = options,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &kit;
}
CODE
# built and installed as a distribution would: pkg-config alone
if ${CC:-cc} $(pkg-config --cflags vhashify-backend) -shared -fPIC \
	-fvisibility=hidden -Wall -Wextra -Werror -o "$T/kit.so" "$T/kit.c" \
	2>"$T/cc.err" &&
   install -D -m 0755 "$T/kit.so" "$plugindir/kit.so" &&
   printf 'rules:\n  - backend: kit\n    priority: 10\n    exists: /kit\n' \
	>"$T/50-kit.yaml" &&
   install -D -m 0644 "$T/50-kit.yaml" "$detectdir/50-kit.yaml"
then
	pass "a 1.1 plugin builds against the installed kit with pkg-config alone"
else
	diag "$(cat "$T/cc.err")"
	fail "a 1.1 plugin builds against the installed kit with pkg-config alone"
fi
# and a plugin built for ABI 1.0, installed beside it
install -m 0755 "$TEST_PLUGIN_DIR/old10.so" "$plugindir/old10.so"

# the installed vhashify's plugins and configuration
export VHASHIFY_PLUGIN_DIR="$plugindir"
unset VHASHIFY_SYSCONFDIR
export VHASHIFY_CONFIG_DIR="$(dirname "$detectdir")"

run_vh --list-backends
check "--list-backends shows the plugin's version and ABI" \
	grep -Eq '^kit +ABI 1\.1  7\.1 +a backend built from the installed kit' "$T/out"
check "--list-backends shows a 1.0 plugin, without a version" \
	grep -Eq '^old10 +ABI 1\.0  - +a plugin built for ABI 1\.0' "$T/out"

# guests k1, k2 by name; k2's database is elsewhere, set for it alone
for g in k1 k2; do
	R=$T/guests/$g
	mkfile "$R/usr/share/kit/a.conf" "a=1"
	mkfile "$R/usr/share/kit/data" "data"
	mkfile "$R/srv/a[1]x" "literal brackets"
	mkfile "$R/srv/a1x" "not the name"
	mkfile "$R/opt/kit-2/release" "release 2"
	mkfile "$R/opt/kit-2/lib" "library"
	mkdir -p "$R/kit/conf.d"
	: >"$R/kit/conf.d/a[1]"
	ln -s /opt/kit-2/release "$R/kit/current"
done
mkfile "$T/guests/k1/var/kitdb" "alpha /usr/share/kit/a.conf"
mkfile "$T/guests/k2/other/db" "alpha /usr/share/kit/a.conf"
find "$T/guests" -exec touch -h -d @1700000000 {} +
C=$T/vhashify.yaml
cat >"$C" <<YAML
guest-paths: [ "$T/guests/{name}" ]
backend-options:
  kit:
    db: /var/kitdb
guests:
  k2:
    backend-options:
      kit:
        db: /other/db
YAML

run_vh --config "$C" --detect k1 k2
check "--detect chooses the plugin by its rule in detectdir" \
	eval 'out_has "$T/guests/k1: kit ($detectdir/50-kit.yaml line 2)" &&
	      out_has "$T/guests/k2: kit ($detectdir/50-kit.yaml line 2)"'
# a guest with a dpkg database too: both apply, the drop-in's first
mkfile "$T/guests/kd/kit/db" "alpha"
mkfile "$T/guests/kd/var/lib/dpkg/status" ""
run_vh --config "$C" --detect kd
check "its priority puts the drop-in rule before the shipped dpkg rule" \
	eval 'out_has "$T/guests/kd: kit ($detectdir/50-kit.yaml line 2) + dpkg ("'
run_vh --config "$C" -vv --store "$T/s" k1 k2
check "a run with the kit's plugin exits 0" status_is 0
private() { ! same_inode "$T/guests/k1/$1" "$T/guests/k2/$1"; }
shared() { same_inode "$T/guests/k1/$1" "$T/guests/k2/$1"; }
check "options: its database, set globally and per guest, is read" \
	private usr/share/kit/a.conf
check "read_link: the symlink's target is kept private" \
	private opt/kit-2/release
check "list_dir and glob_escape: a name with [...] matches itself" \
	eval 'private "srv/a[1]x" && shared srv/a1x'
check "other identical files are linked" \
	eval 'shared usr/share/kit/data && shared opt/kit-2/lib'
check "-vv names the plugin's reason" \
	eval 'cat "$T/out" "$T/err" | grep -qF "skipped '"'"'$T/guests/k1/usr/share/kit/a.conf'"'"': excluded (kit: kit file of alpha)"'

# read_file never opens a FIFO planted where the database should be
R=$T/guests/k3
mkdir -p "$R/kit" "$R/var"
mkfifo "$R/var/kitdb"
mkfile "$R/usr/share/kit/data" "data"
vh_status=0
timeout 20 vhashify --config "$C" --store "$T/s" k3 >"$T/out" 2>"$T/err" ||
	vh_status=$?
check "a FIFO for the database: the guest is left alone, nothing hangs" \
	eval 'status_is 1 && err_has "kit: cannot read '"'"'/var/kitdb'"'"': not a regular file"'

# options the plugin does not declare: an error naming file and line
cp "$C" "$T/typo.yaml"
printf 'backend-options:\n  kit:\n    dbpath: /x\n' >"$T/typo2.yaml"
sed -i 's/^    db: \/var\/kitdb/    dbpath: \/var\/kitdb/' "$T/typo.yaml"
run_vh --config "$T/typo.yaml" --store "$T/s" k1
check "an option the plugin does not declare is an error with file and line" \
	eval 'status_is 2 && err_has "'"'"'$T/typo.yaml'"'"' line 4: backend '"'"'kit'"'"' has no option '"'"'dbpath'"'"'"'
printf 'backend-options:\n  old10:\n    db: /x\n' >"$T/old10.yaml"
run_vh --config "$T/old10.yaml" --store "$T/s" --pkgmgr=old10 "$T/guests/k1"
check "an option for a 1.0 plugin (no options) is an error too" \
	eval 'status_is 2 && err_has "'"'"'$T/old10.yaml'"'"' line 3: backend '"'"'old10'"'"' has no option '"'"'db'"'"'"'
printf 'backend-options:\n  not-installed:\n    x: y\n' >"$T/absent.yaml"
run_vh --config "$T/absent.yaml" --list-guests
check "options of a backend that is not installed are a warning" \
	eval 'status_is 0 && err_has "'"'"'$T/absent.yaml'"'"' line 3: backend '"'"'not-installed'"'"' is not installed"'
printf 'backend-options:\n  kit: [ db ]\n' >"$T/bad.yaml"
run_vh --config "$T/bad.yaml" --list-guests
check "backend options that are no mapping are an error with the line" \
	eval 'status_is 2 && err_has "'"'"'$T/bad.yaml'"'"' line 2: the options of a backend must be a mapping"'

# the 1.0 plugin: loaded and served by this host, its exclusions kept
for g in o1 o2; do
	R=$T/old/$g
	mkfile "$R/usr/share/old10/x" "old"
	mkfile "$R/usr/share/listed" "listed"
	mkfile "$R/usr/share/data" "data"
	mkfile "$R/etc/old10.list" "/usr/share/listed"
done
find "$T/old" -exec touch -h -d @1700000000 {} +
run_vh -v --pkgmgr=old10 --store "$T/s" "$T/old/o1" "$T/old/o2"
check "a 1.0 plugin still loads and its run exits 0" status_is 0
check "its host is 1.1, and it reads the guest through open_in_guest" \
	eval 'cat "$T/out" "$T/err" | grep -qF "old10: 1.0 plugin served by host ABI 1.1"'
check "what a 1.0 plugin names stays private, the rest is shared" \
	eval '! same_inode "$T/old/o1/usr/share/old10/x" "$T/old/o2/usr/share/old10/x" &&
	      ! same_inode "$T/old/o1/usr/share/listed" "$T/old/o2/usr/share/listed" &&
	      same_inode "$T/old/o1/usr/share/data" "$T/old/o2/usr/share/data"'
done_testing

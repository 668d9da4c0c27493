#!/bin/sh
# Backend plugins: listing, loader refusals, --pkgmgr, the detection
# table with a drop-in, an out-of-tree plugin built from the public
# header alone, and --pkgmgr=none with --exclude-from.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 29

P=$T/plugins
mkdir -p "$P"
ln -s "$VHASHIFY_PLUGIN_DIR/exclude-file.so" "$P/"

run_vh --list-backends
check "--list-backends exits 0" status_is 0
check "--list-backends shows exclude-file with its ABI and version" \
	grep -Eq '^exclude-file +ABI 1\.1  [0-9][^ ]* +exclude lists' "$T/out"

# the loader refuses broken plugins, naming the file and why
mkfile "$T/g/usr/a" "content"
for p in bad-major newer-minor no-symbol undefined; do
	ln -s "$TEST_PLUGIN_DIR/$p.so" "$P/"
done
printf 'not ELF\n' >"$P/broken.so"
run_vh --plugin-dir "$P" --pkgmgr=bad-major --store "$T/s" "$T/g"
check "a plugin of another ABI major is refused (status 2)" status_is 2
check "the refusal names the file and both versions" \
	err_has "cannot load plugin '$P/bad-major.so': it needs backend ABI 2.1, this vhashify has 1.1"
run_vh --plugin-dir "$P" --pkgmgr=newer-minor --store "$T/s" "$T/g"
check "a plugin of a newer ABI minor is refused" \
	err_has "'$P/newer-minor.so': it needs backend ABI 1.2, this vhashify has 1.1"
run_vh --plugin-dir "$P" --pkgmgr=no-symbol --store "$T/s" "$T/g"
check "a plugin without the entry symbol is refused" \
	err_has "'$P/no-symbol.so': no symbol 'vhashify_backend_v1'"
run_vh --plugin-dir "$P" --pkgmgr=undefined --store "$T/s" "$T/g"
check "a plugin that dlopen rejects is reported with its file" \
	err_has "cannot load plugin '$P/undefined.so': "
run_vh --plugin-dir "$P" --pkgmgr=broken --store "$T/s" "$T/g"
check "a file that is no shared object is reported" \
	err_has "cannot load plugin '$P/broken.so': "
check "nothing was changed by refused runs" test ! -e "$T/s"
run_vh --plugin-dir "$P" --list-backends
check "--list-backends goes on past refused plugins" \
	out_has "exclude-file"

run_vh --pkgmgr=no-such --store "$T/s" "$T/g"
check "an unknown --pkgmgr is a usage error" status_is 2
check "an unknown --pkgmgr lists the installed backends" \
	err_has "installed backends:"

# no rule matches a bare guest: the run stops and says how to go on
run_vh --store "$T/s" "$T/g"
check "a guest without a backend stops the run (status 2)" status_is 2
check "it says how to proceed" err_has "--pkgmgr=none"
check "and changes nothing" test ! -e "$T/s"

# an out-of-tree backend: the public header alone, its own drop-in rule
cat >"$T/toy.c" <<'CODE'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <vhashify/backend.h>

/* /toy/db lists one configuration file per line */
static int toy_list(const struct vhashify_host *host, vhashify_emit_fn emit,
		    void *ctx)
{
	char buf[4096], *line, *save;
	ssize_t n;
	int fd = host->open_in_guest(host, "/toy/db", O_RDONLY), ret = 0;

	if (fd < 0) {
		host->log(host, VHASHIFY_LOG_ERROR, "cannot open '/toy/db'");
		return fd;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save))
		ret = emit(ctx, line, 0);
	return ret;
}

static const struct vhashify_backend toy = {
	.abi_major = VHASHIFY_BACKEND_ABI_MAJOR,
	.abi_minor = VHASHIFY_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct vhashify_backend),
	.name = "toy",
	.description = "a toy package database",
	.list_exclusions = toy_list,
};

const struct vhashify_backend *vhashify_backend_v1(void)
{
	return &toy;
}
CODE
E=$T/etc
mkdir -p "$E/detect.d"
cp "$VHASHIFY_SYSCONFDIR/exclude" "$VHASHIFY_SYSCONFDIR/detect.yaml" "$E/"
printf 'rules:\n  - backend: toy\n    exists: /toy/db\n' >"$E/detect.d/50-toy.yaml"
if ${CC:-cc} -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror \
	-I"$TESTS_SRCDIR/../include" -o "$P/toy.so" "$T/toy.c" 2>"$T/cc.err"
then
	pass "an out-of-tree plugin builds from the public header alone"
	for g in t1 t2; do
		mkfile "$T/$g/toy/db" "/usr/share/conf.ini"
		mkfile "$T/$g/usr/share/conf.ini" "setting=1"
		mkfile "$T/$g/usr/share/data" "shared data"
	done
	find "$T/t1" "$T/t2" -exec touch -h -d @1700000000 {} +
	VHASHIFY_SYSCONFDIR=$E run_vh --plugin-dir "$P" --detect "$T/t1"
	check "--detect chooses the out-of-tree backend by its drop-in" \
		out_has "$T/t1: toy ($E/detect.d/50-toy.yaml line 2)"
	VHASHIFY_SYSCONFDIR=$E run_vh --plugin-dir "$P" --store "$T/s" \
		"$T/t1" "$T/t2"
	check "a run with the out-of-tree backend exits 0" status_is 0
	check "the files it names are not linked" \
		eval '! same_inode "$T/t1/usr/share/conf.ini" "$T/t2/usr/share/conf.ini"'
	check "other identical files are linked" \
		same_inode "$T/t1/usr/share/data" "$T/t2/usr/share/data"
else
	diag "$(cat "$T/cc.err")"
	fail "an out-of-tree plugin builds from the public header alone"
	for what in detect run "not linked" linked; do
		skip "out-of-tree backend: $what" "the plugin did not build"
	done
fi

# --pkgmgr=none with an exclude list: only the listed paths stay out
for g in n1 n2; do
	mkfile "$T/$g/usr/keep/a" "kept apart"
	mkfile "$T/$g/usr/keep/b.local" "kept apart too"
	mkfile "$T/$g/usr/lib/c.local" "shared despite the name"
	mkfile "$T/$g/usr/lib/d" "shared"
	mkfile "$T/$g/opt/x" "shared"
done
find "$T/n1" "$T/n2" -exec touch -h -d @1700000000 {} +
cat >"$T/list" <<'LIST'
# keep /usr/keep apart, but b.local is shared after all (first wins)
+ /usr/keep/*.local
- /usr/keep
-/opt/**
LIST
run_vh --pkgmgr=none --exclude-from "$T/list" --store "$T/s" "$T/n1" "$T/n2"
check "--pkgmgr=none --exclude-from exits 0" status_is 0
check "a listed directory's files are not linked" \
	eval '! same_inode "$T/n1/usr/keep/a" "$T/n2/usr/keep/a"'
check "a + rule before it shares a file after all" \
	same_inode "$T/n1/usr/keep/b.local" "$T/n2/usr/keep/b.local"
check "files not listed are linked" \
	eval 'same_inode "$T/n1/usr/lib/c.local" "$T/n2/usr/lib/c.local" &&
	      same_inode "$T/n1/usr/lib/d" "$T/n2/usr/lib/d"'
check "a ** pattern keeps its files out" \
	eval '! same_inode "$T/n1/opt/x" "$T/n2/opt/x"'
run_vh -vv --dry-run --pkgmgr=none --exclude-from "$T/list" --store "$T/s" "$T/n1"
check "-vv names the exclude list that keeps a file out" \
	eval 'cat "$T/out" "$T/err" | grep -qF "skipped '"'"'$T/n1/opt/x'"'"': excluded (exclude-file: list $T/list)"'

printf -- '- /ok\nrelative/path\n' >"$T/bad-list"
run_vh --pkgmgr=none --exclude-from "$T/bad-list" --store "$T/s" "$T/n1"
check "a bad exclude list line is an error naming file and line" \
	err_has "'$T/bad-list' line 2: pattern is not an absolute path"
# a plugin directory anyone may write to: refused before any dlopen
W=$T/world-writable
mkdir "$W" && chmod 0777 "$W"
ln -s "$VHASHIFY_PLUGIN_DIR/exclude-file.so" "$TEST_PLUGIN_DIR/marker.so" "$W/"
VHASHIFY_PLUGIN_DIR=$W VHASHIFY_TEST_MARKER=$T/marker \
	run_vh --pkgmgr=none --store "$T/s-ww" "$T/n1"
check "a world-writable plugin directory is refused (status 2)" \
	eval 'status_is 2 && err_has "refusing plugins in '"'$W'"': it is writable by others"'
VHASHIFY_TEST_MARKER=$T/marker run_vh --plugin-dir "$W" --list-backends
check "no plugin of it was loaded, not even its constructor" \
	eval 'test ! -e "$T/marker" && err_has "refusing plugins in"'
done_testing

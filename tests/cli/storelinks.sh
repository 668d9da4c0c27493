#!/bin/sh
# A store whose parts are symlinks to host files and directories: the
# config, the lock, objects/, tmp/, a fan-out directory, an object.
# Nothing outside the store is linked, flagged or removed by a run,
# --gc or --verify --remove-corrupt, and the run and --verify name the
# bad entry.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 34
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

S=$T/store
H=$T/host
immut=--immutable
chattr +i "$T" 2>/dev/null && chattr -i "$T" 2>/dev/null || immut=

# guests g1 g2 with the same files; a store made from g1 alone
setup() {
	chattr -R -i "$T" 2>/dev/null
	rm -rf "$T/g1" "$T/g2" "$S" "$H"
	for g in g1 g2; do
		mkfile "$T/$g/usr/share/shared" "the same bytes"
		mkfile "$T/$g/usr/bin/tool" "#!/bin/sh" 0755
	done
	find "$T/g1" "$T/g2" -exec touch -h -d @1700000000 {} +
	vhashify --pkgmgr=none --store "$S" "$T/g1" >/dev/null 2>&1
	obj=$(find "$S/objects" -samefile "$T/g1/usr/share/shared")
	fan=$(dirname "$obj")
	mkdir "$H"
}

# the state of the host side: every path, link count, inode, flags
host_state() {
	find "$H" -printf '%P %n %i %s\n' | sort
	lsattr -R "$H" 2>/dev/null | grep -v '^$' | sort
}

# $1 the entry replaced, relative to the store; then the run, --gc and
# --verify each name it, and the host side stays as it was
tampered() {
	local entry=$1 want=$2
	host_state >"$T/host.before"
	run_vh --pkgmgr=none $immut --store "$S" "$T/g2"
	check "$entry is a symlink: the run fails (exit $want) naming it" \
		eval 'status_is $want && err_has "'\''$S/$entry'\''"'
	check "$entry is a symlink: the guest file is left alone" \
		test "$(stat -c %h "$T/g2/usr/share/shared")" = 1
	run_vh --store "$S" --gc
	check "$entry is a symlink: --gc fails naming it" \
		eval 'test $vh_status != 0 && err_has "'\''$S/$entry'\''"'
	run_vh --store "$S" --verify --remove-corrupt
	check "$entry is a symlink: --verify fails naming it" \
		eval 'test $vh_status != 0 && err_has "'\''$S/$entry'\''"'
	host_state >"$T/host.after"
	check "$entry is a symlink: nothing on the host is linked, flagged or removed" \
		same_manifest "$T/host.before" "$T/host.after"
}

setup
cp "$S/config" "$H/config"
rm "$S/config" && ln -s "$H/config" "$S/config"
tampered config 2

setup
touch "$H/lock"
rm "$S/lock" && ln -s "$H/lock" "$S/lock"
tampered lock 2

setup
mv "$S/objects" "$H/objects" && ln -s "$H/objects" "$S/objects"
tampered objects 2

setup
mv "$S/tmp" "$H/tmp" && ln -s "$H/tmp" "$S/tmp"
tampered tmp 2

# a fan-out directory: the host directory holds the object (linked to
# g1, with g2's bytes) and an unreferenced one gc would remove
setup
f=$(basename "$fan")
mv "$fan" "$H/$f" && ln -s "$H/$f" "$fan"
mkfile "$H/$f/$(basename "$obj").1" "unreferenced"
tampered "objects/$f" 1
check "the fan-out symlink is removed by --verify --remove-corrupt" \
	test ! -L "$fan" -a -d "$H/$f"

# an object: a symlink to a host file with the same bytes and metadata
setup
o=${obj#"$S/"}
cp -a "$obj" "$H/file"
rm "$obj" && ln -s "$H/file" "$obj"
tampered "$o" 1
check "the object symlink is removed by --verify --remove-corrupt" \
	test ! -L "$obj" -a -f "$H/file"

# an object that is a FIFO: never opened (the run would block), named
# as what it is
setup
o=${obj#"$S/"}
rm "$obj" && mkfifo "$obj"
run_vh --pkgmgr=none --store "$S" "$T/g2"
check "an object that is a FIFO is named as not a regular file" \
	eval 'err_has "unexpected '\''$S/$o'\'' in the store: not a regular file"'

# something else in objects/: a file, and a directory not named by hex
setup
mkfile "$S/objects/zz/x" "not an object"
run_vh --store "$S" --verify
check "--verify names a directory of objects/ that is not a fan-out" \
	eval 'status_is 1 && err_has "'\''$S/objects/zz'\'' in the store: not a fan-out directory"'
done_testing

#!/bin/sh
# Two filesystems (the scratch directory's and a loop-mounted ext4), one
# or two stores, guests on one or both: every mode (hashify, --restore,
# --gc, --verify, --stats) works on each combination, a store that is
# not opened for lack of guests is no trouble, a guest without a store
# on its filesystem is an error, so are two stores on one filesystem,
# and --gc, --verify, --stats on a store that does not exist is an
# error (exit 2).
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 38

M=$T/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT
truncate -s 64M "$T/ext4.img"
if ! mkfs.ext4 -q -F "$T/ext4.img" >/dev/null 2>&1 ||
   ! mount -o loop "$T/ext4.img" "$M" 2>/dev/null; then
	skip_all "cannot make and loop-mount ext4 here"
fi
[ "$(stat -c %d "$T")" != "$(stat -c %d "$M")" ] ||
	skip_all "the loop mount is not another filesystem"

# guests: h1 h2 on the scratch filesystem, m1 m2 on the loop mount
mkguests() {
	local g
	rm -rf "$T/h1" "$T/h2" "$M/m1" "$M/m2" "$T/sh" "$M/sm"
	for g in "$T/h1" "$T/h2" "$M/m1" "$M/m2"; do
		mkfile "$g/usr/share/shared" "the same bytes"
		mkfile "$g/usr/bin/tool" "#!/bin/sh" 0755
	done
	find "$T/h1" "$T/h2" "$M/m1" "$M/m2" -exec touch -h -d @1700000000 {} +
}

# objects in store $1: one per content of the guests on its filesystem
objects_are() { test "$(find "$1/objects" -type f 2>/dev/null | wc -l)" = "$2"; }

# every mode on: $1 a label, $2 the --store options, $3 the number of
# objects expected in $T/sh and $4 in $M/sm; the guests after
modes() {
	local what=$1 stores=$2 nh=$3 nm=$4 g ok n first
	shift 4
	n=$# first=$1
	run_vh --pkgmgr=none $stores "$@"
	check "$what: hashify exits 0" status_is 0
	ok=yes
	for g in "$@"; do
		case $g in
		*/h1) same_inode "$g/usr/share/shared" "$T/h2/usr/share/shared" ;;
		*/m1) same_inode "$g/usr/share/shared" "$M/m2/usr/share/shared" ;;
		esac || ok=no
	done
	check "$what: each guest's file is shared with its peer" test $ok = yes
	check "$what: each store holds the objects of its filesystem" \
		eval 'objects_are "$T/sh" $nh && objects_are "$M/sm" $nm'
	run_vh $stores --stats "$@"
	check "$what: --stats exits 0 and counts every guest" \
		eval 'status_is 0 && out_has "guests referencing: $n of $n"'
	run_vh $stores --verify
	check "$what: --verify exits 0" status_is 0
	run_vh $stores --restore "$@"
	check "$what: --restore exits 0" \
		eval 'status_is 0 && test "$(stat -c %h "$first/usr/share/shared")" = 1'
	run_vh $stores --gc
	check "$what: --gc exits 0" status_is 0
}

mkguests
modes "one store, guests on its filesystem" "--store $T/sh" 2 0 \
	"$T/h1" "$T/h2"

mkguests
mkdir "$T/sh" "$M/sm"
modes "two stores, guests on the first one's filesystem" \
	"--store $T/sh --store $M/sm" 2 0 "$T/h1" "$T/h2"
mkguests
mkdir "$T/sh" "$M/sm"
modes "two stores, guests on the second one's filesystem" \
	"--store $T/sh --store $M/sm" 0 2 "$M/m1" "$M/m2"
mkguests
modes "two stores, guests on both filesystems" \
	"--store $T/sh --store $M/sm" 2 2 "$T/h1" "$M/m1" "$T/h2" "$M/m2"

mkguests
run_vh --pkgmgr=none --store "$T/sh" "$T/h1" "$M/m1"
check "one store, guests on both filesystems: an error naming the guest" \
	eval 'status_is 2 && err_has "no store on the filesystem of guest '\''$M/m1'\''"'
check "and nothing is changed" test ! -e "$T/sh/objects"

# two stores on one filesystem: refused before anything changes
mkguests
run_vh --pkgmgr=none --store "$T/s1" --store "$T/s2" "$T/h1" "$T/h2"
check "two stores on one filesystem: an error naming both" \
	eval 'status_is 2 && err_has "stores '\''$T/s1'\'' and '\''$T/s2'\'' are on one filesystem"'
check "and no store is made" eval 'test ! -e "$T/s1" && test ! -e "$T/s2"'

# a store path that does not exist; an empty directory is an empty store
mkdir "$T/empty"
run_vh --store "$T/empty" --gc
check "--gc on an empty directory exits 0 and makes no store there" \
	eval 'status_is 0 && test -z "$(ls "$T/empty")"'
for mode in --gc --verify --stats; do
	run_vh --store "$T/missing" $mode
	check "$mode on a store that does not exist: exit 2 naming it" \
		eval 'status_is 2 && err_has "store '\''$T/missing'\'' does not exist"'
done
run_vh --pkgmgr=none --store "$T/sh" "$T/h1"
run_vh --store "$T/sh" --store "$T/missing2" --gc
check "--gc with one of two stores missing: exit 2 naming it" \
	eval 'status_is 2 && err_has "store '\''$T/missing2'\'' does not exist"'
check "and creates nothing" test ! -e "$T/missing" -a ! -e "$T/missing2"
done_testing

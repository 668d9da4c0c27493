#!/bin/sh
# A store is made with all its fan-out directories: once it exists, a
# run on a filesystem with no inode left still makes new objects (a
# guest's own inode becomes one) and shares files.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 is needed"
plan 4

M=$T/mnt
mkdir -p "$M"
truncate -s 32M "$T/small.img"
mkfs.ext4 -q -F -N 1024 "$T/small.img" >/dev/null 2>&1 &&
	mount -o loop "$T/small.img" "$M" 2>/dev/null ||
	skip_all "cannot make and loop-mount a small ext4 here"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT

mkdir -p "$M/g0"
for g in g1 g2; do
	for i in 1 2 3 4 5 6 7 8 9 10; do
		mkfile "$M/$g/usr/f$i" "content $i"
	done
done
find "$M/g1" "$M/g2" -exec touch -h -d @1700000000 {} +
run_vh --pkgmgr=none --store "$M/store" "$M/g0"	# makes the store
check "the store is made" status_is 0
# use up every inode left
mkdir "$M/fill"
i=0
while touch "$M/fill/$i" 2>/dev/null; do i=$((i + 1)); done
[ "$(df --output=iavail "$M" | tail -n 1)" -eq 0 ] ||
	skip_all "cannot use up the inodes"

run_vh --pkgmgr=none --store "$M/store" "$M/g1" "$M/g2"
check "with no inode left a run exits 0" status_is 0
check "it makes new objects" out_has "(new objects: 10)"
check "and shares the files" same_inode "$M/g1/usr/f7" "$M/g2/usr/f7"
done_testing

#!/bin/sh
# Inode flags (chattr +S +d +A) and project IDs are part of what two
# files share, on a loop-mounted XFS: identical files with other flags
# or another project stay apart, with the same ones they are linked;
# --restore and --immutable's private copies keep them; a link across
# a project boundary is reported as one.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "chattr/lsattr (e2fsprogs) needed"
command -v mkfs.xfs >/dev/null || skip_all "mkfs.xfs is not installed"
M=$T/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT
truncate -s 400M "$T/xfs.img"
mkfs.xfs -q -f "$T/xfs.img" >/dev/null 2>&1 &&
	mount -o loop "$T/xfs.img" "$M" 2>/dev/null ||
	skip_all "cannot make and loop-mount XFS here"
plan 14

# attrs PATH: the project ID and the flags lsattr shows
attrs() { lsattr -pd "$1" | awk '{ print $1, $2 }'; }

# guest NAME PROJECT: a guest whose /usr is project PROJECT (+P)
guest() {
	mkdir -p "$M/$1/usr"
	chattr +P -p "$2" "$M/$1/usr"
	printf 'the same bytes\n' >"$M/$1/usr/a"
	printf 'other same bytes\n' >"$M/$1/usr/b"
	touch -d @1700000000 "$M/$1/usr/a" "$M/$1/usr/b"
}
guest g1 100
guest g2 200
guest g3 100
chattr +S +d "$M/g1/usr/a" "$M/g1/usr/b"
chattr +S +d "$M/g3/usr/a"
chattr +A "$M/g3/usr/b"
a1=$(attrs "$M/g1/usr/a")
b3=$(attrs "$M/g3/usr/b")

run_vh --pkgmgr=none --store "$M/s" -j 1 "$M/g1" "$M/g2" "$M/g3"
check "a run over guests of two projects exits 0" \
	eval 'status_is 0 && ! grep -q "cross-device" "$T/err"'
check "other flags and another project: not linked" \
	eval '! same_inode "$M/g1/usr/a" "$M/g2/usr/a"'
check "same flags, same project: linked" \
	same_inode "$M/g1/usr/a" "$M/g3/usr/a"
check "same project, other flags: not linked" \
	eval '! same_inode "$M/g1/usr/b" "$M/g3/usr/b"'
check "every file keeps its flags and project" \
	eval '[ "$(attrs "$M/g1/usr/a")" = "$a1" ] &&
	      [ "$(attrs "$M/g3/usr/b")" = "$b3" ] &&
	      [ "$(attrs "$M/g2/usr/a")" = "200 ----------------------" ]'

run_vh --store "$M/s" --restore "$M/g1" "$M/g3"
check "--restore in project directories exits 0" status_is 0
check "--restore gives private copies" \
	eval '! same_inode "$M/g1/usr/a" "$M/g3/usr/a"'
check "--restore keeps flags and project" \
	eval '! same_inode "$M/g1/usr/a" "$M/g3/usr/a" &&
	      [ "$(attrs "$M/g1/usr/a")" = "$a1" ] &&
	      [ "$(attrs "$M/g3/usr/a")" = "$a1" ]'

guest g5 100
guest g6 100
chattr +S +d "$M/g5/usr/a" "$M/g6/usr/a"
ino5=$(stat -c %i "$M/g5/usr/a")
run_vh --pkgmgr=none --immutable --store "$M/si" -j 1 "$M/g5" "$M/g6"
check "--immutable links the same flags and project to a private copy" \
	eval 'status_is 0 && same_inode "$M/g5/usr/a" "$M/g6/usr/a" &&
	      [ "$(stat -c %i "$M/g5/usr/a")" != "$ino5" ]'
check "--immutable's private copy keeps flags and project" \
	eval '[ "$(stat -c %i "$M/g5/usr/a")" != "$ino5" ] &&
	      [ "$(attrs "$M/g5/usr/a" | tr i -)" = "$a1" ]'
run_vh --store "$M/si" --restore "$M/g5" "$M/g6"
check "--restore of immutable objects keeps them too" \
	eval 'status_is 0 && ! same_inode "$M/g5/usr/a" "$M/g6/usr/a" &&
	      out_has "guest '"'$M/g5'"': 2 files got a private copy" &&
	      [ "$(attrs "$M/g5/usr/a")" = "$a1" ] &&
	      [ "$(attrs "$M/g6/usr/a")" = "$a1" ]'

# a file of project 100 in a directory of project 300: the link to the
# object of g7's file (project 100, +A) crosses the boundary, and is
# said to (g3's object of it left the store with g3's restore: no other
# guest linked it)
guest g7 100
chattr +A "$M/g7/usr/b"
run_vh --pkgmgr=none --store "$M/s" -j 1 "$M/g7"
guest g4 300
chattr -p 100 +A "$M/g4/usr/b"
run_vh --pkgmgr=none --store "$M/s" -j 1 "$M/g4"
check "a link across a project boundary fails the file" status_is 1
check "and says so" \
	err_has "cannot link '$M/g4/usr/b': different project quota: the file's is 100, its directory's 300"
check "the file is left as it was" \
	eval '[ "$(stat -c %h "$M/g4/usr/b")" = 1 ] &&
	      [ "$(attrs "$M/g4/usr/b")" = "$b3" ]'
done_testing

#!/bin/sh
# --immutable with guests in threads: eight guests with the same files
# hashified four at a time link every file without an error (no thread
# clears or sets an object's flag inside another's link), and every
# object ends immutable. Three rounds, each on fresh guests and store.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "lsattr (e2fsprogs) is needed"
chattr +i "$T" 2>/dev/null && chattr -i "$T" ||
	skip_all "cannot set the immutable flag here"
plan 9
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

shared() {	# every fN is one inode in all guests
	local i
	for i in $(seq 1 60); do
		[ "$(stat -c %i "$T"/g?/usr/f$i | sort -u | wc -l)" = 1 ] ||
			return 1
	done
}

for round in 1 2 3; do
	chattr -R -i "$T" 2>/dev/null
	rm -rf "$T/s" "$T"/g?
	gs=
	for g in g1 g2 g3 g4 g5 g6 g7 g8; do
		for i in $(seq 1 60); do mkfile "$T/$g/usr/f$i" "file $i"; done
		gs="$gs $T/$g"
	done
	find $gs -exec touch -h -d @1700000000 {} +
	run_vh --pkgmgr=none --immutable --store "$T/s" -j 4 $gs
	check "round $round: eight guests four at a time, no error" \
		eval 'status_is 0 && summary_is 480 linked'
	check "round $round: each file is one inode in all guests" shared
	check "round $round: every object is immutable" eval '
		test "$(find "$T/s/objects" -type f | wc -l)" = 60 &&
		! find "$T/s/objects" -type f -exec lsattr {} + |
			cut -c1-20 | grep -qv i'
done
done_testing

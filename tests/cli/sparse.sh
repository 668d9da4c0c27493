#!/bin/sh
# "bytes saved" counts the blocks a replaced file had, not its apparent
# size: a sparse file of 64 MiB with one written block saves a block.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v truncate >/dev/null || skip_all "truncate is not installed"
plan 3

for g in g1 g2; do
	mkdir -p "$T/$g/usr"
	printf 'data at the start' >"$T/$g/usr/sparse"
	truncate -s 64M "$T/$g/usr/sparse"
done
find "$T"/g? -exec touch -h -d @1700000000 {} +
blocks=$(($(stat -c '%b * %B' "$T/g2/usr/sparse")))
[ "$blocks" = 4096 ] || skip_all "no 4 KiB sparse files on $T"

run_vh --pkgmgr=none --store "$T/s" -j 1 "$T/g1" "$T/g2"
check "a run over sparse files exits 0" status_is 0
check "they are linked" same_inode "$T/g1/usr/sparse" "$T/g2/usr/sparse"
check "bytes saved are the replaced file's blocks" \
	out_has "bytes saved:      4.0 KiB ($blocks bytes)"
done_testing

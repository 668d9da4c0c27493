#!/bin/sh
# --method=reflink on loop-mounted XFS (reflink=1) and btrfs: identical
# content shares extents even where owner, mode or mtime differ, every
# file keeps its inode and metadata, a write gets its own blocks again,
# a second run reads nothing; --method=auto picks reflink there and
# hardlink elsewhere.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v filefrag >/dev/null || skip_all "filefrag (e2fsprogs) is needed"
plan 20

M=$T/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT

# first physical block of a file's first extent
phys() { filefrag -v "$1" | awk '$1 == "0:" { sub(/\.\.*$/, "", $4); print $4 }'; }
shared() { filefrag -v "$1" | grep -q shared; }

for fs in xfs btrfs; do
	case $fs in
	xfs) mkfs="mkfs.xfs -q -f -m reflink=1" ;;
	btrfs) mkfs="mkfs.btrfs -q -f" ;;
	esac
	truncate -s 400M "$T/$fs.img"
	if ! command -v mkfs.$fs >/dev/null || ! $mkfs "$T/$fs.img" >/dev/null 2>&1 ||
	   ! mount -o loop "$T/$fs.img" "$M" 2>/dev/null; then
		for i in 1 2 3 4 5 6 7 8 9; do
			skip "$fs: check $i" "cannot make and loop-mount $fs here"
		done
		continue
	fi
	for g in g1 g2; do
		mkdir -p "$M/$g/usr/lib"
		head -c 4000000 /dev/zero | tr '\0' 'x' >"$M/$g/usr/lib/big"
		printf 'small but shared\n' >"$M/$g/usr/lib/small"
	done
	sync
	chown 1000:1000 "$M/g2/usr/lib/big"	# a shifted uid range
	chmod 0600 "$M/g2/usr/lib/big"
	touch -d @1700000000 "$M/g2/usr/lib/big"
	for g in g1 g2; do $MANIFEST -i "$M/$g" >"$T/$g.before"; done

	run_vh --pkgmgr=none --method=auto --store "$M/store" "$M/g1" "$M/g2"
	check "$fs: --method=auto runs and picks reflink" \
		eval 'status_is 0 && out_has "(reflink)"'
	check "$fs: identical content shares extents despite owner, mode, mtime" \
		eval 'shared "$M/g2/usr/lib/big" &&
		      [ "$(phys "$M/g1/usr/lib/big")" = "$(phys "$M/g2/usr/lib/big")" ]'
	ok=yes
	for g in g1 g2; do
		$MANIFEST -i "$M/$g" >"$T/$g.after"
		same_manifest "$T/$g.before" "$T/$g.after" || ok=no
	done
	check "$fs: every file keeps its inode, metadata and bytes" test $ok = yes
	if [ $fs = btrfs ]; then
		check "$fs: the report counts the shared files" \
			summary_is 2 linked
		check "$fs: files smaller than a block (inline) are left alone" \
			summary_is 2 "too small"
		n=2
	else
		check "$fs: the report counts the shared files" \
			summary_is 4 linked
		check "$fs: files smaller than a block share their block" \
			eval 'shared "$M/g2/usr/lib/small" &&
			      [ "$(phys "$M/g1/usr/lib/small")" = "$(phys "$M/g2/usr/lib/small")" ]'
		n=4
	fi

	run_vh --pkgmgr=none --method=reflink --store "$M/store" "$M/g1" "$M/g2"
	check "$fs: a second run finds them unified without reading" \
		summary_is $n "already unified"

	# a guest that writes its file gets its own blocks; the other keeps
	printf 'changed' | dd of="$M/g1/usr/lib/big" bs=1 seek=10 \
		conv=notrunc status=none
	sync
	check "$fs: a write in one guest leaves the other's bytes alone" \
		eval '[ "$(head -c 20 "$M/g2/usr/lib/big")" = "xxxxxxxxxxxxxxxxxxxx" ] &&
		      [ "$(head -c 20 "$M/g1/usr/lib/big")" = "xxxxxxxxxxchangedxxx" ]'
	run_vh --store "$M/store" --verify
	check "$fs: the store verifies good" status_is 0
	run_vh --store "$M/store" --gc
	check "$fs: gc keeps dedupe sources that guests still share" \
		out_has "removed 0 unreferenced"
	umount "$M"
done

# elsewhere (this scratch filesystem), auto falls back to hard links
if ! cp --reflink=always "$T/g1.before" "$T/probe" 2>/dev/null; then
	mkfile "$T/h1/usr/a" "same"
	mkfile "$T/h2/usr/a" "same"
	touch -d @1700000000 "$T/h1/usr/a" "$T/h2/usr/a"
	run_vh --pkgmgr=none --method=auto --store "$T/hs" "$T/h1" "$T/h2"
	check "--method=auto picks hardlink without reflink support" \
		eval 'out_has "(hardlink)" && same_inode "$T/h1/usr/a" "$T/h2/usr/a"'
	run_vh --pkgmgr=none --method=reflink --store "$T/hs" "$T/h1"
	check "--method=reflink is refused there, with why" \
		eval 'status_is 2 && err_has "cannot share extents"'
else
	skip "--method=auto picks hardlink without reflink support" \
		"$T supports reflinks"
	skip "--method=reflink is refused there, with why" "$T supports reflinks"
fi
done_testing

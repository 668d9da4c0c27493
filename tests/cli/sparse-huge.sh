#!/bin/sh
# A file whose holes add up to more than 1 GiB is skipped ("sparse")
# without reading its holes: a 20 GiB hole on ext4 and a 4 EiB hole on
# XFS (loop-mounted) do not stall the run, which shares everything else.
# Completion is asserted under a generous timeout, not a speed.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v timeout >/dev/null || skip_all "timeout (coreutils) is needed"
plan 8

M=$T/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT

for fs in ext4:20G xfs:4E; do
	size=${fs#*:}
	fs=${fs%:*}
	case $fs in
	ext4) mkfs="mkfs.ext4 -q -F" ;;
	xfs) mkfs="mkfs.xfs -q -f" ;;
	esac
	truncate -s 400M "$T/$fs.img"
	if ! command -v mkfs.$fs >/dev/null ||
	   ! $mkfs "$T/$fs.img" >/dev/null 2>&1 ||
	   ! mount -o loop "$T/$fs.img" "$M" 2>/dev/null; then
		for i in 1 2 3 4; do
			skip "$fs: check $i" "cannot make and loop-mount $fs here"
		done
		continue
	fi
	for g in g1 g2; do
		mkdir -p "$M/$g/usr"
		printf 'data at the start' >"$M/$g/usr/huge"
		truncate -s "$size" "$M/$g/usr/huge"
		printf 'shared\n' >"$M/$g/usr/small"
	done
	find "$M/g1" "$M/g2" -exec touch -h -d @1700000000 {} +
	vh_status=0
	timeout 300 vhashify --pkgmgr=none --store "$M/s" -j 1 \
		"$M/g1" "$M/g2" >"$T/out" 2>"$T/err" || vh_status=$?
	check "$fs: a run over $size sparse files ends, exit 0" status_is 0
	check "$fs: they are skipped as sparse" summary_is 2 sparse
	check "$fs: they keep their inodes" \
		eval '! same_inode "$M/g1/usr/huge" "$M/g2/usr/huge" &&
		[ "$(stat -c %s "$M/g1/usr/huge")" -gt 1000000000 ]'
	check "$fs: the rest is shared" \
		same_inode "$M/g1/usr/small" "$M/g2/usr/small"
	umount "$M"
done
done_testing

#!/bin/sh
# ENOSPC: guests and store on a small loop filesystem with little room
# left. New private copies (--immutable) that do not fit are reported,
# nothing of any guest is lost, the run goes on; without copies the
# next run completes all the same.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 is needed"
plan 6

M=$T/mnt
mkdir -p "$M"
truncate -s 32M "$T/small.img"
mkfs.ext4 -q -F -m 0 "$T/small.img" >/dev/null 2>&1 &&
	mount -o loop "$T/small.img" "$M" 2>/dev/null ||
	skip_all "cannot make and loop-mount a small ext4 here"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT

for g in g1 g2; do
	mkdir -p "$M/$g/usr/share"
	for i in 1 2 3 4 5 6 7 8; do
		head -c 1000000 /dev/zero | tr '\0' "$i" >"$M/$g/usr/share/f$i"
	done
done
find "$M/g1" "$M/g2" -exec touch -h -d @1700000000 {} +
# fill the filesystem but for less than one file (1 MB)
avail=$(df -k --output=avail "$M" | tail -n 1)
head -c $(((avail - 400) * 1024)) /dev/zero >"$M/filler" 2>/dev/null || :
for g in g1 g2; do $MANIFEST "$M/$g" >"$T/$g.before"; done

# --immutable objects are private copies: they need room
run_vh --pkgmgr=none --immutable --store "$M/store" "$M/g1" "$M/g2"
check "a full filesystem fails files with status 1" status_is 1
check "the failures say why" err_has "No space left on device"
ok=yes
for g in g1 g2; do
	$MANIFEST "$M/$g" >"$T/$g.after"
	same_manifest "$T/$g.before" "$T/$g.after" || ok=no
done
check "no byte of any guest is lost" test $ok = yes
check "no temporaries are left behind" \
	test -z "$(find "$M/g1" "$M/g2" -name '.vhashify.tmp.*')"

# otherwise a guest's own file becomes the object: no bytes are written
# (in another store: one that was --immutable stays so)
run_vh --pkgmgr=none --store "$M/store2" "$M/g1" "$M/g2"
check "without copies the full filesystem is no obstacle" status_is 0
check "and shares what it could not before" \
	test "$(stat -c %h "$M/g1/usr/share/f8")" = 3
done_testing

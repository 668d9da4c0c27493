#!/bin/bash
# Leftovers of interrupted runs: only what is provably ours goes, a
# link to one of this store's objects under a temporary name of this
# store. A guest file merely named like a temporary stays, even when
# immutable, in an excluded directory, or named for another store; -v
# says so.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 8

for g in g1 g2; do
	mkfile "$T/$g/usr/share/doc" "shared"
done
run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
check "hashify exits 0" status_is 0
sino=$(stat -c %i "$T/s")

# a leftover of ours: a link to an object under our name
ours=".vhashify.tmp.$sino.4242.7"
ln "$T/g1/usr/share/doc" "$T/g1/usr/share/$ours"
# the guest's own files, named like temporaries
mkfile "$T/g1/usr/lib/.vhashify.tmp.1.2" "guest data 1"
mkfile "$T/g1/usr/lib/.vhashify.tmp.$sino.1.2" "guest data 2"
mkfile "$T/g1/etc/.vhashify.tmp.3.4" "excluded guest data"
ln "$T/g1/usr/share/doc" "$T/g1/etc/.vhashify.tmp.$sino.5.6"
ln "$T/g1/usr/share/doc" "$T/g1/usr/share/.vhashify.tmp.$((sino + 1)).8.9"
mkfile "$T/g1/usr/lib/.vhashify.tmp.7.8" "immutable guest data"
immutable=yes
chattr +i "$T/g1/usr/lib/.vhashify.tmp.7.8" 2>/dev/null || immutable=no
find "$T/g1" -name '.vhashify.tmp.*' ! -name "$ours" | sort >"$T/theirs"
(cd "$T/g1" && sha256sum $(sed "s|^$T/g1/||" "$T/theirs")) >"$T/theirs.sum"

run_vh -v --pkgmgr=none --store "$T/s" "$T/g1"
check "the next run exits 0" status_is 0
check "it removes the link to an object under our name" \
	test ! -e "$T/g1/usr/share/$ours"
check "and counts it" summary_is 1 "leftovers removed"
find "$T/g1" -name '.vhashify.tmp.*' | sort >"$T/theirs.after"
check "every other file named like a temporary stays" \
	same_manifest "$T/theirs" "$T/theirs.after"
check "with its bytes" eval '(cd "$T/g1" && sha256sum -c --quiet "$T/theirs.sum")'
check "-v says which were left alone" \
	out_has "left alone '$T/g1/usr/lib/.vhashify.tmp.1.2'"
if [ "$immutable" = yes ]; then
	check "an immutable one keeps its flag" \
		eval 'lsattr "$T/g1/usr/lib/.vhashify.tmp.7.8" | grep -q "^....i"'
	chattr -i "$T/g1/usr/lib/.vhashify.tmp.7.8"
else
	skip "an immutable one keeps its flag" "no chattr +i here"
fi
done_testing

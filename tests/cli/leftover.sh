#!/bin/bash
# Leftovers of interrupted runs: only what is provably ours goes, under
# a temporary name of this store: a link to one of its objects (a kill
# before the swap), or the guest file the name carries holding exactly
# the bytes and metadata of the object the name carries (a kill after
# the swap, before the unlink). A guest file merely named like a
# temporary stays, even when immutable, in an excluded directory, or
# named for another store; -v says so.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 14

for g in g1 g2; do
	mkfile "$T/$g/usr/share/doc" "shared"
done
run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
check "hashify exits 0" status_is 0
sino=$(stat -c %i "$T/s")

# a leftover of ours: a link to an object under our name
ours=".vhashify.tmp.$sino.4242.7.1.ab0000"
ln "$T/g1/usr/share/doc" "$T/g1/usr/share/$ours"
# the guest's own files, named like temporaries
mkfile "$T/g1/usr/lib/.vhashify.tmp.1.2" "guest data 1"
mkfile "$T/g1/usr/lib/.vhashify.tmp.$sino.1.2" "guest data 2"
mkfile "$T/g1/usr/lib/x" "guest data 3"
mv "$T/g1/usr/lib/x" "$T/g1/usr/lib/.vhashify.tmp.$sino.1.2.$(stat -c %i "$T/g1/usr/lib/x").ab0000"
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

# killed after the swap, before the unlink: the temporary holds the
# guest file the object replaced (strace holds the run right after its
# renameat2, and the kill comes then)
if command -v strace >/dev/null; then
	mkfile "$T/g3/usr/share/doc" "shared"
	touch -r "$T/g1/usr/share/doc" "$T/g3/usr/share/doc"
	orig=$(stat -c %i "$T/g3/usr/share/doc")
	strace -f -o /dev/null -e trace=renameat2 \
		-e inject=renameat2:delay_exit=5000000 \
		vhashify --pkgmgr=none -j 1 --store "$T/s" "$T/g3" \
		>/dev/null 2>&1 &
	spid=$!
	for i in $(seq 1 100); do
		left=$(find "$T/g3" -name '.vhashify.tmp.*')
		[ -n "$left" ] && [ "$(stat -c %i "$left")" = "$orig" ] && break
		sleep 0.1
	done
	vpid=$(ps -o pid= --ppid "$spid" | tr -d ' ')
	[ -n "$vpid" ] && kill -9 "$vpid"
	kill -9 "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	left=$(find "$T/g3" -name '.vhashify.tmp.*')
	check "the kill left the replaced guest file under the temporary" \
		eval '[ -n "$left" ] && [ "$(stat -c %i "$left")" = "$orig" ] &&
		      same_inode "$T/g3/usr/share/doc" "$T/g1/usr/share/doc"'
	run_vh -v --pkgmgr=none --store "$T/s" "$T/g3"
	check "the next run removes it" \
		eval 'status_is 0 && test -z "$(find "$T/g3" -name ".vhashify.tmp.*")"'
	check "the guest path keeps the object" \
		same_inode "$T/g3/usr/share/doc" "$T/g1/usr/share/doc"
else
	for i in 1 2 3; do
		skip "a kill after the swap (check $i)" "strace is needed"
	done
fi

# a guest file named for its own inode and an object, other bytes: stays
g1lib="$T/g1/usr/lib/.vhashify.tmp.$sino.1.2.$(stat -c %i \
	"$T/g1/usr/lib/.vhashify.tmp.$sino.1.2."*).ab0000"
# the object of g1's doc (g2's has another mtime, so another object)
obj=$(cd "$T/s/objects" && find . -type f -inum "$(stat -c %i "$T/g1/usr/share/doc")" |
	sed 's|^\./||; s|/||')
mkfile "$T/g4/usr/share/x" "not the object's bytes"
forged="$T/g4/usr/share/.vhashify.tmp.$sino.9.9.$(stat -c %i "$T/g4/usr/share/x").$obj"
mv "$T/g4/usr/share/x" "$forged"
run_vh -v --pkgmgr=none --store "$T/s" "$T/g4"
check "a forged name over other bytes stays" test -e "$forged"
check "and so does one naming an object that is not there" test -e "$g1lib"
# the same with the object's bytes and metadata: nothing of it is lost
cp -a "$T/g1/usr/share/doc" "$T/g4/usr/share/y"
forged="$T/g4/usr/share/.vhashify.tmp.$sino.9.9.$(stat -c %i "$T/g4/usr/share/y").$obj"
mv "$T/g4/usr/share/y" "$forged"
run_vh -v --pkgmgr=none --store "$T/s" "$T/g4"
check "one holding exactly an object's bytes and metadata goes" \
	test ! -e "$forged"
done_testing

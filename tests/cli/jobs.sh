#!/bin/sh
# --jobs: guests worked on side by side end as they would one after the
# other (same links, same counts, summaries in command-line order), and
# -j 1 keeps that order.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 10

# six guests sharing 200 files, each with one of its own
gs=
for g in g1 g2 g3 g4 g5 g6; do
	for i in $(seq 1 200); do mkfile "$T/$g/usr/f$i" "file $i"; done
	mkfile "$T/$g/usr/own" "only in $g"
	gs="$gs $T/$g"
done
find $gs -exec touch -h -d @1700000000 {} +
for g in $gs; do $MANIFEST "$g" >"$g.before"; done

run_vh --pkgmgr=none --store "$T/s" -j 0 $gs
check "--jobs 0 is a usage error" status_is 2
check "the bad number is named" err_has "invalid number '0' for --jobs"

run_vh -n --pkgmgr=none --store "$T/s" -j 1 $gs
grep -v elapsed "$T/out" >"$T/dry1"
run_vh -n -v --pkgmgr=none --store "$T/s" -j 4 $gs
grep -v -e elapsed -e "^would link '" -e "^loaded plugin '" "$T/out" >"$T/dry4"
check "a dry run counts the same side by side as one by one" \
	diff "$T/dry1" "$T/dry4"
check "each guest's lines of -v stay whole" \
	test "$(grep -Ec "^would link '$T/g[1-6]/usr/[a-z0-9]+'( \(new object\))?$" \
		"$T/out")" = 1206

run_vh --pkgmgr=none --store "$T/s" -j 4 $gs
check "a run of six guests four at a time exits 0" status_is 0
sed -n "s/^guest '\([^']*\)'.*/\1/p" "$T/out" | tr '\n' ' ' >"$T/order"
check "summaries come in the order of the command line" \
	eval 'test "$(cat "$T/order")" = "${gs# } "'
shared() {	# every fN is one inode in all guests
	local i
	for i in $(seq 1 200); do
		[ "$(stat -c %i $(for g in $gs; do echo "$g/usr/f$i"; done) |
		     sort -u | wc -l)" = 1 ] || return 1
	done
}
check "each shared file is one inode in all six guests" shared
check "the store holds one object per content" \
	test "$(find "$T/s/objects" -type f | wc -l)" = 206
check "every guest path keeps its bytes and metadata" eval '
	for g in $gs; do
		$MANIFEST "$g" >"$g.after"
		same_manifest "$g.before" "$g.after" || exit 1
	done'

mkfile "$T/h1/usr/x" "same"
mkfile "$T/h2/usr/x" "same"
touch -d @1700000000 "$T/h1/usr/x" "$T/h2/usr/x"
ino=$(stat -c %i "$T/h1/usr/x")
run_vh --pkgmgr=none --store "$T/s2" -j 1 "$T/h1" "$T/h2"
check "with -j 1 the first guest's file becomes the object" \
	test "$(stat -c %i "$T/h2/usr/x")" = "$ino"
done_testing

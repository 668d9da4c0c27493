#!/bin/sh
# The store's life: stats against an independent count (also as JSON),
# gc after a guest is deleted, verify finding a flipped byte, restore
# giving a guest private copies again, dry runs changing nothing.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 26

S=$T/store
for g in g1 g2 g3; do
	mkfile "$T/$g/usr/share/all" "in all three guests"
	mkfile "$T/$g/usr/bin/tool" "#!/bin/sh" 0755
done
for g in g1 g2; do mkfile "$T/$g/usr/share/two" "in two guests"; done
mkfile "$T/g3/usr/share/only3" "only in g3"
# a sparse file and a file with owner, mode and xattr of its own
for g in g1 g2; do
	truncate -s 10M "$T/$g/usr/share/sparse"
	printf 'island' | dd of="$T/$g/usr/share/sparse" bs=1 seek=5000000 \
		conv=notrunc status=none
	mkfile "$T/$g/usr/share/special" "special bytes" 0640
	chown 12:34 "$T/$g/usr/share/special"
	setfattr -n user.tag -v yes "$T/$g/usr/share/special" 2>/dev/null || :
done
find "$T" -exec touch -h -d @1700000000 {} +
run_vh --pkgmgr=none --store "$S" "$T/g1" "$T/g2" "$T/g3"
check "hashify exits 0" status_is 0

# stats, against a count of our own
objects=$(find "$S/objects" -type f | wc -l)
stored=$(find "$S/objects" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
saved=$(find "$S/objects" -type f -printf '%s %n\n' |
	awk '$2 > 2 { s += $1 * ($2 - 2) } END { print s + 0 }')
run_vh --store "$S" --stats "$T/g1" "$T/g2" "$T/g3"
check "--stats exits 0" status_is 0
check "--stats counts the objects" summary_is "$objects" objects
check "--stats counts the bytes stored" summary_is "$stored" "bytes stored"
check "--stats counts the bytes saved" summary_is "$saved" "bytes saved"
check "--stats names the guests referencing the store" \
	out_has "guests referencing: 3 of 3"
check "--stats lists the largest object first" \
	eval 'grep -A1 "largest objects" "$T/out" | grep -q "10485760 bytes, 2 links"'
run_vh --store "$S" --stats --json "$T/g1"
if command -v jq >/dev/null; then
	check "--stats --json is valid JSON with the same figures" \
		eval 'jq -e ".stores[0].objects == $objects and .stores[0].bytes_saved == $saved and .guests_referencing == 1" "$T/out" >/dev/null'
else
	skip "--stats --json is valid JSON with the same figures" "no jq"
fi

# restore: g1 gets private copies; the others keep theirs
for g in g1 g2; do $MANIFEST "$T/$g" >"$T/$g.before"; done
$MANIFEST -i "$T/g2" | awk '{ NF--; print }' >"$T/g2.inodes"
$MANIFEST -i "$T/g1" >"$T/g1.inodes"
run_vh --store "$S" --restore --dry-run "$T/g1"
check "--restore --dry-run counts the shared files" \
	out_has "5 files would get a private copy"
$MANIFEST -i "$T/g1" >"$T/g1.dry"
check "--restore --dry-run changes nothing" \
	same_manifest "$T/g1.inodes" "$T/g1.dry"
# another run's shared lock (a dry run's) makes a restore wait: it
# writes in the store and must have it to itself
flock -s "$S/lock" sleep 2 &
sleep 0.5
run_vh --store "$S" --restore "$T/g1"
wait
check "--restore waits for the store's lock" \
	err_has "is in use by another run, waiting"
check "--restore exits 0" status_is 0
check "every file of the restored guest has link count 1" \
	test -z "$(find "$T/g1" -type f -links +1)"
$MANIFEST "$T/g1" >"$T/g1.after"
check "restored files keep bytes, mode, owner, mtime and xattrs" \
	same_manifest "$T/g1.before" "$T/g1.after"
check "a restored sparse file stays sparse" \
	test "$(stat -c %b "$T/g1/usr/share/sparse")" -lt 1000
$MANIFEST -i "$T/g2" | awk '{ NF--; print }' >"$T/g2.after"
check "the other guests are untouched" same_manifest "$T/g2.inodes" "$T/g2.after"

# gc: after g1's restore and g3's deletion, their own objects go
rm -rf "$T/g3"
run_vh --store "$S" --gc --dry-run
check "--gc --dry-run reports what it would remove" \
	out_has "would remove 1 unreferenced"
check "--gc --dry-run removes nothing" \
	test "$(find "$S/objects" -type f | wc -l)" = "$objects"
run_vh --store "$S" --gc
check "--gc exits 0" status_is 0
check "--gc removes the object only the deleted guest had" \
	out_has "removed 1 unreferenced"
check "--gc keeps objects guests still link to" \
	test "$(find "$S/objects" -type f | wc -l)" = $((objects - 1))
check "shared files stay shared after gc" \
	test "$(stat -c %h "$T/g2/usr/share/all")" = 2

# verify: a flipped byte in an object is found
run_vh --store "$S" --verify
check "--verify of a good store exits 0" status_is 0
obj=$(find "$S/objects" -type f -size -100c | head -n 1)
printf 'X' | dd of="$obj" bs=1 seek=0 conv=notrunc status=none
run_vh --store "$S" --verify
check "--verify finds an object whose byte was flipped (status 1)" \
	eval 'status_is 1 && err_has "content does not match its name"'
run_vh --store "$S" --verify --remove-corrupt
check "--verify --remove-corrupt unlinks it from the store" test ! -e "$obj"
run_vh --store "$S" --verify
check "the store verifies good afterwards" status_is 0
done_testing

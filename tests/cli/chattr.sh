#!/bin/sh
# A guest file with the immutable or the append-only flag (chattr +i,
# +a) can be neither replaced nor linked to: it is skipped with its own
# reason, every run, and the run succeeds.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v chattr >/dev/null || skip_all "chattr is not installed"
trap 'chattr -R -ia "$T" 2>/dev/null; rm -rf "$T"' EXIT
mkfile "$T/probe" "x"
chattr +i "$T/probe" 2>/dev/null || skip_all "no chattr +i on $T"
chattr -i "$T/probe"
plan 8

for g in g1 g2; do
	mkfile "$T/$g/usr/a" "the same bytes"
	mkfile "$T/$g/usr/b" "other same bytes"
	mkfile "$T/$g/usr/c" "plain shared bytes"
done
find "$T"/g? -exec touch -h -d @1700000000 {} +
chattr +i "$T/g2/usr/a"
chattr +a "$T/g2/usr/b"
$MANIFEST -i "$T/g2" >"$T/g2.before"

run_vh --pkgmgr=none --store "$T/s" -j 1 -vv "$T/g1" "$T/g2"
check "a run over immutable files exits 0" status_is 0
check "an immutable file is skipped with its reason" \
	out_has "skipped '$T/g2/usr/a': immutable flag"
check "so is an append-only file" \
	out_has "skipped '$T/g2/usr/b': immutable flag"
check "the summary counts them" summary_is 2 "immutable flag"
check "the other files are linked" same_inode "$T/g1/usr/c" "$T/g2/usr/c"
chattr -ia "$T/g2/usr/a" "$T/g2/usr/b"
$MANIFEST -i "$T/g2" | grep -v '/usr/c' >"$T/g2.after"
grep -v '/usr/c' "$T/g2.before" >"$T/g2.kept"
check "they keep their inode, bytes and metadata" \
	same_manifest "$T/g2.kept" "$T/g2.after"

# an immutable file that would be the new object
for g in g3 g4; do mkfile "$T/$g/usr/a" "the same bytes"; done
find "$T"/g3 "$T"/g4 -exec touch -h -d @1700000000 {} +
chattr +i "$T/g3/usr/a"
run_vh --pkgmgr=none --store "$T/s" -j 1 -vv "$T/g3" "$T/g4"
check "an immutable first file fails nothing" \
	eval 'status_is 0 && out_has "skipped '"'$T/g3/usr/a'"': immutable flag"'
check "the other guest's file is linked, not to it" \
	eval 'same_inode "$T/g1/usr/a" "$T/g4/usr/a" &&
	      test "$(stat -c %h "$T/g3/usr/a")" = 1'
done_testing

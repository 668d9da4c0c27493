#!/bin/sh
# --immutable: store objects get the immutable flag; nothing can write
# a shared file then; later runs still link to them, --restore gives a
# guest its own files back, gc removes unreferenced immutable objects.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "lsattr (e2fsprogs) is needed"
plan 11
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

for g in g1 g2 g3; do
	mkfile "$T/$g/usr/share/shared" "frozen content"
	mkfile "$T/$g/usr/share/only-$g" "own content of $g"
done
find "$T" -exec touch -h -d @1700000000 {} +
immutable() { lsattr -d "$1" 2>/dev/null | cut -c1-20 | grep -q i; }

run_vh --pkgmgr=none --immutable --store "$T/s" "$T/g1" "$T/g2"
if grep -q "cannot set the immutable flag" "$T/err"; then
	skip_all "$(cat "$T/err")"
fi
check "an --immutable run exits 0" status_is 0
check "the shared file is linked and immutable" \
	eval 'same_inode "$T/g1/usr/share/shared" "$T/g2/usr/share/shared" &&
	      immutable "$T/g1/usr/share/shared"'
check "nothing can write a shared file" \
	eval '! sh -c "echo x >>\"$T/g1/usr/share/shared\"" 2>/dev/null'
run_vh --pkgmgr=none --store "$T/s" "$T/g3"
check "a later run links another guest to the immutable object" \
	eval 'status_is 0 && same_inode "$T/g1/usr/share/shared" "$T/g3/usr/share/shared" &&
	      immutable "$T/g3/usr/share/shared"'
$MANIFEST "$T/g1" >"$T/g1.before"
run_vh --store "$T/s" --restore "$T/g1"
check "--restore works on immutable objects" status_is 0
check "the restored guest's files are its own and writable" \
	eval '[ "$(stat -c %h "$T/g1/usr/share/shared")" = 1 ] &&
	      ! immutable "$T/g1/usr/share/shared"'
$MANIFEST "$T/g1" >"$T/g1.after"
check "and keep their bytes and metadata" \
	same_manifest "$T/g1.before" "$T/g1.after"
check "the other guests keep the immutable object" \
	eval 'same_inode "$T/g2/usr/share/shared" "$T/g3/usr/share/shared" &&
	      immutable "$T/g2/usr/share/shared"'
run_vh --store "$T/s" --restore "$T/g2" "$T/g3"
run_vh --store "$T/s" --gc
check "gc removes unreferenced immutable objects" \
	eval 'status_is 0 && test -z "$(find "$T/s/objects" -type f)"'
check "after --restore a guest can be deleted" rm -rf "$T/g2"
run_vh --pkgmgr=none --immutable --method=reflink --store "$T/s" "$T/g3"
check "--immutable with reflink is a usage error" status_is 2
done_testing

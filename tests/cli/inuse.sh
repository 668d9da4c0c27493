#!/bin/sh
# A file a process has open to write (a package manager writing a new
# file before its rename, a log) is never replaced: its further writes
# would go to an inode no path names, and be lost from the guest. It is
# skipped as "open for writing", and linked by a later run once closed.
# The same holds for --restore: a shared file open to write fails,
# saying why, and is restored once closed. (A writer that opens the
# file at the moment of the swap: tests/unit/test_link.c.)
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 11

for g in g1 g2; do
	mkfile "$T/$g/usr/a" "the same bytes"
	mkfile "$T/$g/usr/b" "other same bytes"
done
find "$T"/g? -exec touch -h -d @1700000000 {} +

# g2's b is being written: a process holds it open to write
exec 3>>"$T/g2/usr/b"
run_vh --pkgmgr=none --store "$T/s" -j 1 -vv "$T/g1" "$T/g2"
check "a run beside a writer exits 0" status_is 0
check "the file open to write is skipped with its reason" \
	out_has "skipped '$T/g2/usr/b': open for writing"
check "the summary counts it" summary_is 1 "open for writing"
check "and it was not replaced" eval '! same_inode "$T/g1/usr/b" "$T/g2/usr/b"'
check "the other files are linked" same_inode "$T/g1/usr/a" "$T/g2/usr/a"
# the writer goes on: its bytes are in the guest's file
printf ', and more' >&3
exec 3>&-
check "what the writer wrote afterwards is in the guest's file" \
	test "$(cat "$T/g2/usr/b")" = "other same bytes, and more"

# once closed, and equal again, a run links it
mkfile "$T/g2/usr/b" "other same bytes"
touch -d @1700000000 "$T/g2/usr/b"
run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
check "closed, it is linked by the next run" \
	same_inode "$T/g1/usr/b" "$T/g2/usr/b"

# --restore: a shared file open to write is not restored
exec 4>>"$T/g1/usr/a"
run_vh --store "$T/s" --restore "$T/g1"
check "--restore beside a writer of a shared file exits 1" status_is 1
check "it says which file, and why" \
	err_has "cannot restore '$T/g1/usr/a': a process has it open for writing"
exec 4>&-
check "the other shared file is restored" \
	eval '! same_inode "$T/g1/usr/b" "$T/g2/usr/b"'
run_vh --store "$T/s" --restore "$T/g1"
check "closed, the next --restore gives it its copy" \
	eval 'status_is 0 && ! same_inode "$T/g1/usr/a" "$T/g2/usr/a"'
done_testing

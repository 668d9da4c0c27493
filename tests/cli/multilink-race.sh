#!/bin/sh
# The names of a hard-linked guest file are opened again after the
# walk, as safely as the walk opens them: a directory the guest swaps
# for a symlink to a host directory meanwhile is not followed, and the
# names are left alone as changed.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v strace >/dev/null || skip_all "strace is not installed"
plan 5

C="bytes of a file with two names"
for d in "$T/g/usr/d" "$T/host/d"; do
	mkfile "$d/one" "$C"
	ln "$d/one" "$d/two"
done
find "$T/g" "$T/host" -exec touch -h -d @1700000000 {} +
host_ino=$(stat -c %i "$T/host/d/one")

# only the names' second look uses openat2: hold its first call back
# long enough to swap the directory under it
vh_status=0
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
strace -f -qq -o /dev/null -e trace=openat2 \
	-e inject=openat2:delay_enter=2000000:when=1 \
	vhashify --pkgmgr=none -vv --store "$T/s" "$T/g" \
	>"$T/out" 2>"$T/err" &
pid=$!
sleep 1
mv "$T/g/usr/d" "$T/g/usr/d.old"
ln -s ../../host/d "$T/g/usr/d"
wait $pid || vh_status=$?

check "the run exits 0" status_is 0
check "the names were recorded by the walk, then found changed" \
	eval 'out_has "skipped '"'$T/g/usr/d/one'"': changed while read" &&
	      out_has "skipped '"'$T/g/usr/d/two'"': changed while read"'
check "the host files keep their inode and names" \
	eval 'test "$(stat -c %i:%h "$T/host/d/one")" = "$host_ino:2" &&
	      same_inode "$T/host/d/one" "$T/host/d/two"'
check "the guest's files keep theirs" \
	test "$(stat -c %h "$T/g/usr/d.old/one")" = 2
check "no object was made" test -z "$(find "$T/s/objects" -type f)"
done_testing

#!/bin/sh
# --restore of one guest rewrites only what other guests share: a file
# that is no store object keeps its inode, ctime and mtime and is not
# even opened (strace); an object only this guest links keeps its inode,
# bytes and mtime, and just leaves the store (with --immutable, the
# flag too, so that a package upgrade can replace it); the files shared
# with another guest get private copies.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 11
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

S=$T/store
i=0
while [ $i -lt 200 ]; do
	mkfile "$T/g1/usr/share/own/own-$i" "only in g1: $i"
	i=$((i + 1))
done
i=0
while [ $i -lt 50 ]; do
	for g in g1 g2; do mkfile "$T/$g/usr/lib/shared-$i" "shared: $i"; done
	i=$((i + 1))
done
# g1's own hard links, and two equal files of g1 alone (one object)
ln "$T/g1/usr/share/own/own-0" "$T/g1/usr/share/own/own-link"
mkfile "$T/g1/usr/share/own/dup-a" "twice in g1"
mkfile "$T/g1/usr/share/own/dup-b" "twice in g1"
# files that never become objects: excluded, empty
for g in g1 g2; do
	mkfile "$T/$g/etc/conf" "configuration"
	mkfile "$T/$g/usr/share/empty" ""
done
find "$T" -exec touch -h -d @1700000000 {} +
immutable=
if chattr +i "$T/g2/usr/share/empty" 2>/dev/null; then
	chattr -i "$T/g2/usr/share/empty"
	immutable=--immutable
fi
run_vh --pkgmgr=none $immutable --store "$S" "$T/g1" "$T/g2"
check "hashify exits 0 and links the shared files" \
	eval 'status_is 0 && same_inode "$T/g1/usr/lib/shared-7" "$T/g2/usr/lib/shared-7"'
check "g1's own files are objects too" \
	eval 'test "$(stat -c %h "$T/g1/usr/share/own/own-7")" = 2 &&
	      test "$(stat -c %h "$T/g1/usr/share/own/own-0")" = 3 &&
	      same_inode "$T/g1/usr/share/own/dup-a" "$T/g1/usr/share/own/dup-b"'

# what must not change
stamp() { find "$@" -type f -printf '%p %i %C@ %T@\n' | sort; }
stamp "$T/g1/etc" "$T/g1/usr/share/empty" >"$T/none.before"
find "$T/g1/usr/share/own" -type f -printf '%p %i %T@ %s\n' | sort \
	>"$T/own.before"
$MANIFEST "$T/g1" >"$T/g1.before"
sleep 0.1	# a rewrite would show in the ctime
run_vh --store "$S" --restore --dry-run "$T/g1"
check "--restore --dry-run tells copies from files that leave the store" \
	out_has "50 files would get a private copy, 203 would leave the store keeping their inode"
if command -v strace >/dev/null; then
	vh_status=0
	# (LeakSanitizer cannot work under ptrace)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -o "$T/trace" -e trace=open,openat,openat2 \
		vhashify --store "$S" --restore "$T/g1" >"$T/out" 2>"$T/err" ||
		vh_status=$?
	check "--restore opens no file that is no object" \
		eval '! grep -E "\"(conf|empty)\"" "$T/trace" >"$T/opened" || { diag "$(head "$T/opened")"; false; }'
	check "--restore opens no own file for writing" \
		eval '! grep -E "\"own-[0-9]+\".*O_(WRONLY|RDWR)" "$T/trace" >"$T/opened" || { diag "$(head "$T/opened")"; false; }'
else
	run_vh --store "$S" --restore "$T/g1"
	skip "--restore opens no file that is no object" "no strace"
	skip "--restore opens no own file for writing" "no strace"
fi
check "--restore copies the 50 shared files, the 203 own ones leave the store" \
	eval 'status_is 0 && out_has "50 files got a private copy, 203 left the store keeping their inode"'
stamp "$T/g1/etc" "$T/g1/usr/share/empty" >"$T/none.after"
check "files that are no object keep inode, ctime and mtime" \
	same_manifest "$T/none.before" "$T/none.after"
find "$T/g1/usr/share/own" -type f -printf '%p %i %T@ %s\n' | sort \
	>"$T/own.after"
check "files only g1 linked keep their inode and mtime" \
	same_manifest "$T/own.before" "$T/own.after"
$MANIFEST "$T/g1" >"$T/g1.after"
check "g1 keeps every byte and all metadata" \
	same_manifest "$T/g1.before" "$T/g1.after"
check "g1 has no link into the store, nor an immutable file" \
	eval 'test -z "$(find "$T/g1" -type f -links +1 ! -name "own-0" ! -name "own-link" ! -name "dup-?")" &&
	      test "$(stat -c %h "$T/g1/usr/share/own/own-0")" = 2 &&
	      test "$(stat -c %h "$T/g1/usr/share/own/dup-a")" = 2 &&
	      ! lsattr -R "$T/g1" 2>/dev/null | awk '"'"'$1 ~ /^[-a-zA-Z]+$/ && $1 ~ /i/'"'"' | grep -q .'
check "g2 keeps the objects" \
	test "$(stat -c %h "$T/g2/usr/lib/shared-7")" = 2
done_testing

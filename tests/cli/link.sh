#!/bin/sh
# Identical files of three guests become one store object; a second run
# changes nothing and reads no content; a dry run changes nothing.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 20

S=$T/store
# three guests with the same /usr, a private file each, and /etc
for g in g1 g2 g3; do
	mkfile "$T/$g/usr/bin/tool" "#!/bin/sh echo tool" 0755
	mkfile "$T/$g/usr/lib/libx.so" "$(seq 1 5000)" 0644
	mkfile "$T/$g/usr/share/doc/.hidden" "dotfiles are files too"
	mkfile "$T/$g/usr/share/own" "only in $g"
	mkfile "$T/$g/etc/hostname" "same everywhere"
done
# a large file, several read chunks long
head -c 3000000 /dev/urandom >"$T/g1/usr/lib/big"
cp "$T/g1/usr/lib/big" "$T/g2/usr/lib/big"
find "$T"/g? -exec touch -h -d @1700000000 {} +

for g in g1 g2 g3; do $MANIFEST "$T/$g" >"$T/$g.before"; done
$MANIFEST -i "$T/g1" >"$T/g1.inodes"

run_vh -n --pkgmgr=none --store "$S" "$T/g1" "$T/g2" "$T/g3"
check "dry run exits 0" status_is 0
check "dry run counts what it would link" summary_is 14 "would be linked"
$MANIFEST -i "$T/g1" >"$T/g1.dry"
check "dry run changes no guest file (inode, metadata, content)" \
	same_manifest "$T/g1.inodes" "$T/g1.dry"
check "dry run creates no store" test ! -e "$S"

own_ino=$(stat -c %i "$T/g1/usr/share/own")
tool_inos=$(stat -c %i "$T"/g?/usr/bin/tool)
run_vh --pkgmgr=none --store "$S" "$T/g1" "$T/g2" "$T/g3"
check "run exits 0" status_is 0
# guests run side by side: the object is whichever guest's file came first
check "a new object is a guest's own inode, not a copy" \
	eval 'test "$(stat -c %i "$T/g1/usr/share/own")" = "$own_ino" &&
	      echo "$tool_inos" | grep -qx "$(stat -c %i "$T/g3/usr/bin/tool")"'
check "identical files across three guests are one inode" \
	eval 'same_inode "$T/g1/usr/bin/tool" "$T/g2/usr/bin/tool" &&
	      same_inode "$T/g1/usr/bin/tool" "$T/g3/usr/bin/tool"'
check "the shared inode is a store object" \
	test "$(stat -c %h "$T/g1/usr/bin/tool")" = 4
check "dotfiles are linked like other files" \
	same_inode "$T/g1/usr/share/doc/.hidden" "$T/g3/usr/share/doc/.hidden"
check "a large file is linked" same_inode "$T/g1/usr/lib/big" "$T/g2/usr/lib/big"
check "unique files get their own object" \
	test "$(stat -c %h "$T/g1/usr/share/own")" = 2
check "excluded /etc is left alone" \
	test "$(stat -c %h "$T/g1/etc/hostname")" = 1
check "summary counts linked files" summary_is 14 linked
check "summary counts skipped files, the excluded /etc directories apart" \
	eval 'summary_is 0 skipped && summary_is 3 "directories skipped"'
for g in g1 g2 g3; do $MANIFEST "$T/$g" >"$T/$g.after"; done
check "every guest path keeps its bytes and metadata" \
	eval 'same_manifest "$T/g1.before" "$T/g1.after" &&
	      same_manifest "$T/g2.before" "$T/g2.after" &&
	      same_manifest "$T/g3.before" "$T/g3.after"'
check "the store records its format and hash" \
	grep -qx 'hash: xxh3-128' "$S/config"

# the second run: everything is unified, no file content is opened
for g in g1 g2 g3; do $MANIFEST -i "$T/$g" >"$T/$g.linked"; done
if command -v strace >/dev/null; then
	vh_status=0
	# (LeakSanitizer cannot work under ptrace: off for this run)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=openat,open -o "$T/trace" \
		vhashify --pkgmgr=none --store "$S" "$T/g1" "$T/g2" "$T/g3" \
		>"$T/out" 2>"$T/err" || vh_status=$?
	# content is opened by content_open(), the only user of O_NOATIME
	check "a second run opens no file content" \
		eval '! grep O_NOATIME "$T/trace"'
else
	run_vh --pkgmgr=none --store "$S" "$T/g1" "$T/g2" "$T/g3"
	skip "a second run opens no file content" "strace not installed"
fi
check "a second run exits 0" status_is 0
check "a second run finds every file unified" summary_is 14 "already unified"
for g in g1 g2 g3; do $MANIFEST -i "$T/$g" >"$T/$g.again"; done
check "a second run changes nothing" \
	eval 'same_manifest "$T/g1.linked" "$T/g1.again" &&
	      same_manifest "$T/g3.linked" "$T/g3.again"'
done_testing

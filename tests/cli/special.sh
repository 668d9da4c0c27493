#!/bin/sh
# Symlinks, FIFOs, devices and small files are left alone; odd names
# are handled; guest symlinks never lead vhashify to host files.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 12

S=$T/store
H=$T/host
mkfile "$H/secret" "host file"
mkdir -p "$H/dir"
mkfile "$H/dir/inside" "host dir file"
for g in g1 g2; do
	mkfile "$T/$g/usr/share/with space" "spaces"
	mkfile "$T/$g/usr/share/with
newline" "newline"
	mkfile "$T/$g/usr/share/$(printf 'bad\377utf8')" "not utf-8"
	mkfile "$T/$g/usr/share/tiny" "x"
	mkfile "$T/$g/usr/share/empty" ""
	mkfile "$T/$g/usr/share/secret" "host file"
	ln -s "$H/secret" "$T/$g/usr/share/abs-link"
	ln -s "../../../../host/secret" "$T/$g/usr/share/rel-link"
	ln -s "$H/dir" "$T/$g/usr/dirlink"
	mkfifo "$T/$g/usr/share/fifo"
	mknod "$T/$g/usr/share/null" c 1 3
done
find "$T" -exec touch -h -d @1700000000 {} +
$MANIFEST -i "$H" >"$T/host.before"
for g in g1 g2; do $MANIFEST -i "$T/$g" >"$T/$g.before"; done

run_vh --pkgmgr=none --store "$S" --min-size 2 -vv "$T/g1" "$T/g2"
check "run exits 0" status_is 0
check "a name with a space is linked" \
	same_inode "$T/g1/usr/share/with space" "$T/g2/usr/share/with space"
check "a name with a newline is linked" \
	same_inode "$T/g1/usr/share/with
newline" "$T/g2/usr/share/with
newline"
check "a non-UTF-8 name is linked" \
	same_inode "$T/g1/usr/share/$(printf 'bad\377utf8')" \
		"$T/g2/usr/share/$(printf 'bad\377utf8')"
check "a name with a newline is escaped in messages" \
	out_has "usr/share/with\\012newline"
check "files below --min-size are left alone" \
	eval '! same_inode "$T/g1/usr/share/tiny" "$T/g2/usr/share/tiny"'
check "the summary counts symlinks" summary_is 6 symlink
check "the summary counts special files" summary_is 4 "special file"
$MANIFEST -i "$T/g1" | grep -E ' [lpc] ' >"$T/g1.special.after"
grep -E ' [lpc] ' "$T/g1.before" >"$T/g1.special.before"
check "symlinks, FIFOs and devices keep inode and metadata" \
	same_manifest "$T/g1.special.before" "$T/g1.special.after"
$MANIFEST -i "$H" >"$T/host.after"
check "host files behind guest symlinks are untouched" \
	same_manifest "$T/host.before" "$T/host.after"
check "the host file is not made a store object" \
	test "$(stat -c %h "$H/secret")" = 1
check "a guest file equal to a host file links only guest files" \
	same_inode "$T/g1/usr/share/secret" "$T/g2/usr/share/secret"
done_testing

#!/bin/sh
# Files that differ only in mode, owner, group, mtime or one xattr stay
# apart; --ignore-mtime links the mtime case.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 10

S=$T/store
for g in base mode owner group mtime cap user; do
	mkfile "$T/$g/usr/bin/prog" "the same bytes" 0755
done
chmod 0700 "$T/mode/usr/bin/prog"
chown 1234 "$T/owner/usr/bin/prog"
chgrp 1234 "$T/group/usr/bin/prog"
find "$T" -exec touch -h -d @1700000000 {} +
touch -d @1700000001 "$T/mtime/usr/bin/prog"

xattrs=yes
setfattr -n user.tag -v one "$T/user/usr/bin/prog" 2>/dev/null || xattrs=no
if command -v setcap >/dev/null &&
   setcap cap_net_raw+ep "$T/cap/usr/bin/prog" 2>/dev/null; then
	caps=yes
else
	caps=no
fi
for g in base mode owner group mtime cap user; do
	$MANIFEST "$T/$g" >"$T/$g.before"
done

run_vh --pkgmgr=none --store "$S" "$T"/base "$T"/mode "$T"/owner "$T"/group \
	"$T"/mtime "$T"/cap "$T"/user
check "run exits 0" status_is 0
for g in mode owner group mtime; do
	check "a file differing in $g is not linked" \
		eval '! same_inode "$T/base/usr/bin/prog" "$T/$g/usr/bin/prog"'
done
if [ $caps = yes ]; then
	check "a file differing in security.capability is not linked" \
		eval '! same_inode "$T/base/usr/bin/prog" "$T/cap/usr/bin/prog"'
else
	skip "a file differing in security.capability is not linked" \
		"setcap not available here"
fi
if [ $xattrs = yes ]; then
	check "a file differing in a user xattr is not linked" \
		eval '! same_inode "$T/base/usr/bin/prog" "$T/user/usr/bin/prog"'
else
	skip "a file differing in a user xattr is not linked" \
		"no user xattrs on $T"
fi
ok=yes
for g in base mode owner group mtime cap user; do
	$MANIFEST "$T/$g" >"$T/$g.after"
	same_manifest "$T/$g.before" "$T/$g.after" || ok=no
done
check "every file keeps its metadata, xattrs and content" test $ok = yes

# copies of those two, as the first store's objects are now named
# outside any guest, which another store leaves alone
cp -a "$T/base" "$T/base2"
cp -a "$T/mtime" "$T/mtime2"
run_vh --pkgmgr=none --store "$T/store2" --ignore-mtime "$T"/base2 "$T"/mtime2
check "--ignore-mtime run exits 0" status_is 0
check "--ignore-mtime links files differing only in mtime" \
	same_inode "$T/base2/usr/bin/prog" "$T/mtime2/usr/bin/prog"
done_testing

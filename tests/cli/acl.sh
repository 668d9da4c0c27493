#!/bin/sh
# A private copy's metadata is exactly its original's, whatever the
# default ACLs of the directories it is made in: --restore with a
# default ACL on the guest directory and on the store's tmp/, and
# --immutable with one on the store's objects/, give copies with the
# original's xattrs and nothing else.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v setfacl >/dev/null || skip_all "setfacl (acl) is not installed"
mkdir -p "$T/probe"
setfacl -d -m u:1234:rwx "$T/probe" 2>/dev/null ||
	skip_all "no default ACLs on $T"
plan 8

# xattrs PATH: every xattr of PATH, names and values
xattrs() { getfattr -h -d -m - -e hex "$1" 2>/dev/null | grep -v '^#'; }

for g in g1 g2 g3 g4; do
	mkfile "$T/$g/usr/a" "the same bytes" 0644
	mkfile "$T/$g/usr/b" "other same bytes" 0640
done
setfattr -n user.tag -v one "$T"/g?/usr/b
find "$T"/g? -exec touch -h -d @1700000000 {} +

run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
check "the files are linked" \
	eval 'status_is 0 && same_inode "$T/g1/usr/a" "$T/g2/usr/a" &&
	      same_inode "$T/g1/usr/b" "$T/g2/usr/b"'
$MANIFEST "$T/g1" >"$T/g1.before"
setfacl -d -m u:1234:rwx "$T/g1/usr"
setfacl -d -m u:1234:rwx,g:4321:r "$T/s/tmp"
touch -d @1700000000 "$T/g1/usr"
$MANIFEST "$T/g1" >"$T/g1.acl"

run_vh --store "$T/s" --restore "$T/g1"
check "--restore under default ACLs exits 0" status_is 0
check "every shared file got a private copy" \
	eval 'out_has "guest '"'$T/g1'"': 2 files got a private copy" &&
	      ! same_inode "$T/g1/usr/a" "$T/g2/usr/a"'
$MANIFEST "$T/g1" >"$T/g1.after"
check "the copies have the original's xattrs, no inherited ACL" \
	same_manifest "$T/g1.acl" "$T/g1.after"
check "exactly" \
	eval '[ "$(xattrs "$T/g1/usr/a")" = "" ] &&
	      [ "$(xattrs "$T/g1/usr/b")" = "$(xattrs "$T/g2/usr/b")" ]'

# --immutable makes its objects in objects/: its default ACL stays there
mkdir "$T/empty"
run_vh --pkgmgr=none --immutable --store "$T/si" "$T/empty"
setfacl -d -m u:1234:rwx "$T/si/objects"
run_vh --pkgmgr=none --immutable --store "$T/si" "$T/g3" "$T/g4"
check "--immutable under a default ACL on objects/ exits 0" status_is 0
check "and links" \
	eval 'same_inode "$T/g3/usr/a" "$T/g4/usr/a" &&
	      same_inode "$T/g3/usr/b" "$T/g4/usr/b"'
check "its objects have the original's xattrs" \
	eval '[ "$(xattrs "$T/g3/usr/a")" = "" ] &&
	      [ "$(xattrs "$T/g3/usr/b")" = "$(xattrs "$T/g2/usr/b")" ] &&
	      [ -n "$(xattrs "$T/g3/usr/b")" ]'
chattr -R -i "$T" 2>/dev/null
done_testing

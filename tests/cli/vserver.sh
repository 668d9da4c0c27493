#!/bin/sh
# A util-vserver host taken over: its configuration tree (opt-in,
# exclude lists in the old format and places, pkgmgmt switches), its
# hash directory adopted without a byte copied, its immutable flags
# migrated; the old configuration is left as it was.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "lsattr (e2fsprogs) is needed"
plan 39
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

# not_same A B: A and B are two inodes.
not_same() { ! same_inode "$1" "$2"; }

V=$T/vservers
C=$T/vhashify.yaml
cat >"$C" <<CONF
vservers: $V
stores: [$T/store]
CONF

# Three guests opted in (apps/vunify), one not; a shared list in
# .defaults, guest c's own list; no package manager (pkgmgmt-ignore).
for g in a b c d; do
	r=$V/$g/vdir
	mkfile "$r/usr/bin/tool" "the same tool everywhere"
	mkfile "$r/etc/termcap" "termcap, included by the old list"
	mkfile "$r/etc/hosts" "hosts, excluded by /etc/*"
	mkfile "$r/opt/lib/deep/x.so" "a library below /opt"
	mkfile "$r/opt/keep.so" "kept by a + before the -"
	mkfile "$r/srv/skipme" "skipped by a ~ rule"
	mkfile "$r/data/inner" "below a pruned directory"
done
mkdir -p "$V/a/apps/vunify" "$V/b/apps/vunify" "$V/c/apps/vunify" \
	 "$V/.defaults/apps/vunify"
# "*" crosses '/', the first match wins, "~" skips, a rule on a
# directory prunes it whatever comes later, '#' only in column 0
cat >"$V/.defaults/apps/vunify/exclude" <<'LIST'
# util-vserver's format
+/etc/termcap
/etc/*
+/opt/keep.so
-/opt/*.so
~/srv/skip*
/data
+/data/inner
 #odd
LIST
printf '%s\n' '/usr/bin/tool' >"$V/c/apps/vunify/exclude"

# util-vserver's hash directory: one entry per filesystem, an object
# ab/cd/<rest>-<8 hex> linked into guests a and b (c has its own copy),
# an empty placeholder of an interrupted run, and a stray file
H=$T/hashfs
O=$H/ab/cd/ef0123456789abcdef0123456789abcdef01-00000000
mkdir -p "$V/.defaults/apps/vunify/hash" "$H/12/34" "$(dirname "$O")"
ln -s "$H" "$V/.defaults/apps/vunify/hash/00"
echo sha1 >"$V/.defaults/apps/vunify/hash/method"
mkfile "$O" "an old unified library" 0644
for g in a b; do
	mkdir -p "$V/$g/vdir/usr/lib"
	ln "$O" "$V/$g/vdir/usr/lib/libold.so"
done
mkfile "$V/c/vdir/usr/lib/libold.so" "an old unified library" 0644
: >"$H/12/34/56789abcdef0123456789abcdef0123456-00000000"
chmod 0200 "$H/12/34/56789abcdef0123456789abcdef0123456-00000000"
mkfile "$H/ab/cd/notes.txt" "not an object"
find "$T" -exec touch -h -d @1700000000 {} +
chattr +i "$O" 2>/dev/null || skip_all "no immutable flag on this filesystem"
immutable() { lsattr -d "$1" 2>/dev/null | cut -c1-20 | grep -q i; }
links() { stat -c %h "$1"; }
ino() { stat -c %i "$1"; }

run_vh -c "$C" -n --all
check "without pkgmgmt-ignore a backend is needed" \
	err_has "no backend found for guest '$V/a/vdir'"
touch -d @1700000000 "$V/.defaults/apps/vunify/pkgmgmt-ignore"
$MANIFEST "$V" | grep -v '^/[abcd]/vdir' >"$T/config.before"
$MANIFEST "$H" >"$T/hash.before"

run_vh -c "$C" d
check "a guest that has not opted in is refused" status_is 2
check "... and the message names the missing directory" \
	err_has "guest 'd' has not opted in to unification: '$V/d/apps/vunify'"

run_vh -c "$C" --list-guests
check "--list-guests lists the opted-in guests only" \
	sh -c "[ \"\$(cut -f1 '$T/out' | tr '\n' ' ')\" = 'a b c ' ]"

run_vh -c "$C" -n --adopt-store "$V/.defaults/apps/vunify/hash"
check "--adopt-store --dry-run tells, changes nothing" \
	eval 'status_is 0 && out_has "would adopt: 1 objects" &&
	      [ ! -d "$T/store/objects" ] && [ $(links "$O") = 3 ]'
run_vh -c "$C" --adopt-store "$V/.defaults/apps/vunify/hash"
check "--adopt-store adopts the object" \
	eval 'status_is 0 && out_has "adopted: 1 objects, 22 bytes"'
obj=$(find "$T/store/objects" -type f -inum "$(ino "$O")")
check "... as its own inode in the store: no byte copied" \
	eval '[ -n "$obj" ] && [ $(links "$O") = 4 ] &&
	      [ $(find "$T/store/objects" -type f | wc -l) = 1 ]'
check "... under the name of its content and metadata" \
	eval 'run_vh -c "$C" --verify && status_is 0'
check "the placeholder is reported, not removed" \
	eval 'grep -q "^placeholder .*12/34/" "$T/out" ||
	      { run_vh -c "$C" --adopt-store "$V/.defaults/apps/vunify/hash";
		out_has "placeholders: 1"; }'
run_vh -c "$C" --adopt-store "$V/.defaults/apps/vunify/hash"
check "a second adoption finds it adopted" \
	eval 'status_is 0 && out_has "already adopted: 1" &&
	      out_has "adopted: 0 objects"'
check "... and left the stray file alone, said" \
	err_has "left '$V/.defaults/apps/vunify/hash/00/ab/cd/notes.txt' alone: not a util-vserver object"
check "the old object keeps its immutable flag" immutable "$O"

run_vh -c "$C" --migrate-flags keep --all
check "--migrate-flags keep lists the immutable shared files" \
	eval 'status_is 0 && out_has "immutable '"'$V/a/vdir/usr/lib/libold.so'"'" &&
	      out_has "immutable shared files: 2" && immutable "$O"'
run_vh -c "$C" -n --migrate-flags clear --all
check "--migrate-flags clear --dry-run clears nothing" \
	eval 'status_is 0 && out_has "would clear: 2" && immutable "$O"'
run_vh -c "$C" --immutable --migrate-flags clear --all
check "--immutable: store objects keep the flag" \
	eval 'status_is 0 && out_has "store objects kept immutable: 2" &&
	      immutable "$O"'
run_vh -c "$C" --migrate-flags clear a b
check "--migrate-flags clear clears the flag" \
	eval 'status_is 0 && out_has "cleared: 1" && ! immutable "$O"'
check "... so a package upgrade can replace the file" \
	sh -c "echo x >>'$V/a/vdir/usr/lib/libold.so' ||
	       exit 1; truncate -s 22 '$V/a/vdir/usr/lib/libold.so'"
touch -d @1700000000 "$O"

run_vh -c "$C" -v --all
check "--all hashifies the util-vserver guests" status_is 0
check "a third guest links to the adopted object" \
	eval 'same_inode "$V/c/vdir/usr/lib/libold.so" "$O" &&
	      [ $(links "$O") = 5 ]'
check "the guests linked by util-vserver count as unified" \
	eval '! grep -q "linked .*/[ab]/vdir/usr/lib/libold.so" "$T/out"'
check "shared where the old list says nothing" \
	same_inode "$V/a/vdir/usr/bin/tool" "$V/b/vdir/usr/bin/tool"
check "+ before a broader rule includes (vhashify's list is replaced)" \
	same_inode "$V/a/vdir/etc/termcap" "$V/b/vdir/etc/termcap"
check "/etc/* excludes what is below /etc" \
	not_same "$V/a/vdir/etc/hosts" "$V/b/vdir/etc/hosts"
check "-/opt/*.so: * crosses /" \
	not_same "$V/a/vdir/opt/lib/deep/x.so" "$V/b/vdir/opt/lib/deep/x.so"
check "+/opt/keep.so first wins over -/opt/*.so" \
	same_inode "$V/a/vdir/opt/keep.so" "$V/b/vdir/opt/keep.so"
check "~ skips" not_same "$V/a/vdir/srv/skipme" "$V/b/vdir/srv/skipme"
check "an excluded directory prunes its subtree, later + or not" \
	not_same "$V/a/vdir/data/inner" "$V/b/vdir/data/inner"
check "' #odd' is no comment but a pattern, not absolute: said" \
	err_has "line 9: pattern ' #odd' is not an absolute path"
check "guest c's own list is the first readable one" \
	not_same "$V/a/vdir/usr/bin/tool" "$V/c/vdir/usr/bin/tool"
check "... and replaces the shared list (c's /etc/hosts is an object)" \
	sh -c "[ \$(stat -c %h '$V/c/vdir/etc/hosts') = 2 ]"
check "a guest not opted in is left alone" \
	sh -c "[ \$(stat -c %h '$V/d/vdir/usr/bin/tool') = 1 ]"

$MANIFEST "$V" | grep -v '^/[abcd]/vdir' >"$T/config.after"
check "the configuration tree is unchanged" \
	same_manifest "$T/config.before" "$T/config.after"
$MANIFEST "$H" >"$T/hash.after"
check "the old hash directory is unchanged" \
	same_manifest "$T/hash.before" "$T/hash.after"

run_vh -c "$C" --adopt-store "$V/.defaults/apps/vunify/hash" --remove-adopted
check "--remove-adopted removes the old names and the placeholder" \
	eval 'status_is 0 && out_has "old names removed: 1" &&
	      [ ! -e "$O" ] && [ -z "$(find "$H" -name "*-00000000")" ]'
check "... and the guests stay linked to the store object" \
	eval 'same_inode "$V/a/vdir/usr/lib/libold.so" "$obj" &&
	      same_inode "$V/c/vdir/usr/lib/libold.so" "$obj" &&
	      [ $(links "$obj") = 4 ]'

# util-vserver's command line
run_vh -c "$C" -n --insecure --sledgehammer a
check "--insecure and --sledgehammer are accepted, meaning nothing" \
	status_is 0
mkfile "$T/plain/keep" "a plain tree"
mkfile "$T/plain/x/y/z.so" "excluded by * across /"
printf '%s\n' '-/x/*' >"$T/plain.exclude"
run_vh -c "$C" --pkgmgr=none --manually \
	--destination "$V/.defaults/apps/vunify/hash" "$T/plain" \
	"$T/plain.exclude"
check "--manually --destination DIR PATH LIST runs" \
	eval 'status_is 0 && out_has "adopted: 0 objects"'
check "... with the old list's meaning" \
	eval '[ $(links "$T/plain/keep") = 2 ] &&
	      [ $(links "$T/plain/x/y/z.so") = 1 ]'
run_vh -c "$C" --manually "$T/plain" "$T/plain.exclude"
check "--manually without --destination is a usage error" status_is 2

done_testing

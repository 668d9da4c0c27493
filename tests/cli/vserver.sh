#!/bin/sh
# A util-vserver host taken over: its configuration tree (opt-in,
# exclude lists in the old format and places, pkgmgmt switches), its
# hash directory adopted without a byte copied, its immutable flags
# migrated; the old configuration is left as it was.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 17

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
find "$T" -exec touch -h -d @1700000000 {} +

run_vh -c "$C" -n --all
check "without pkgmgmt-ignore a backend is needed" \
	err_has "no backend found for guest '$V/a/vdir'"
touch -d @1700000000 "$V/.defaults/apps/vunify/pkgmgmt-ignore"
$MANIFEST "$V" | grep -v '^/[abcd]/vdir' >"$T/config.before"

run_vh -c "$C" d
check "a guest that has not opted in is refused" status_is 2
check "... and the message names the missing directory" \
	err_has "guest 'd' has not opted in to unification: '$V/d/apps/vunify'"

run_vh -c "$C" --list-guests
check "--list-guests lists the opted-in guests only" \
	sh -c "[ \"\$(cut -f1 '$T/out' | tr '\n' ' ')\" = 'a b c ' ]"

run_vh -c "$C" -v --all
check "--all hashifies the util-vserver guests" status_is 0
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

done_testing

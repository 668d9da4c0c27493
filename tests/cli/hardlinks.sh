#!/bin/sh
# A guest file with other names becomes or joins a store object only
# when every one of its names is a shareable file of the same guest:
# a hard link to a host file, to an excluded file, to a file in a pruned
# directory or in another guest is left alone, with its reason; guests
# made with cp -al change nothing; two shareable names in one guest end
# up on one object together.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 24

S=$T/store
C="shared bytes of a hard-linked file"
printf -- '- /usr/share/kept\n' >"$T/list"
vh() { run_vh --pkgmgr=none --exclude-from "$T/list" -j 1 -vv "$@"; }
ino() { stat -c %i "$1"; }
links() { stat -c %h "$1"; }
stamp() { find "$@" -exec touch -h -d @1700000000 {} +; }

# a guest file that is also a host file outside every guest
mkfile "$T/host/file" "$C"
mkfile "$T/g1/usr/a" ""
ln -f "$T/host/file" "$T/g1/usr/a"
mkfile "$T/g2/usr/a" "$C"
stamp "$T/host" "$T/g1" "$T/g2"
host_ino=$(ino "$T/host/file")
vh --store "$S" "$T/g1" "$T/g2"
check "a run over a hard link to a host file exits 0" status_is 0
check "the host file keeps its inode and names" \
	eval 'test "$(ino "$T/g1/usr/a")" = "$host_ino" &&
	      test "$(links "$T/host/file")" = 2'
check "no other guest is linked to the host file" \
	eval '! same_inode "$T/host/file" "$T/g2/usr/a"'
check "it is skipped as named outside" \
	out_has "skipped '$T/g1/usr/a': named outside"
check "the summary counts it" summary_is 1 "named outside"

# a hard link to an excluded file, to a file in a pruned directory
mkfile "$T/g3/usr/share/kept" "$C"
ln "$T/g3/usr/share/kept" "$T/g3/usr/b"
mkfile "$T/g3/etc/conf" "$C"
ln "$T/g3/etc/conf" "$T/g3/usr/c"
stamp "$T/g3"
kept_ino=$(ino "$T/g3/usr/share/kept")
conf_ino=$(ino "$T/g3/etc/conf")
vh --store "$S" "$T/g3"
check "a run over links to kept files exits 0" status_is 0
check "a link to an excluded file is left alone" \
	eval 'test "$(ino "$T/g3/usr/b")" = "$kept_ino" &&
	      test "$(links "$T/g3/usr/b")" = 2 &&
	      ! same_inode "$T/g3/usr/b" "$T/g2/usr/a"'
check "it is skipped as a link to a kept file" \
	out_has "skipped '$T/g3/usr/b': link to kept file"
check "a link to a file in a pruned directory is left alone" \
	eval 'test "$(ino "$T/g3/usr/c")" = "$conf_ino" &&
	      test "$(links "$T/g3/usr/c")" = 2'
check "it is skipped as named outside" \
	out_has "skipped '$T/g3/usr/c': named outside"

# one inode named in two guests
mkfile "$T/g4/usr/x" "$C"
mkdir -p "$T/g5/usr"
ln "$T/g4/usr/x" "$T/g5/usr/x"
stamp "$T/g4" "$T/g5"
x_ino=$(ino "$T/g4/usr/x")
vh --store "$S" "$T/g4" "$T/g5" "$T/g2"
check "an inode named in two guests is left alone" \
	eval 'test "$(ino "$T/g4/usr/x")" = "$x_ino" &&
	      test "$(ino "$T/g5/usr/x")" = "$x_ino" &&
	      test "$(links "$T/g4/usr/x")" = 2'
check "in each of them" \
	eval 'out_has "skipped '"'$T/g4/usr/x'"': named outside" &&
	      out_has "skipped '"'$T/g5/usr/x'"': named outside"'

# guests made with cp -al from a template: nothing changes
mkfile "$T/tmpl/usr/bin/tool" "$C" 0755
mkfile "$T/tmpl/usr/lib/lib.so" "$(seq 1 3000)"
mkfile "$T/tmpl/usr/share/doc" "some documentation"
stamp "$T/tmpl"
cp -al "$T/tmpl" "$T/c1"
cp -al "$T/tmpl" "$T/c2"
for g in tmpl c1 c2; do $MANIFEST -i "$T/$g" >"$T/$g.before"; done
vh --store "$T/s2" "$T/c1" "$T/c2"
check "a run over cp -al copies exits 0" status_is 0
check "it links nothing" summary_is 0 linked
check "it makes no object" \
	test -z "$(find "$T/s2/objects" -type f)"
vh --store "$T/s2" "$T/tmpl" "$T/c1" "$T/c2"
check "with the template as a guest too, it links nothing" \
	summary_is 0 linked
for g in tmpl c1 c2; do $MANIFEST -i "$T/$g" >"$T/$g.after"; done
check "no inode, name or byte changed" \
	eval 'same_manifest "$T/tmpl.before" "$T/tmpl.after" &&
	      same_manifest "$T/c1.before" "$T/c1.after" &&
	      same_manifest "$T/c2.before" "$T/c2.after"'

# the good case: two names in one guest, both shareable, the object
# new (h1 first) or there already (h2 second)
for g in h1 h2; do
	mkfile "$T/$g/usr/one" "$C"
	ln "$T/$g/usr/one" "$T/$g/usr/two"
done
mkfile "$T/h2/usr/three" "$C"
stamp "$T/h1" "$T/h2"
for g in h1 h2; do $MANIFEST "$T/$g" >"$T/$g.before"; done
freed=$(($(stat -c '%b * %B' "$T/h2/usr/one") +
	 $(stat -c '%b * %B' "$T/h2/usr/three")))
vh --store "$T/s3" "$T/h1" "$T/h2"
check "a run over links inside one guest exits 0" status_is 0
check "both names of a new object stay one inode, the object" \
	eval 'same_inode "$T/h1/usr/one" "$T/h1/usr/two" &&
	      test "$(links "$T/h1/usr/one")" = 6'
check "both names of a file joining an object are linked" \
	eval 'same_inode "$T/h2/usr/one" "$T/h1/usr/one" &&
	      same_inode "$T/h2/usr/two" "$T/h1/usr/one"'
check "another file with the content joins it" \
	same_inode "$T/h2/usr/three" "$T/h1/usr/one"
for g in h1 h2; do $MANIFEST "$T/$g" >"$T/$g.after"; done
check "every path keeps its bytes and metadata" \
	eval 'same_manifest "$T/h1.before" "$T/h1.after" &&
	      same_manifest "$T/h2.before" "$T/h2.after"'
check "the inodes of h2 let go are counted as saved" \
	eval 'test "$(sed -n "s/^ *bytes saved:.*(\([0-9]*\) bytes)/\1/p" \
		"$T/out")" = $freed'
vh --store "$T/s3" "$T/h1" "$T/h2"
check "a second run finds every name unified" summary_is 5 "already unified"
done_testing

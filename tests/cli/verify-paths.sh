#!/bin/sh
# A guest writes into a shared file (in place, as cp does): --verify
# names the path of every guest that links the object, by the guests
# given or those of the configuration, also as JSON with names that are
# not printable or not UTF-8; --detach-modified gives each guest its own
# copy of what it holds and removes the object from the store last, its
# --dry-run changes nothing, inode for inode.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v jq >/dev/null || skip_all "jq is needed"
plan 23

# whether the jq filter is true of the file (quietly)
jq_true() { jq -e "$@" >/dev/null; }

S=$T/store
M=$T/machines
odd=$(printf 'odd\001name\377')
for g in g1 g2 g3; do
	mkfile "$M/$g/usr/lib/x/libfoo.so" "the good library"
	mkfile "$M/$g/usr/bin/tool" "#!/bin/sh" 0755
done
# g1 holds a second name of it; g2 one with bytes that need escaping
ln "$M/g1/usr/lib/x/libfoo.so" "$M/g1/usr/lib/x/libfoo.so.1"
mkfile "$M/g2/usr/lib/$odd" "the good library"
mkfile "$M/g3/usr/lib/x/own" "only g3"
find "$T" -exec touch -h -d @1700000000 {} +
run_vh --pkgmgr=none --store "$S" "$M/g1" "$M/g2" "$M/g3"
check "hashify exits 0" status_is 0
# the configuration knows the guests by their names
mkdir -p "$T/conf"
cp "$VHASHIFY_SYSCONFDIR/exclude" "$VHASHIFY_SYSCONFDIR/detect.yaml" "$T/conf/"
printf 'guest-paths: ["%s/{name}"]\n' "$M" >"$T/conf/vhashify.yaml"

run_vh --store "$S" --verify "$M/g1" "$M/g2" "$M/g3"
check "--verify of a good store walks no guest" \
	eval 'status_is 0 && ! grep -q "guest paths" "$T/out"'

# g1 writes into the shared inode, as cp does
printf 'a changed library' >"$M/g1/usr/lib/x/libfoo.so"
obj=$(find "$S/objects" -samefile "$M/g1/usr/lib/x/libfoo.so")
name=${obj#"$S/objects/"}
run_vh --store "$S" --verify "$M/g1" "$M/g2" "$M/g3"
check "--verify finds the written object (status 1)" \
	eval 'status_is 1 && err_has "content does not match its name"'
for p in g1/usr/lib/x/libfoo.so g1/usr/lib/x/libfoo.so.1 \
	 g2/usr/lib/x/libfoo.so g3/usr/lib/x/libfoo.so; do
	check "--verify names $p" \
		out_has "'$M/$p' links corrupt object '$name'"
done
check "--verify names the odd name escaped" \
	out_has "'$M/g2/usr/lib/odd\\001name\\377' links corrupt object"
check "--verify says how many guest paths" \
	out_has "5 guest paths link corrupt objects (3 guests walked)"
check "--verify names no path of another object" \
	eval '! grep -q "/own\|/tool" "$T/out"'

# no guest given: the guests of the configuration
VHASHIFY_SYSCONFDIR=$T/conf run_vh --store "$S" --verify
check "--verify without guests walks the configured ones" \
	eval 'status_is 1 && out_has "5 guest paths link corrupt objects (3 guests walked)"'

VHASHIFY_SYSCONFDIR=$T/conf run_vh --store "$S" --verify --json
check "--verify --json exits 1" status_is 1
check "--verify --json lists the object and the five paths" \
	jq_true --arg o "$name" '.corrupt[0].object == $o and .corrupt[0].modified and .guest_path_count == 5 and ([.guest_paths[] | select(.object == $o)] | length) == 5' "$T/out"
check "--verify --json gives the bytes of a name that is not UTF-8" \
	jq_true '[.guest_paths[] | select(.path_hex == "2f7573722f6c69622f6f6464016e616d65ff")] | length == 1' "$T/out"

# --detach-modified --dry-run: nothing changes, inode for inode
# (also the directories: --dry-run gives no mtime back either)
{ $MANIFEST -i "$M"; $MANIFEST -i "$S"; } >"$T/before"
run_vh --store "$S" --verify --detach-modified --dry-run \
	"$M/g1" "$M/g2" "$M/g3"
check "--detach-modified --dry-run says what it would do" \
	eval 'status_is 1 && out_has "5 guest paths would get a private copy, 1 objects would be detached"'
{ $MANIFEST -i "$M"; $MANIFEST -i "$S"; } >"$T/dry"
check "--detach-modified --dry-run changes nothing, inode for inode" \
	same_manifest "$T/before" "$T/dry"

# --detach-modified: private copies of what each guest has now
$MANIFEST "$M" >"$T/m.before"
run_vh --store "$S" --verify --detach-modified "$M/g1" "$M/g2" "$M/g3"
check "--detach-modified exits 1: it found a corrupt object" status_is 1
check "--detach-modified removes the object from the store" test ! -e "$obj"
$MANIFEST "$M" >"$T/m.after"
check "every guest keeps the bytes and metadata it had" \
	same_manifest "$T/m.before" "$T/m.after"
check "g1 keeps its two names of one private copy" \
	eval 'same_inode "$M/g1/usr/lib/x/libfoo.so" "$M/g1/usr/lib/x/libfoo.so.1" && test "$(stat -c %h "$M/g1/usr/lib/x/libfoo.so")" = 2'
check "the guests share the written file no more" \
	eval '! same_inode "$M/g1/usr/lib/x/libfoo.so" "$M/g2/usr/lib/x/libfoo.so" && ! same_inode "$M/g2/usr/lib/x/libfoo.so" "$M/g3/usr/lib/x/libfoo.so" && test "$(stat -c %h "$M/g3/usr/lib/x/libfoo.so")" = 1'
run_vh --store "$S" --verify
check "the store verifies good afterwards" status_is 0

# --remove-corrupt on an object guests link says they keep sharing it
printf 'changed' >"$M/g2/usr/bin/tool"
run_vh --store "$S" --verify --remove-corrupt "$M/g1"
check "--remove-corrupt says the guests keep sharing the inode" \
	eval 'status_is 1 && out_has "3 guest names keep sharing its inode (--detach-modified gives each its own copy)"'
done_testing

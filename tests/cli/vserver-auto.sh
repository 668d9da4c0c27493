#!/bin/sh
# A util-vserver host, the rest: --adopt-store=auto finds each guest's
# hash directory as util-vserver does (the guest's, else .defaults');
# util-vserver's NAME;XXXXXX temporaries left in guests are removed only
# when they are links to an adopted object and NAME exists; the shipped
# default exclude list and apps/pkgmgmt/style are read.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 23

V=$T/vservers
C=$T/vhashify.yaml
cat >"$C" <<CONF
vservers: $V
stores: [$T/store]
CONF
ino() { stat -c %i "$1"; }
links() { stat -c %h "$1"; }
in_store() { [ -n "$(find "$T/store/objects" -type f -inum "$(ino "$1")")" ]; }

# guests a and c use .defaults' hash directory (H), b its own (H2)
for g in a b c; do
	mkfile "$V/$g/vdir/usr/bin/tool" "the same tool everywhere"
	mkdir -p "$V/$g/apps/vunify"
done
mkdir -p "$V/.defaults/apps/vunify/hash" "$V/b/apps/vunify/hash"
touch "$V/.defaults/apps/vunify/pkgmgmt-ignore"
printf '%s\n' '/etc/*' >"$V/.defaults/apps/vunify/exclude"
H=$T/hashfs
H2=$T/hashfs2
ln -s "$H" "$V/.defaults/apps/vunify/hash/00"
ln -s "$H2" "$V/b/apps/vunify/hash/00"
O=$H/ab/cd/ef0123456789abcdef0123456789abcdef01-00000000
O2=$H2/12/34/56789abcdef0123456789abcdef0123456-00000000
mkfile "$O" "an old unified library" 0644
mkfile "$O2" "b's own old object" 0644
A=$V/a/vdir
mkdir -p "$A/usr/lib" "$A/etc" "$V/b/vdir/usr/lib" "$V/c/vdir/usr/lib"
ln "$O" "$A/usr/lib/libold.so"
ln "$O2" "$V/b/vdir/usr/lib/libb.so"
# killed between link and unlink: a link to the object, NAME is there
ln "$O" "$A/usr/lib/libold.so;Ab12Cd"
# killed between rename and link: NAME is missing
ln "$O" "$A/usr/lib/gone.so;Zz9Yx8"
# the guest's own file so named, and names not of mkstemp's pattern
mkfile "$A/usr/lib/own.so;Qq1Ww2" "an old unified library"
ln "$O" "$A/usr/lib/libold.so;ab-cd1"
ln "$O" "$A/usr/lib/libold.so;Ab12C"
# excluded by the guest's list (/etc/*)
ln "$O" "$A/etc/libold.so"
ln "$O" "$A/etc/libold.so;Ab12Cd"

run_vh -c "$C" --adopt-store=auto
check "--adopt-store=auto without guests is a usage error" \
	eval 'status_is 2 && err_has "--adopt-store=auto takes guests"'

run_vh -c "$C" -n -v --adopt-store=auto --all
check "a dry run names each guest's hash directory, .defaults' once" \
	eval 'status_is 0 &&
	      out_has "hash directory '"'$V/.defaults/apps/vunify/hash'"' of guest '"'a'"'" &&
	      out_has "hash directory '"'$V/b/apps/vunify/hash'"' of guest '"'b'"'" &&
	      [ $(grep -c "^hash directory" "$T/out") = 2 ]'
check "... would adopt both objects" \
	eval '[ $(grep -c "would adopt: 1 objects" "$T/out") = 2 ]'
check "... would remove the provable leftover" \
	out_has "would remove util-vserver's leftover '$A/usr/lib/libold.so;Ab12Cd'"
check "... and changes nothing" \
	eval '[ ! -d "$T/store/objects" ] && [ -e "$A/usr/lib/libold.so;Ab12Cd" ]'

run_vh -c "$C" -v --adopt-store=auto --all
check "--adopt-store=auto --all adopts every guest's hash directory" \
	eval 'status_is 0 && in_store "$O" && in_store "$O2"'
check "a link to an adopted object named NAME;XXXXXX is removed" \
	eval '[ ! -e "$A/usr/lib/libold.so;Ab12Cd" ] &&
	      out_has "removed util-vserver'"'"'s leftover '"'$A/usr/lib/libold.so;Ab12Cd'"'"'
check "... NAME stays linked to the object" \
	same_inode "$A/usr/lib/libold.so" "$O"
check "one whose NAME is missing is left alone, said" \
	eval '[ -e "$A/usr/lib/gone.so;Zz9Yx8" ] &&
	      out_has "left alone '"'$A/usr/lib/gone.so;Zz9Yx8'"': named like a temporary of util-vserver, but the file it was renamed from is missing"'
check "the guest's own file so named is left alone, said" \
	eval '[ -e "$A/usr/lib/own.so;Qq1Ww2" ] &&
	      out_has "left alone '"'$A/usr/lib/own.so;Qq1Ww2'"': named like a temporary of util-vserver, but not a link to an object"'
check "names not of mkstemp's pattern are not touched" \
	eval '[ -e "$A/usr/lib/libold.so;ab-cd1" ] &&
	      [ -e "$A/usr/lib/libold.so;Ab12C" ] &&
	      ! grep -q "libold.so;Ab12C'"'"'\|;ab-cd1" "$T/out"'
check "an excluded path is not touched" \
	eval '[ -e "$A/etc/libold.so;Ab12Cd" ] &&
	      out_has "left alone '"'$A/etc/libold.so;Ab12Cd'"': named like a temporary of util-vserver, but excluded"'
check "the counts per guest" \
	out_has "guest 'a': util-vserver leftovers removed: 1, left alone: 3"

# --destination adopts, then removes leftovers before hashifying
ln "$O" "$V/c/vdir/usr/lib/libold.so"
ln "$O" "$V/c/vdir/usr/lib/libold.so;XyZ123"
run_vh -c "$C" -v --destination "$V/.defaults/apps/vunify/hash" c
check "--destination removes the leftovers of the guests it hashifies" \
	eval 'status_is 0 && [ ! -e "$V/c/vdir/usr/lib/libold.so;XyZ123" ]'
ln "$O" "$V/c/vdir/usr/lib/libold.so;XyZ124"
run_vh -c "$C" -v --adopt-store "$V/.defaults/apps/vunify/hash" c
check "--adopt-store DIR with guests removes theirs" \
	eval 'status_is 0 && [ ! -e "$V/c/vdir/usr/lib/libold.so;XyZ124" ]'

mkfile "$T/plain/usr/x" "a tree of no util-vserver guest"
run_vh -c "$C" --adopt-store=auto "$T/plain"
check "auto on a guest that is not util-vserver's is an error" \
	eval 'status_is 1 &&
	      err_has "cannot find the hash directory of guest '"'$T/plain'"': not a guest of util-vserver"'

mkdir -p "$V/d/vdir" "$V/d/apps/vunify"
mv "$V/.defaults/apps/vunify/hash" "$T/oldhash"
run_vh -c "$C" --adopt-store=auto d
check "a guest without a hash directory is said" \
	eval 'status_is 0 && out_has "guest '"'d'"' has no hash directory"'
mv "$T/oldhash" "$V/.defaults/apps/vunify/hash"

# util-vserver's shipped list when neither guest nor .defaults has one
W=$T/v2
C2=$T/v2.yaml
printf 'vservers: %s\nstores: [%s/store2]\n' "$W" "$T" >"$C2"
for g in e f; do
	mkfile "$W/$g/vdir/usr/bin/tool" "the same tool everywhere"
	mkfile "$W/$g/vdir/srv/data" "the same data everywhere"
	mkdir -p "$W/$g/apps/vunify"
done
mkdir -p "$W/.defaults/apps/vunify"
touch "$W/.defaults/apps/vunify/pkgmgmt-ignore"
find "$W" -exec touch -h -d @1700000000 {} +
printf '%s\n' '/srv' >"$T/vunify-exclude"
export VHASHIFY_VUNIFY_EXCLUDE="$T/vunify-exclude"
run_vh -c "$C2" -v e f
check "the shipped list is the fallback (VHASHIFY_VUNIFY_EXCLUDE)" \
	eval 'status_is 0 &&
	      out_has "exclude list '"'$T/vunify-exclude'"'" &&
	      ! same_inode "$W/e/vdir/srv/data" "$W/f/vdir/srv/data" &&
	      same_inode "$W/e/vdir/usr/bin/tool" "$W/f/vdir/usr/bin/tool"'
printf '%s\n' '/usr' >"$W/.defaults/apps/vunify/exclude"
run_vh -c "$C2" -v -n e
check "... but .defaults' list comes first" \
	out_has "exclude list '$W/.defaults/apps/vunify/exclude'"

unset VHASHIFY_VUNIFY_EXCLUDE

# apps/pkgmgmt/style names the backend
rm "$W/.defaults/apps/vunify/pkgmgmt-ignore"
for s in debian:dpkg ubuntu:dpkg redhat:rpm fedora:rpm centos:rpm \
	 suse:rpm mandriva:rpm arch:pacman; do
	mkdir -p "$W/e/apps/pkgmgmt"
	echo "${s%%:*}" >"$W/e/apps/pkgmgmt/style"
	run_vh -c "$C2" -v --detect e
	grep -q "backend from apps/pkgmgmt/style ${s%%:*}" "$T/out" &&
		grep -q "^$W/e/vdir: ${s#*:}" "$T/out" || break
	s=
done
check "apps/pkgmgmt/style: each style names its backend" \
	eval '[ -z "$s" ] || { diag "style ${s%%:*}"; cat "$T/out" "$T/err" >&2; false; }'
echo gentoo >"$W/e/apps/pkgmgmt/style"
run_vh -c "$C2" -v --detect e
check "an unknown style leaves it to the detection table, said" \
	out_has "guest 'e': style 'gentoo' names no backend: the detection table chooses"
touch "$W/e/apps/vunify/pkgmgmt-ignore"
run_vh -c "$C2" -v --detect e
check "pkgmgmt-ignore wins over the style" \
	out_has "backend from apps/vunify/pkgmgmt-ignore"
touch "$W/.defaults/apps/vunify/pkgmgmt-ignore" "$W/f/apps/vunify/pkgmgmt-force"
mkdir -p "$W/f/apps/pkgmgmt"; echo debian >"$W/f/apps/pkgmgmt/style"
run_vh -c "$C2" -v --detect f
check "pkgmgmt-force overrides .defaults' pkgmgmt-ignore" \
	out_has "backend from apps/pkgmgmt/style debian"

done_testing

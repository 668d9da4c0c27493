#!/bin/sh
# The trust between guests, each claim of vhashify(8) SECURITY: in
# hardlink mode a write in one guest reaches the others that link the
# file, and the next run reports the object (exit 1) and links nothing
# more to it; with --immutable the write fails; with reflink it stays
# private; guests of different trust groups never share an inode in
# hardlink mode, a change of group takes effect on the next run, and
# the default group's objects keep the names they always had.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "lsattr (e2fsprogs) is needed"
plan 32

M=$T/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

# guests GUEST...: each with the same library ($V) and an own file
V=1
guests() {
	for g in "$@"; do
		mkfile "$T/m/$g/usr/lib/libfoo.so" "library code, version $V"
		mkfile "$T/m/$g/usr/share/doc" "documentation $V"
		mkfile "$T/m/$g/usr/share/own" "own file of $g"
		find "$T/m/$g" -exec touch -h -d @1700000000 {} +
	done
}
# conf LINES: the configuration file, guests found in $T/m
conf() {
	printf 'guest-paths: ["%s/m/{name}"]\nstores: ["%s/s"]\n' "$T" "$T" \
		>"$T/c.yaml"
	[ $# = 0 ] || printf '%s\n' "$@" >>"$T/c.yaml"
}
lib() { echo "$T/m/$1/usr/lib/libfoo.so"; }
# one guest after the other: the first file met of an object reports it
vh() { run_vh -c "$T/c.yaml" --pkgmgr=none --jobs 1 "$@"; }

# --- the default group: object names as before groups existed --------
guests g1 g2
conf
vh g1 g2
# xxh3-128 of the content, XXH3-64 of the key (0644 root:root, mtime
# 1700000000): the name every earlier version gave this file
check "the default group's objects have the names they always had" \
	eval 'status_is 0 &&
	      same_inode "$(lib g1)" "$T/s/objects/06/980716163cbb84f46ce2745c122b32-f27fbcb4365863a6" 2>/dev/null ||
	      { diag "$(cd "$T/s/objects" && ls -- */*)"; false; }'

# --- hardlink mode: a write reaches every guest linked ----------------
printf 'evil\n' >>"$(lib g1)"	# cp and >> write into the inode
check "hardlink: a write in one guest changes the other guest's file" \
	grep -q evil "$(lib g2)"
guests g3	# a new guest with the original library
vh g1 g2 g3
check "the next run exits 1" status_is 1
check "it names the object and how many guest links share it" \
	eval 'err_has "changed after it was stored: its metadata no longer matches its name (guest links: 2, one is" &&
	      err_has "$T/s/objects/"'
check "it says so once per object and run" \
	test "$(grep -c "changed after it was stored" "$T/err")" = 1
check "and links nothing more to it" \
	eval '! same_inode "$(lib g3)" "$(lib g1)" && grep -q "version 1" "$(lib g3)" &&
	      ! grep -q evil "$(lib g3)"'
check "the other guest's link to it is counted as a written object" \
	summary_is 1 "written object"
vh g1 g2 g3
check "every later run says it again" \
	eval 'status_is 1 && err_has "changed after it was stored"'
run_vh -c "$T/c.yaml" --pkgmgr=none --jobs 1 --json g1 g2 g3
check "--json lists it as a failure of the guest file met" \
	eval 'status_is 1 && jq -e "[.guests[].failures[].error |
	      select(test(\"changed after it was stored\"))] | length == 1" "$T/out" >/dev/null'

# a chmod, a chown, a setxattr change the key too
V=2 guests h1 h2
vh h1 h2
chmod 0755 "$T/m/h1/usr/share/doc"
vh h1 h2
check "a chmod of a shared file is noticed" \
	eval 'status_is 1 && err_has "one is '"'$T/m/h"'"'
V=3 guests h3 h4
vh h3 h4
setfattr -n user.x -v 1 "$T/m/h3/usr/share/doc"
vh h3 h4
check "a setxattr of a shared file is noticed" status_is 1
V=4 guests h5 h6
vh h5 h6
chown 1:1 "$T/m/h5/usr/share/doc"
touch -h -d @1700000000 "$T/m/h5/usr/share/doc"
vh h5 h6
check "a chown of a shared file is noticed" status_is 1
V=5 guests h7 h8
vh h7 h8
truncate -s 3 "$(lib h7)"
touch -d @1700000000 "$(lib h7)"	# the old mtime put back
V=5 guests h9
vh h9
check "a candidate that meets an object of another size is not linked to it" \
	eval 'status_is 1 && err_has "its size no longer matches its name" &&
	      ! same_inode "$(lib h9)" "$(lib h7)"'

# a writer who puts the old mtime back, keeping the size
V=6 guests w1 w2
vh w1 w2
printf 'library code, versi0n 6' >"$(lib w1)"
touch -d @1700000000 "$(lib w1)"
vh w1 w2
check "a write that puts the old mtime back goes unnoticed by a run" \
	eval 'status_is 0 && grep -q versi0n "$(lib w2)"'
run_vh --store "$T/s" --verify
check "but --verify catches it" \
	eval 'status_is 1 && err_has "corrupt object" &&
	      err_has "content does not match its name"'

# objects stored with --ignore-mtime: the mtime is not in their key
V=7 guests n1 n2
vh --ignore-mtime n1 n2
printf 'library code, version 7 and more' >"$(lib n1)"
vh --ignore-mtime n1 n2
check "a write to an object stored with --ignore-mtime goes unnoticed by a run" \
	eval 'status_is 0 && grep -q "and more" "$(lib n2)"'

# --- trust groups ------------------------------------------------------
rm -rf "$T/m" "$T/s"
guests a1 a2 b1 d1
conf 'guests:' '  a1: {group: tenant-a}' '  a2: {group: tenant-a}' \
	'  b1: {group: tenant-b}'
vh a1 a2 b1 d1
check "guests of different groups never share an inode" \
	eval 'status_is 0 && ! same_inode "$(lib a1)" "$(lib b1)" &&
	      ! same_inode "$(lib a1)" "$(lib d1)" &&
	      ! same_inode "$(lib b1)" "$(lib d1)"'
check "guests of one group do" same_inode "$(lib a1)" "$(lib a2)"
check "a group's objects carry its name" \
	eval 'ls "$T"/s/objects/*/*@tenant-a >/dev/null &&
	      ls "$T"/s/objects/*/*@tenant-b >/dev/null'
check "the run report shows each group" \
	eval 'out_has "(hardlink, group '"'tenant-a'"')" &&
	      out_has "'"'tenant-a'"': 2 guests, 6 linked"'
run_vh -c "$T/c.yaml" --pkgmgr=none --stats a1 a2 b1 d1
check "--stats shows sharing per group" \
	eval 'status_is 0 && out_has "group '"'tenant-a'"': 4 objects, 6 guest links" &&
	      out_has "group '"'default'"': 3 objects, 3 guest links"'
vh a1 a2 b1 d1
check "a second run finds every guest unified in its group" \
	eval 'status_is 0 && summary_is 12 "already unified"'
if command -v strace >/dev/null; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=openat -o "$T/trace" vhashify -c "$T/c.yaml" \
		--pkgmgr=none a1 a2 b1 d1 >/dev/null 2>&1
	n=$(grep -cE '"[0-9a-f]{30,}-[0-9a-f]{16}' "$T/trace")
	check "a re-run opens each of the 10 objects once, for its metadata" \
		eval '[ "$n" = 10 ] && ! grep O_NOATIME "$T/trace" ||
		      { diag "$n opens"; false; }'
else
	skip "a re-run opens each object once, for its metadata" \
		"strace not installed"
fi

# a guest moves to another group: on the next run, each file in turn
$MANIFEST "$T/m/b1" >"$T/b1.before"
conf 'guests:' '  a1: {group: tenant-a}' '  a2: {group: tenant-a}' \
	'  b1: {group: tenant-a}'
vh a1 a2 b1 d1
$MANIFEST "$T/m/b1" >"$T/b1.after"
check "a change of group takes effect on the next run" \
	eval 'status_is 0 && same_inode "$(lib b1)" "$(lib a1)" &&
	      [ "$(stat -c %h "$T/s/objects/"*/*@tenant-b | sort -u)" = 1 ]'
check "the moved guest's files keep their bytes and metadata" \
	same_manifest "$T/b1.before" "$T/b1.after"
conf
vh a1 a2 b1 d1
check "back to the default group: linked to the default objects" \
	eval 'status_is 0 && same_inode "$(lib a1)" "$(lib d1)" &&
	      same_inode "$(lib b1)" "$(lib d1)"'

run_vh --store "$T/s" --verify
check "--verify takes the objects of groups" \
	eval 'status_is 0 && out_has " 0 corrupt"'
run_vh --store "$T/s" --gc
check "--gc removes the objects no guest links, of any group" \
	eval 'status_is 0 && ! ls "$T"/s/objects/*/*@tenant-b 2>/dev/null'

printf 'guests:\n  a1:\n    group: Tenant/A\n' >"$T/bad.yaml"
run_vh -c "$T/bad.yaml" --pkgmgr=none "$T/m/a1"
check "a bad group name is an error naming file and line" \
	eval 'status_is 2 && err_has "'"'$T/bad.yaml'"' line 3: '"'group'"' must be"'

# --- --immutable: the write fails; groups may share --------------------
rm -rf "$T/m" "$T/s"
guests i1 i2
conf 'guests:' '  i1: {group: tenant-a}' '  i2: {group: tenant-b}'
vh --immutable i1 i2
if grep -q "cannot set the immutable flag" "$T/err"; then
	skip "--immutable: a write in one guest fails" "$(cat "$T/err")"
	skip "--immutable: guests of different groups share" "no flag here"
else
	check "--immutable: a write in one guest fails" \
		eval '! sh -c "echo evil >>\"$(lib i1)\"" 2>/dev/null &&
		      ! grep -q evil "$(lib i2)"'
	check "--immutable: guests of different groups share" \
		same_inode "$(lib i1)" "$(lib i2)"
fi

# --- reflink: the write stays private ----------------------------------
truncate -s 400M "$T/xfs.img"
if ! command -v mkfs.xfs >/dev/null ||
   ! mkfs.xfs -q -f -m reflink=1 "$T/xfs.img" >/dev/null 2>&1 ||
   ! mount -o loop "$T/xfs.img" "$M" 2>/dev/null; then
	skip "reflink: a write in one guest stays private" \
		"cannot make and loop-mount XFS here"
else
	for g in r1 r2; do
		mkdir -p "$M/$g/usr/lib"
		head -c 100000 /dev/zero | tr '\0' 'x' >"$M/$g/usr/lib/libfoo.so"
	done
	run_vh --pkgmgr=none --method=reflink --store "$M/s" "$M/r1" "$M/r2"
	printf 'evil' | dd of="$M/r1/usr/lib/libfoo.so" bs=1 seek=10 \
		conv=notrunc status=none
	check "reflink: a write in one guest stays private" \
		eval 'status_is 0 && ! grep -q evil "$M/r2/usr/lib/libfoo.so" &&
		      grep -q evil "$M/r1/usr/lib/libfoo.so"'
	umount "$M"
fi
done_testing

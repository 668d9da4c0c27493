#!/bin/sh
# Symlinks, FIFOs, devices and small files are left alone; odd names
# are handled; guest symlinks never lead vhashify to host files.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 14

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

# deeper than the soft limit of descriptors: vhashify takes the hard one
deep=usr/share
for i in $(seq 1 1200); do deep=$deep/d; done
for g in g3 g4; do mkfile "$T/$g/$deep/f" "at the bottom"; done
touch -d @1700000000 "$T/g3/$deep/f" "$T/g4/$deep/f"
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -gt 1400 ]; then
	( ulimit -Sn 256 && exec vhashify --pkgmgr=none --store "$S" \
		"$T/g3" "$T/g4" ) >"$T/deep.out" 2>&1
	check "a tree deeper than the soft descriptor limit is walked" \
		same_inode "$T/g3/$deep/f" "$T/g4/$deep/f"
else
	skip "a tree deeper than the soft descriptor limit is walked" \
		"the hard descriptor limit is $(ulimit -Hn)"
fi

# 20,000 levels: more than the descriptors, deeper than a recursion's
# stack would go; each level costs the same. On a tmpfs: removing such
# a chain from a disk filesystem takes minutes.
D=$T/tmpfs
mkdir -p "$D"
trap 'umount "$D" 2>/dev/null; rm -rf "$T"' EXIT
if mount -t tmpfs -o size=256m tmpfs "$D"; then
	for g in g5 g6; do
		mkdir -p "$D/$g/usr"
		perl -e 'chdir $ARGV[0] or die; for (1 .. 20000) {
			mkdir "d" or die; chdir "d" or die }
			open(my $f, ">", "f") or die; print $f "at the bottom";
			close $f; utime 1700000000, 1700000000, "f"' "$D/$g/usr"
	done
	( ulimit -Sn 1024 && exec vhashify --pkgmgr=none --store "$D/s" \
		"$D/g5" "$D/g6" ) >"$T/out" 2>"$T/err"
	vh_status=$?
	check "a chain 20,000 directories deep is walked to its end" \
		eval 'status_is 0 && summary_is 2 linked && summary_is 0 failed'
else
	skip "a chain 20,000 directories deep is walked to its end" \
		"cannot mount a tmpfs here"
fi
done_testing

#!/bin/bash
# Hostile and running guests: while vhashify works, a loop swaps a guest
# directory for symlinks to host directories and back; guest symlinks
# point at host files, absolute and through "..", and the package
# database is a symlink to a host file. Host sentinel files stay
# untouched and unread. Two runs started on one store at once end with
# a correct store and correct guests.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 11

H=$T/host
mkfile "$H/secret/sentinel" "host secret, never to be read or linked"
mkfile "$H/db" "Package: evil\nConffiles:\n /etc/x 0\n"
for g in g1 g2; do
	for i in $(seq 1 30); do
		mkfile "$T/$g/usr/share/d$i/f" "file $i"
	done
	mkfile "$T/$g/usr/share/sentinel" "host secret, never to be read or linked"
	ln -s "$H/secret" "$T/$g/usr/abs"
	ln -s "../../../../../../../..$H/secret" "$T/$g/usr/dotdot"
	mkdir -p "$T/$g/var/lib/dpkg"
	ln -s "$H/db" "$T/$g/var/lib/dpkg/status"
done
find "$T" -exec touch -h -d @1700000000 {} +
# atime in the past, so that any read of the sentinel would show
touch -a -d @1600000000 "$H/secret/sentinel" "$H/db"
stat -c '%i %X %Y %s' "$H/secret/sentinel" "$H/db" >"$T/sentinel.before"
$MANIFEST -i "$H" >"$T/host.before"

# the swapper: a directory of g2 becomes a symlink to a host directory
# and back, again and again
( while [ ! -e "$T/stop" ]; do
	mv "$T/g2/usr/share/d7" "$T/g2/usr/share/d7.away" 2>/dev/null
	ln -sfn "$H/secret" "$T/g2/usr/share/d7" 2>/dev/null
	rm -f "$T/g2/usr/share/d7" 2>/dev/null
	mv "$T/g2/usr/share/d7.away" "$T/g2/usr/share/d7" 2>/dev/null
  done ) &
swapper=$!
for i in $(seq 1 30); do
	vhashify --pkgmgr=none --store "$T/s" --refresh "$T/g1" "$T/g2" \
		>"$T/out.$i" 2>&1
	[ $? -le 1 ] || { diag "$(cat "$T/out.$i")"; }
done
touch "$T/stop"
wait "$swapper"

# the package database is a symlink to a host file: not followed there
run_vh --pkgmgr=dpkg --store "$T/s" "$T/g1"
check "a database symlinked to a host file is not read from the host" \
	eval 'status_is 1 && err_has "cannot open '"'"'/var/lib/dpkg/status'"'"'"'
stat -c '%i %X %Y %s' "$H/secret/sentinel" "$H/db" >"$T/sentinel.after"
check "host sentinels are not read (atime, inode, size)" \
	same_manifest "$T/sentinel.before" "$T/sentinel.after"
$MANIFEST -i "$H" >"$T/host.after"
check "host files are untouched, none linked" \
	same_manifest "$T/host.before" "$T/host.after"
check "the guest copy of the secret was shared among guests only" \
	same_inode "$T/g1/usr/share/sentinel" "$T/g2/usr/share/sentinel"
check "the guests' symlinks are still symlinks" \
	eval '[ -L "$T/g1/usr/abs" ] && [ -L "$T/g1/usr/dotdot" ] && [ -L "$T/g1/var/lib/dpkg/status" ]'
run_vh --store "$T/s" --verify
check "the store verifies good after the fight" status_is 0

# huge and malformed package databases: refused or parsed, no crash
mkdir -p "$T/huge/var/lib/dpkg" "$T/junk/var/lib/dpkg"
truncate -s 600M "$T/huge/var/lib/dpkg/status"
head -c 100000 /dev/urandom >"$T/junk/var/lib/dpkg/status"
mkfile "$T/huge/usr/a" "x"
mkfile "$T/junk/usr/a" "x"
run_vh --pkgmgr=dpkg --store "$T/s" "$T/huge"
check "a huge database is refused with a reason" \
	eval 'status_is 1 && err_has "larger than"'
run_vh --pkgmgr=dpkg --store "$T/s" "$T/junk"
check "a database of random bytes does not crash vhashify" \
	test "$vh_status" -le 1

# two runs at once on one store: the lock makes them take turns
for g in c1 c2 c3; do
	for i in $(seq 1 50); do mkfile "$T/$g/usr/f$i" "concurrent $i"; done
done
find "$T"/c? -exec touch -h -d @1700000000 {} +
$MANIFEST "$T/c1" >"$T/c1.before"
vhashify --pkgmgr=none --store "$T/s" "$T/c1" "$T/c2" >"$T/p1" 2>&1 & p1=$!
vhashify --pkgmgr=none --store "$T/s" "$T/c2" "$T/c3" >"$T/p2" 2>&1 & p2=$!
s1=0 s2=0
wait $p1 || s1=$?
wait $p2 || s2=$?
check "two runs at once both end well" test "$s1$s2" = 00
check "their guests end up shared" \
	eval 'same_inode "$T/c1/usr/f9" "$T/c3/usr/f9" && [ "$(stat -c %h "$T/c1/usr/f9")" = 4 ]'
$MANIFEST "$T/c1" >"$T/c1.after"
run_vh --store "$T/s" --verify
check "bytes kept and the store verifies good" \
	eval 'same_manifest "$T/c1.before" "$T/c1.after" && status_is 0'
done_testing

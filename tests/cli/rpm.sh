#!/bin/sh
# The rpm backend on databases made by the real rpm: %config,
# %config(noreplace), %ghost %config, spaces in paths, a package without
# files, the /usr/lib/sysimage/rpm location behind an absolute symlink,
# and an old Berkeley DB database (Debian's rpm writes only sqlite: the
# headers it wrote are loaded into a BDB hash file by db5.3_load, as
# rpm's own Packages file held them); the database is never changed,
# not even by librpm. The private copy keeps a sparse database's holes
# and is bounded.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
trap 'umount "$T/tmp" 2>/dev/null; rm -rf "$T"' EXIT
command -v rpmbuild >/dev/null && command -v rpm >/dev/null ||
	skip_all "rpm and rpmbuild are needed"
[ -f "$VHASHIFY_PLUGIN_DIR/rpm.so" ] || skip_all "the rpm backend was not built"
plan 20

# a package with configuration files of every kind, and one without files
{ rpm_spec ralpha 1; cat <<'SPEC'; } >"$T/ralpha.spec"
%install
mkdir -p %{buildroot}/usr/share/ralpha
echo one > "%{buildroot}/usr/share/ralpha/with space.conf"
echo two > %{buildroot}/usr/share/ralpha/noreplace.conf
echo data > %{buildroot}/usr/share/ralpha/data
%files
%config "/usr/share/ralpha/with space.conf"
%config(noreplace) /usr/share/ralpha/noreplace.conf
%ghost %config /usr/share/ralpha/ghost.conf
/usr/share/ralpha/data
SPEC
cat >"$T/rempty.spec" <<'SPEC'
Name: rempty
Version: 1
Release: 1
Summary: a package without files
License: none
BuildArch: noarch
%description
no files
%files
SPEC
for s in ralpha rempty; do
	rpmbuild -bb --define "_topdir $T/rpmbuild" "$T/$s.spec" \
		>>"$T/build.log" 2>&1 ||
		{ diag "$(tail -n 20 "$T/build.log")"; skip_all "rpmbuild failed"; }
done
RPMS=$(find "$T/rpmbuild/RPMS" -name '*.rpm')

# mkguest NAME DBPATH: a guest with both packages in DBPATH
mkguest() {
	R=$T/$1
	mkdir -p "$R"
	{ rpm --root "$R" --dbpath "$2" --initdb &&
	  rpm --root "$R" --dbpath "$2" -i --nodeps --noscripts $RPMS; } \
		>>"$T/rpm.log" 2>&1 ||
		{ diag "$(cat "$T/rpm.log")"; skip_all "rpm could not set up a guest"; }
	# a file rpm knows as %ghost %config, made alike in both guests
	echo ghost >"$R/usr/share/ralpha/ghost.conf"
	touch -d @1700000000 "$R/usr/share/ralpha/ghost.conf"
	find "$R/var" "$R/usr/lib" -type f -exec md5sum {} + 2>/dev/null |
		sed "s|$R||" | sort >"$T/$1.db"
}
mkguest g1 /var/lib/rpm
mkguest g2 /var/lib/rpm
mkguest s1 /usr/lib/sysimage/rpm
mkguest s2 /usr/lib/sysimage/rpm
for g in s1 s2; do	# the Fedora layout, with an absolute symlink
	mkdir -p "$T/$g/var/lib"
	ln -s /usr/lib/sysimage/rpm "$T/$g/var/lib/rpm"
done
# b1, b2: g1 with its database as Berkeley DB, keys the header numbers
# (native 32-bit), record 0 the next number, as rpm 4.0-4.15 wrote it
bdb=no
if command -v db5.3_load >/dev/null && command -v sqlite3 >/dev/null; then
	bdb=yes
	for g in b1 b2; do
		cp -a "$T/g1" "$T/$g"	# (sqlite3 on the copy: it tidies)
		sqlite3 "$T/$g/var/lib/rpm/rpmdb.sqlite" \
			"select hnum, lower(hex(blob)) from Packages" |
		while IFS='|' read -r n hex; do
			printf '\\%02x\\%02x\\%02x\\%02x\n' $((n & 255)) \
				$((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255))
			echo "$hex" | sed 's/../\\&/g'
		done >"$T/dump"
		printf '\\00\\00\\00\\00\n\\03\\00\\00\\00\n' >>"$T/dump"
		rm -f "$T/$g/var/lib/rpm/"*
		db5.3_load -T -t hash -f "$T/dump" "$T/$g/var/lib/rpm/Packages" ||
			bdb=no
		md5sum "$T/$g/var/lib/rpm/Packages" | sed "s|$T/$g||" >"$T/$g.db"
	done
fi

run_vh --detect "$T/g1" "$T/s1"
check "--detect picks rpm for both locations" \
	eval 'out_has "$T/g1: rpm (" && out_has "$T/s1: rpm ("'
run_vh --store "$T/s" "$T/g1" "$T/g2" "$T/s1" "$T/s2"
check "run exits 0" status_is 0
A=usr/share/ralpha
for p in g s; do
	check "%config with a space is not linked ($p)" \
		eval '! same_inode "$T/${p}1/$A/with space.conf" "$T/${p}2/$A/with space.conf"'
	check "%config(noreplace) is not linked ($p)" \
		eval '! same_inode "$T/${p}1/$A/noreplace.conf" "$T/${p}2/$A/noreplace.conf"'
	check "%ghost %config is not linked ($p)" \
		eval '! same_inode "$T/${p}1/$A/ghost.conf" "$T/${p}2/$A/ghost.conf"'
	check "other package files are linked ($p)" \
		same_inode "$T/${p}1/$A/data" "$T/${p}2/$A/data"
done
if [ $bdb = yes ]; then
	run_vh --store "$T/s" "$T/b1" "$T/b2"
	check "a Berkeley DB database is read (status 0)" status_is 0
	check "its %config files are not linked" \
		eval '! same_inode "$T/b1/$A/noreplace.conf" "$T/b2/$A/noreplace.conf"'
	check "its other files are linked" same_inode "$T/b1/$A/data" "$T/b2/$A/data"
	ok=yes
	for g in b1 b2; do
		md5sum "$T/$g/var/lib/rpm/Packages" | sed "s|$T/$g||" >"$T/$g.db.after"
		same_manifest "$T/$g.db" "$T/$g.db.after" || ok=no
	done
	check "the Berkeley DB database is byte-identical after the run" test $ok = yes
else
	for what in "read" "config" "linked" "unchanged"; do
		skip "Berkeley DB database: $what" "db5.3_load or sqlite3 missing"
	done
fi
ok=yes
for g in g1 g2 s1 s2; do
	find "$T/$g/var" "$T/$g/usr/lib" -type f -exec md5sum {} + 2>/dev/null |
		sed "s|$T/$g||" | sort >"$T/$g.db.after"
	same_manifest "$T/$g.db" "$T/$g.db.after" || ok=no
done
check "the rpm databases are byte-identical after the run" test $ok = yes

# an ndb database (openSUSE) cannot be read by Debian's librpm: say so
mkdir -p "$T/n1/usr/lib/sysimage/rpm"
printf 'RpmP' >"$T/n1/usr/lib/sysimage/rpm/Packages.db"
run_vh --store "$T/s" --pkgmgr=rpm "$T/n1"
check "an unreadable database fails the guest with a clear reason" \
	eval 'status_is 1 && err_has "rpm: cannot read the ndb database in '"'"'/usr/lib/sysimage/rpm'"'"'"'

# a sparse database of 100 GiB, copied into a TMPDIR of 16 MiB: the
# copy keeps the hole (a dense one would not fit)
for g in h1 h2; do
	cp -a "$T/g1" "$T/$g"
	truncate -s 100G "$T/$g/var/lib/rpm/rpmdb.sqlite"
done
mkdir "$T/tmp"
if mount -t tmpfs -o size=16m tmpfs "$T/tmp"; then
	TMPDIR=$T/tmp run_vh --store "$T/s" "$T/h1" "$T/h2"
	check "a sparse 100 GiB database is read through a 16 MiB TMPDIR" \
		status_is 0
	check "its %config files are not linked" \
		eval '! same_inode "$T/h1/$A/noreplace.conf" "$T/h2/$A/noreplace.conf"'
	umount "$T/tmp"
else
	skip "a sparse database in a small TMPDIR" "cannot mount a tmpfs"
	skip "its %config files are not linked" "cannot mount a tmpfs"
fi

# a database with more data than the bound is refused, by its path
cp -a "$T/g1" "$T/m1"
VHASHIFY_RPMDB_MAX=4K run_vh --store "$T/s" "$T/m1"
check "a database over VHASHIFY_RPMDB_MAX leaves the guest alone" \
	status_is 1
check "the refusal names the file and the bound" \
	err_has "rpm: cannot copy '/var/lib/rpm/rpmdb.sqlite': the database holds more than 4096 bytes"
done_testing

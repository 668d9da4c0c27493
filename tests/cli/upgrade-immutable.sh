#!/bin/sh
# Living with --immutable: a package upgrade in a guest fails on an
# immutable shared file, with the error the real dpkg and rpm print
# (shown as diagnostics); after --restore GUEST it succeeds, and
# hashifying again shares what is equal again.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "lsattr (e2fsprogs) is needed"
plan 13
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

S=$T/store
immutable() { lsattr "$1" 2>/dev/null | cut -c1-20 | grep -q i; }

# dpkg: two guests with libx 1, hashified immutable, then libx 2
have_dpkg=no
if command -v dpkg-deb >/dev/null && command -v dpkg >/dev/null; then
	have_dpkg=yes
fi
# mkdeb VERSION: $T/libx_VERSION.deb, a library that changes and a
# README that does not
mkdeb() {
	d=$T/build/libx-$1
	mkdir -p "$d/DEBIAN" "$d/usr/lib/libx" "$d/usr/share/doc/libx"
	printf 'Package: libx\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test package\n' \
		"$1" >"$d/DEBIAN/control"
	printf 'dpkg library, version %s\n' "$1" >"$d/usr/lib/libx/libx.so"
	echo "the same in every version" >"$d/usr/share/doc/libx/README"
	find "$d" -exec touch -h -d @1700000000 {} +
	dpkg-deb --root-owner-group --build "$d" "$T/libx_$1.deb" >/dev/null
}
dpkgr() {
	dpkg --root="$1" --force-script-chrootless --force-unsafe-io \
		-i "$2" >"$T/dpkg.out" 2>&1
}
if [ $have_dpkg = yes ]; then
	mkdeb 1 && mkdeb 2 || have_dpkg=no
	for g in d1 d2; do
		mkdir -p "$T/$g/var/lib/dpkg/info" "$T/$g/var/lib/dpkg/updates"
		touch "$T/$g/var/lib/dpkg/status" "$T/$g/var/lib/dpkg/available"
		dpkgr "$T/$g" "$T/libx_1.deb" || have_dpkg=no
	done
fi

# rpm: the same with rlibx 1 and 2
have_rpm=no
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null &&
   [ -f "$VHASHIFY_PLUGIN_DIR/rpm.so" ]; then
	have_rpm=yes
fi
for v in 1 2; do
	[ $have_rpm = yes ] || break
	{ rpm_spec rlibx "$v"; cat <<SPEC; } >"$T/rlibx-$v.spec"
%install
mkdir -p %{buildroot}/usr/lib/rlibx %{buildroot}/usr/share/doc/rlibx
echo "rpm library, version $v" >%{buildroot}/usr/lib/rlibx/librlibx.so
echo "the same in every version" >%{buildroot}/usr/share/doc/rlibx/README
touch -d @1700000000 %{buildroot}/usr/lib/rlibx/librlibx.so %{buildroot}/usr/share/doc/rlibx/README
%files
/usr/lib/rlibx/librlibx.so
/usr/share/doc/rlibx/README
SPEC
	rpmbuild -bb --define "_topdir $T/rpmbuild" "$T/rlibx-$v.spec" \
		>>"$T/build.log" 2>&1 || have_rpm=no
done
rpmr() {
	rpm --root "$1" --dbpath /var/lib/rpm "$2" --nodeps --noscripts \
		"$T/rpmbuild/RPMS/noarch/rlibx-$3-1.noarch.rpm" >"$T/rpm.out" 2>&1
}
for g in r1 r2; do
	[ $have_rpm = yes ] || break
	mkdir -p "$T/$g"
	rpm --root "$T/$g" --dbpath /var/lib/rpm --initdb >>"$T/build.log" 2>&1 &&
	rpmr "$T/$g" -i 1 || have_rpm=no
done

guests=
[ $have_dpkg = no ] || guests="$T/d1 $T/d2"
[ $have_rpm = no ] || guests="$guests $T/r1 $T/r2"
[ -n "$guests" ] || skip_all "neither dpkg nor rpm can make guests here"
# shellcheck disable=SC2086
run_vh --immutable --store "$S" $guests
if grep -q "cannot set the immutable flag" "$T/err"; then
	skip_all "$(cat "$T/err")"
fi
check "hashify --immutable exits 0" status_is 0

if [ $have_dpkg = yes ]; then
	L=usr/lib/libx/libx.so
	check "dpkg: the library is shared and immutable" \
		eval 'same_inode "$T/d1/$L" "$T/d2/$L" && immutable "$T/d1/$L"'
	st=0
	dpkgr "$T/d1" "$T/libx_2.deb" || st=$?
	check "dpkg: the upgrade fails on the immutable shared file" \
		eval '[ $st != 0 ] && grep -q "version 1" "$T/d1/$L" && dpkg --root="$T/d1" -s libx 2>/dev/null | grep -q "^Version: 1"'
	diag "dpkg --root prints:" "$(cat "$T/dpkg.out")"
	check "dpkg: it says why" grep -qF "unable to make backup link of './$L' before installing new version: Operation not permitted" "$T/dpkg.out"
	run_vh --store "$S" --restore "$T/d1"
	st=0
	dpkgr "$T/d1" "$T/libx_2.deb" || st=$?
	check "dpkg: after --restore the upgrade succeeds" \
		eval 'status_is 0 && [ $st = 0 ] && grep -q "version 2" "$T/d1/$L" && grep -q "version 1" "$T/d2/$L"'
	run_vh --immutable --store "$S" "$T/d1" "$T/d2"
	check "dpkg: hashified again, what is equal is shared again" \
		eval 'status_is 0 && same_inode "$T/d1/usr/share/doc/libx/README" "$T/d2/usr/share/doc/libx/README" && immutable "$T/d1/$L" && test "$(stat -c %h "$T/d1/$L")" = 2'
	check "dpkg: the guest's database says libx 2" \
		eval 'dpkg --root="$T/d1" -s libx 2>/dev/null | grep -q "^Version: 2"'
else
	for i in 1 2 3 4 5 6; do skip "dpkg step $i" "no dpkg here"; done
fi

if [ $have_rpm = yes ]; then
	L=usr/lib/rlibx/librlibx.so
	check "rpm: the library is shared and immutable" \
		eval 'same_inode "$T/r1/$L" "$T/r2/$L" && immutable "$T/r1/$L"'
	rpmr "$T/r1" -U 2
	check "rpm: the upgrade fails on the immutable shared file" \
		eval 'grep -q "version 1" "$T/r1/$L" && ! grep -q "^rlibx-2" <<EOF
$(rpm --root "$T/r1" --dbpath /var/lib/rpm -q rlibx 2>/dev/null)
EOF'
	diag "rpm --root prints:" "$(grep -v "Alien\|assuming you know" "$T/rpm.out")"
	check "rpm: it says why" \
		eval 'grep -q "^error: unpacking of archive failed on file /$L;[0-9a-f]*: cpio: rename failed - Operation not permitted" "$T/rpm.out" && grep -qF "error: rlibx-2-1.noarch: install failed" "$T/rpm.out"'
	run_vh --store "$S" --restore "$T/r1"
	rpmr "$T/r1" -U 2
	check "rpm: after --restore the upgrade succeeds" \
		eval 'status_is 0 && rpm --root "$T/r1" --dbpath /var/lib/rpm -q rlibx 2>/dev/null | grep -q "^rlibx-2" && grep -q "version 2" "$T/r1/$L" && grep -q "version 1" "$T/r2/$L"'
	run_vh --immutable --store "$S" "$T/r1" "$T/r2"
	check "rpm: hashified again, what is equal is shared again" \
		eval 'status_is 0 && same_inode "$T/r1/usr/share/doc/rlibx/README" "$T/r2/usr/share/doc/rlibx/README" && immutable "$T/r1/$L" && test "$(stat -c %h "$T/r1/$L")" = 2'
	check "rpm: no temporary of rpm is left in the guest" \
		test -z "$(find "$T/r1/usr/lib/rlibx" -name '*;*')"
else
	for i in 1 2 3 4 5 6; do skip "rpm step $i" "no rpm here"; done
fi
done_testing

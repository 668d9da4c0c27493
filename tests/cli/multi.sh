#!/bin/sh
# Guests with the evidence of more than one package manager: a real
# dpkg database and a real rpm database in one guest keep the
# configuration files of both (outside /etc too); --detect lists both
# rules and calls an empty database weak evidence. A backend's
# configuration file stays private against an administrator's "+"
# (only share-config shares it). Detection tables: an empty condition
# is refused and an uninstalled backend reported, with file and line;
# guests: settings apply to a guest given by path.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v dpkg-deb >/dev/null && command -v dpkg >/dev/null ||
	skip_all "dpkg and dpkg-deb are needed"
command -v rpmbuild >/dev/null && command -v rpm >/dev/null ||
	skip_all "rpm and rpmbuild are needed"
for b in dpkg rpm; do
	[ -f "$VHASHIFY_PLUGIN_DIR/$b.so" ] ||
		skip_all "the $b backend was not built"
done
plan 17

# dalpha: a conffile outside /etc, one in /usr/bin, and a data file
d=$T/build/dalpha
mkdir -p "$d/DEBIAN" "$d/usr/share/dalpha" "$d/usr/bin"
printf 'Package: dalpha\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n' \
	>"$d/DEBIAN/control"
printf '/usr/share/dalpha/d.conf\n/usr/bin/dtool\n' >"$d/DEBIAN/conffiles"
echo dconf >"$d/usr/share/dalpha/d.conf"
echo dtool >"$d/usr/bin/dtool"
echo ddata >"$d/usr/share/dalpha/data"
find "$d" -exec touch -h -d @1700000000 {} +
dpkg-deb --root-owner-group --build "$d" "$T/dalpha.deb" >/dev/null ||
	skip_all "dpkg-deb failed"

# ralpha: a %config file outside /etc and a data file
{ rpm_spec ralpha 1; cat <<'SPEC'; } >"$T/ralpha.spec"
%install
mkdir -p %{buildroot}/usr/share/ralpha
echo rconf > %{buildroot}/usr/share/ralpha/r.conf
echo rdata > %{buildroot}/usr/share/ralpha/data
%files
%config /usr/share/ralpha/r.conf
/usr/share/ralpha/data
SPEC
rpmbuild -bb --define "_topdir $T/rpmbuild" "$T/ralpha.spec" \
	>"$T/build.log" 2>&1 ||
	{ diag "$(tail -n 20 "$T/build.log")"; skip_all "rpmbuild failed"; }
RPM=$(find "$T/rpmbuild/RPMS" -name '*.rpm')

# mkguest NAME dpkg|empty|none: a guest with ralpha in an rpm database
# and dalpha in a dpkg database, an empty dpkg status, or no dpkg
mkguest() {
	R=$T/$1
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
	touch "$R/var/lib/dpkg/status"
	{ rpm --root "$R" --dbpath /var/lib/rpm --initdb &&
	  rpm --root "$R" --dbpath /var/lib/rpm -i --nodeps --noscripts \
		"$RPM"; } >>"$T/pm.log" 2>&1 ||
		{ diag "$(cat "$T/pm.log")"; skip_all "rpm could not set up a guest"; }
	case $2 in
	dpkg)	dpkg --root="$R" --force-script-chrootless --force-unsafe-io \
			-i "$T/dalpha.deb" >>"$T/pm.log" 2>&1 ||
		{ diag "$(cat "$T/pm.log")"; skip_all "dpkg could not set up a guest"; } ;;
	none)	rm -r "$R/var/lib/dpkg" ;;
	esac
	echo 'ID=fedora' >"$R/etc/os-release"
}
for g in m1 m2 m3 m4 m5 m6; do mkguest $g dpkg; done
for g in w1 w2; do mkguest $g empty; done

run_vh --detect "$T/m1"
check "--detect lists the dpkg and the rpm rule of one guest" \
	eval 'out_has "$T/m1: dpkg (" && out_has " + rpm ("'
check "--detect tells the os-release rule was not needed" \
	out_has "rpm: not needed: a package database decided"
run_vh --detect "$T/w1"
check "--detect calls an empty dpkg status weak evidence" \
	eval 'out_has "$T/w1: dpkg (" &&
	      out_has ", weak evidence: '"'"'/var/lib/dpkg/status'"'"' is empty"'
check "--detect applies rpm beside the weak dpkg evidence" \
	out_has " + rpm ("

run_vh --store "$T/s" "$T/m1" "$T/m2" "$T/w1" "$T/w2"
check "run exits 0" status_is 0
check "a dpkg conffile outside /etc is not shared" \
	eval '! same_inode "$T/m1/usr/share/dalpha/d.conf" "$T/m2/usr/share/dalpha/d.conf"'
check "an rpm %config file outside /etc is not shared (dpkg guest)" \
	eval '! same_inode "$T/m1/usr/share/ralpha/r.conf" "$T/m2/usr/share/ralpha/r.conf"'
check "an rpm %config file is not shared beside an empty dpkg status" \
	eval '! same_inode "$T/w1/usr/share/ralpha/r.conf" "$T/w2/usr/share/ralpha/r.conf" &&
	      ! same_inode "$T/w1/usr/share/ralpha/r.conf" "$T/m1/usr/share/ralpha/r.conf"'
check "package files that are not configuration are shared" \
	eval 'same_inode "$T/m1/usr/share/dalpha/data" "$T/m2/usr/share/dalpha/data" &&
	      same_inode "$T/m1/usr/share/ralpha/data" "$T/w2/usr/share/ralpha/data"'

# an administrator's "+" does not share what a backend keeps private
printf '+ /usr/bin\n+ /usr/share/ralpha/r.conf\n' >"$T/plus.exclude"
run_vh --store "$T/s" --exclude-from "$T/plus.exclude" "$T/m3" "$T/m4"
check "+ /usr/bin does not share the backend's /usr/bin/dtool" \
	eval '! same_inode "$T/m3/usr/bin/dtool" "$T/m4/usr/bin/dtool"'
check "+ of an exact %config path does not share it" \
	eval '! same_inode "$T/m3/usr/share/ralpha/r.conf" "$T/m4/usr/share/ralpha/r.conf"'
# share-config: the named setting that does, for one guest or all
cat >"$T/share.yaml" <<EOF
guest-paths: ["$T/{name}"]
share-config: [/usr/bin/dtool]
guests:
  m5:
    share-config: ["/usr/share/ralpha/*.conf"]
  m6:
    share-config: ["/usr/share/ralpha/r.conf"]
EOF
run_vh -c "$T/share.yaml" --store "$T/s" "$T/m5" "$T/m6"
check "share-config shares a backend's configuration file" \
	eval 'same_inode "$T/m5/usr/bin/dtool" "$T/m6/usr/bin/dtool"'
check "a guest's share-config applies to it when given by path" \
	eval 'same_inode "$T/m5/usr/share/ralpha/r.conf" "$T/m6/usr/share/ralpha/r.conf"'
check "share-config shares nothing else" \
	eval '! same_inode "$T/m5/usr/share/dalpha/d.conf" "$T/m6/usr/share/dalpha/d.conf"'

# guests: settings by path
printf 'guest-paths: ["%s/{name}"]\nguests:\n  m1:\n    backend: none\n' \
	"$T" >"$T/byname.yaml"
run_vh -c "$T/byname.yaml" --detect "$T/m1"
check "guests: backend applies to a guest given by path" \
	out_has "$T/m1: none (forced)"

# detection tables: empty conditions, backends not installed
E=$T/etc
mkdir -p "$E/detect.d"
cp "$VHASHIFY_SYSCONFDIR/exclude" "$VHASHIFY_SYSCONFDIR/detect.yaml" "$E/"
printf 'rules:\n  - backend: rpm\n    exists: []\n' >"$E/detect.d/50-empty.yaml"
VHASHIFY_SYSCONFDIR=$E run_vh --detect "$T/m1"
check "exists: [] is refused with file and line" \
	eval 'status_is 2 && err_has "$E/detect.d/50-empty.yaml'"'"' line 3: empty condition"'
printf 'rules:\n  - backend: nosuch\n    os-release: [none]\n' \
	>"$E/detect.d/50-empty.yaml"
VHASHIFY_SYSCONFDIR=$E run_vh --detect "$T/m1"
check "a rule's backend not installed is reported at load" \
	eval 'status_is 0 && err_has "$E/detect.d/50-empty.yaml'"'"' line 2: backend '"'"'nosuch'"'"' is not installed"'
done_testing

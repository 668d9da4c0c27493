#!/bin/sh
# The dpkg backend on databases made by the real dpkg: conffiles (with
# spaces, obsolete, remove-on-upgrade), a removed-not-purged package, a
# diversion and a merged /usr stay private; other files are shared; the
# database is untouched.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v dpkg-deb >/dev/null && command -v dpkg >/dev/null ||
	skip_all "dpkg and dpkg-deb are needed"
plan 22

# mkdeb NAME VERSION CONFFILES-TEXT FILE...: builds $T/NAME_VERSION.deb
# with the given files (relative paths under /usr/share/NAME etc.)
mkdeb() {
	name=$1 version=$2 conffiles=$3
	shift 3
	d=$T/build/$name-$version
	rm -rf "$d"
	mkdir -p "$d/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test package\n' \
		"$name" "$version" >"$d/DEBIAN/control"
	[ -z "$conffiles" ] || printf '%s\n' "$conffiles" >"$d/DEBIAN/conffiles"
	for f in "$@"; do
		mkdir -p "$d/$(dirname "$f")"
		printf 'content of %s, version %s\n' "$f" "$version" >"$d/$f"
	done
	find "$d" -exec touch -h -d @1700000000 {} +
	dpkg-deb --root-owner-group --build "$d" "$T/${name}_$version.deb" >/dev/null
}

mkdeb alpha 1 "/usr/share/alpha/with space.conf
/usr/share/alpha/old.conf
/usr/share/alpha/dropped.conf" \
	"usr/share/alpha/with space.conf" usr/share/alpha/old.conf \
	usr/share/alpha/dropped.conf usr/share/alpha/data
mkdeb alpha 2 "/usr/share/alpha/with space.conf
remove-on-upgrade /usr/share/alpha/dropped.conf" \
	"usr/share/alpha/with space.conf" usr/share/alpha/data
mkdeb beta 1 "/usr/share/beta/settings.conf" \
	usr/share/beta/settings.conf usr/share/beta/data
mkdeb gamma 1 "/usr/share/gamma/kept.conf" \
	usr/share/gamma/kept.conf usr/share/gamma/data
mkdeb merged 1 "/bin/merged.conf" bin/merged.conf usr/share/merged/data
mkdeb empty 1 ""

for g in g1 g2; do
	R=$T/$g
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" \
		"$R/usr/bin" "$R/etc"
	ln -s usr/bin "$R/bin"	# a merged /usr, as on Debian bookworm
	touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
	dpkgr() { dpkg --root="$R" --force-script-chrootless \
		--force-unsafe-io "$@" >>"$T/dpkg.log" 2>&1; }
	dpkgr -i "$T/alpha_1.deb" "$T/beta_1.deb" "$T/gamma_1.deb" \
		"$T/merged_1.deb" "$T/empty_1.deb" &&
	# the same local edits in both guests: identical bytes, so only
	# the backend keeps them apart; dpkg keeps edited conffiles
	# that a new version drops as obsolete or remove-on-upgrade
	echo "local edit" >>"$R/usr/share/alpha/old.conf" &&
	echo "local edit" >>"$R/usr/share/alpha/dropped.conf" &&
	touch -d @1700000000 "$R/usr/share/alpha/old.conf" \
		"$R/usr/share/alpha/dropped.conf" &&
	dpkgr -i "$T/alpha_2.deb" &&
	dpkgr -r gamma &&
	dpkg-divert --root="$R" --divert /usr/share/beta/settings.conf.distrib \
		--rename /usr/share/beta/settings.conf >>"$T/dpkg.log" 2>&1 ||
		{ diag "$(cat "$T/dpkg.log")"; skip_all "dpkg could not set up a guest"; }
	find "$R/var/lib/dpkg" -type f -exec md5sum {} + |
		sed "s|$R||" | sort >"$T/$g.db"
done
# the state dpkg left, as the test expects it
check "dpkg keeps an obsolete and a remove-on-upgrade conffile" \
	eval 'grep -q "old.conf [0-9a-f]* obsolete" "$T/g1/var/lib/dpkg/status" &&
	      grep -q "dropped.conf [0-9a-f]* remove-on-upgrade" "$T/g1/var/lib/dpkg/status"'
check "dpkg saved the edited remove-on-upgrade conffile as .dpkg-old" \
	test -f "$T/g1/usr/share/alpha/dropped.conf.dpkg-old"
check "gamma is removed but not purged" \
	grep -q "Status: deinstall ok config-files" "$T/g1/var/lib/dpkg/status"
check "the diverted conffile lives under its new name" \
	test -f "$T/g1/usr/share/beta/settings.conf.distrib"

run_vh --store "$T/s" --detect "$T/g1"
check "--detect picks dpkg by its status file" out_has "$T/g1: dpkg ("
run_vh --store "$T/s" -v "$T/g1" "$T/g2"
check "run exits 0" status_is 0
A=usr/share/alpha
check "a conffile with a space in its name is not linked" \
	eval '! same_inode "$T/g1/$A/with space.conf" "$T/g2/$A/with space.conf"'
check "an obsolete conffile is not linked" \
	eval '! same_inode "$T/g1/$A/old.conf" "$T/g2/$A/old.conf"'
check "a .dpkg-old leftover is not linked" \
	eval '! same_inode "$T/g1/$A/dropped.conf.dpkg-old" "$T/g2/$A/dropped.conf.dpkg-old"'
check "a conffile of a removed package is not linked" \
	eval '! same_inode "$T/g1/usr/share/gamma/kept.conf" "$T/g2/usr/share/gamma/kept.conf"'
check "a diverted conffile is not linked under its new name" \
	eval '! same_inode "$T/g1/usr/share/beta/settings.conf.distrib" "$T/g2/usr/share/beta/settings.conf.distrib"'
check "a conffile under a merged /bin is not linked" \
	eval '! same_inode "$T/g1/usr/bin/merged.conf" "$T/g2/usr/bin/merged.conf"'
check "package files that are not conffiles are linked" \
	eval 'same_inode "$T/g1/$A/data" "$T/g2/$A/data" &&
	      same_inode "$T/g1/usr/share/beta/data" "$T/g2/usr/share/beta/data" &&
	      same_inode "$T/g1/usr/share/merged/data" "$T/g2/usr/share/merged/data"'
# -vv names, for each private file, why (ABI 1.1 reasons)
run_vh --store "$T/s" -vv --dry-run "$T/g1"
cat "$T/out" "$T/err" >"$T/vv"
vv_has() { grep -qF -- "$1" "$T/vv" || { diag "$(grep skipped "$T/vv")"; false; }; }
check "-vv: a conffile is private as a conffile of its package" \
	eval 'vv_has "skipped '"'"'$T/g1/$A/with space.conf'"'"': excluded (dpkg: conffile of package alpha)" &&
	      vv_has "skipped '"'"'$T/g1/usr/share/gamma/kept.conf'"'"': excluded (dpkg: conffile of package gamma)"'
check "-vv: a diverted conffile names the original" \
	vv_has "skipped '$T/g1/usr/share/beta/settings.conf.distrib': excluded (dpkg: diverted conffile /usr/share/beta/settings.conf)"
check "-vv: a leftover beside a conffile says so" \
	vv_has "skipped '$T/g1/$A/dropped.conf.dpkg-old': excluded (dpkg: a leftover beside a conffile)"
for g in g1 g2; do
	find "$T/$g/var/lib/dpkg" -type f -exec md5sum {} + |
		sed "s|$T/$g||" | sort >"$T/$g.db.after"
done
check "the guests' dpkg databases are byte-identical after the run" \
	eval 'same_manifest "$T/g1.db" "$T/g1.db.after" &&
	      same_manifest "$T/g2.db" "$T/g2.db.after"'
check "the dpkg database is never linked" \
	test "$(stat -c %h "$T/g1/var/lib/dpkg/status")" = 1

# a damaged database stops that guest only
mkdir -p "$T/g3/var/lib/dpkg/status"	# a directory, not a file
mkfile "$T/g3/usr/share/alpha/data" "x"
run_vh --store "$T/s" --pkgmgr=dpkg "$T/g3" "$T/g2"
check "an unreadable database fails the run (status 1)" status_is 1
check "it names the file" err_has "dpkg: cannot read '/var/lib/dpkg/status'"
check "and leaves that guest alone" err_has "leaving guest '$T/g3' alone"

# packages but no conffiles at all is suspicious
mkdir -p "$T/g4/var/lib/dpkg"
printf 'Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: install ok installed\n' \
	>"$T/g4/var/lib/dpkg/status"
run_vh --store "$T/s" "$T/g4"
check "a database without any conffile is warned about" \
	err_has "lists 2 packages but no configuration file"
done_testing

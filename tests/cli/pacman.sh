#!/bin/sh
# The pacman backend on databases made by the real pacman: backup files
# (with a space in the name), *.pacnew leftovers, a DBPath set in the
# guest's pacman.conf; the database is never changed.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v pacman >/dev/null && command -v bsdtar >/dev/null ||
	skip_all "pacman and bsdtar are needed"
plan 10

# a package made by hand: makepkg refuses to run as root
P=$T/pkg
mkdir -p "$P/usr/share/pa"
echo "setting = 1" >"$P/usr/share/pa/with space.conf"
echo "data" >"$P/usr/share/pa/data"
cat >"$P/.PKGINFO" <<'INFO'
pkgname = pa
pkgbase = pa
pkgver = 1-1
pkgdesc = test package
url = none
builddate = 1700000000
packager = test
size = 20
arch = any
license = none
backup = usr/share/pa/with space.conf
INFO
find "$P" -exec touch -h -d @1700000000 {} +
(cd "$P" && bsdtar -czf "$T/pa-1-1-any.pkg.tar.gz" .PKGINFO usr) ||
	skip_all "bsdtar could not make a package"
printf '[options]\nSigLevel = Never\n' >"$T/pacman.conf"

# mkguest NAME DBPATH: a guest with the package, its database in DBPATH
mkguest() {
	R=$T/$1
	mkdir -p "$R$2" "$R/etc"
	printf '[options]\nDBPath = %s\n' "$2" >"$R/etc/pacman.conf"
	pacman -U --root "$R" --dbpath "$R$2" --config "$T/pacman.conf" \
		--cachedir "$T/cache" --logfile "$T/pacman.log" \
		--gpgdir "$T/gnupg" --noconfirm --noscriptlet \
		"$T/pa-1-1-any.pkg.tar.gz" >>"$T/install.log" 2>&1 ||
		{ diag "$(cat "$T/install.log")"; skip_all "pacman could not set up a guest"; }
	# a leftover as pacman writes it, alike in both guests
	echo "setting = 2" >"$R/usr/share/pa/with space.conf.pacnew"
	touch -d @1700000000 "$R/usr/share/pa/with space.conf.pacnew"
	find "$R$2" -type f -exec md5sum {} + | sed "s|$R||" | sort >"$T/$1.db"
}
mkguest g1 /var/lib/pacman/
mkguest g2 /var/lib/pacman/
mkguest c1 /srv/pacdb/
mkguest c2 /srv/pacdb/

run_vh --detect "$T/g1"
check "--detect picks pacman by its database" out_has "$T/g1: pacman ("
run_vh --store "$T/s" --pkgmgr=pacman "$T/g1" "$T/g2" "$T/c1" "$T/c2"
check "run exits 0" status_is 0
A=usr/share/pa
check "a backup file with a space is not linked" \
	eval '! same_inode "$T/g1/$A/with space.conf" "$T/g2/$A/with space.conf"'
check "a .pacnew leftover is not linked" \
	eval '! same_inode "$T/g1/$A/with space.conf.pacnew" "$T/g2/$A/with space.conf.pacnew"'
check "other package files are linked" same_inode "$T/g1/$A/data" "$T/g2/$A/data"
check "with a DBPath of its own, backup files are not linked" \
	eval '! same_inode "$T/c1/$A/with space.conf" "$T/c2/$A/with space.conf"'
check "a database outside /var is never linked" \
	test "$(stat -c %h "$T/c1/srv/pacdb/local/pa-1-1/desc")" = 1
run_vh --store "$T/s" --pkgmgr=pacman -vv --dry-run "$T/g1"
check "-vv: a backup file is private as one of its package" \
	eval 'cat "$T/out" "$T/err" | grep -qF "skipped '"'"'$T/g1/$A/with space.conf'"'"': excluded (pacman: backup file of package pa-1-1)"'
ok=yes
for g in g1 g2 c1 c2; do
	find "$T/$g$(sed -n 's/^DBPath = //p' "$T/$g/etc/pacman.conf")" \
		-type f -exec md5sum {} + | sed "s|$T/$g||" | sort >"$T/$g.db.after"
	same_manifest "$T/$g.db" "$T/$g.db.after" || ok=no
done
check "the pacman databases are byte-identical after the run" test $ok = yes

# a "files" entry that cannot be read stops that guest
chmod 0 "$T/c2/srv/pacdb/local/pa-1-1/files"
rm "$T/c2/srv/pacdb/local/pa-1-1/files"
mkdir "$T/c2/srv/pacdb/local/pa-1-1/files"
run_vh --store "$T/s" --pkgmgr=pacman "$T/c2"
check "an unreadable database entry fails the guest" \
	eval 'status_is 1 && err_has "pacman: cannot read '"'"'/srv/pacdb/local/pa-1-1/files'"'"'"'
done_testing

#!/bin/sh
# Guest and plugin text reaches the terminal escaped: a pacman database
# whose DBPath and package directory hold escape sequences, a plugin whose
# messages and description are full of control bytes, a plugin with such
# a name, a guest path on the progress line. Nothing but printable ASCII
# and line ends is printed, with -q and with -vv.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 14

ESC=$(printf '\033')
BEL=$(printf '\007')
EVIL="${ESC}]0;pwned${BEL}${ESC}[2J"

# printable FILE...: the files hold printable ASCII and newlines only
printable() {
	local f bad=0
	for f in "$@"; do
		[ "$(tr -d '\n\040-\176' <"$f" | wc -c)" = 0 ] && continue
		diag "raw bytes in $f:" "$(od -c "$f" | grep -m 3 '\\[0-9]\|\\[abefrtv]')"
		bad=1
	done
	return $bad
}

# a plugin directory with the noisy test plugins
P=$T/plugins
mkdir -p "$P"
ln -s "$VHASHIFY_PLUGIN_DIR/exclude-file.so" "$P/"
for p in noisy bad-name; do ln -s "$TEST_PLUGIN_DIR/$p.so" "$P/"; done
for g in n1 n2; do
	mkfile "$T/$g/usr/share/a" "shared"
	mkfile "$T/$g/usr/share/x${EVIL}y" "a file named with escapes"
	mkfile "$T/$g/usr/share/tiny${EVIL}" ""
done

run_vh -vv --plugin-dir "$P" --pkgmgr=noisy --store "$T/s" "$T/n1" "$T/n2"
check "a noisy plugin's run exits 0" status_is 0
check "its messages at every level and the notes are escaped (-vv)" \
	printable "$T/out" "$T/err"
check "a message names the guest and the plugin, its text escaped" \
	err_has "warning: guest '$T/n1': noisy: warning \\033]0;pwned\\007\\033[2J\\015\\010\\177\\377\\300\\257\\302\\233"
check "an error of the plugin too" \
	err_has "error: guest '$T/n2': noisy: error \\033]0;pwned"
run_vh -q --plugin-dir "$P" --pkgmgr=noisy --store "$T/s" "$T/n1" "$T/n2"
check "with -q the warnings are escaped too" \
	eval 'printable "$T/out" "$T/err" && err_has "noisy: warning \\033]0;"'

run_vh --plugin-dir "$P" --list-backends
check "--list-backends escapes a description" \
	eval 'printable "$T/out" "$T/err" && out_has "a plugin \\033]0;pwned"'
check "a plugin whose name has control bytes is refused, escaped" \
	err_has "its name 'bad\\033[31mname' is not made of"
run_vh --plugin-dir "$P" --pkgmgr=noisy --detect "$T/n1"
check "--detect output is printable" printable "$T/out" "$T/err"

# the progress line names the guest: escaped
G=$T/g$EVIL
mkfile "$G/usr/f" "a file"
if command -v script >/dev/null; then
	script -qec "vhashify --pkgmgr=none --store '$T/s' '$G'" /dev/null \
		>"$T/tty" 2>&1 || :
	check "the progress line escapes the guest name" \
		eval '! grep -aqF "$EVIL" "$T/tty" && grep -aqF "g\\033]0;pwned" "$T/tty"'
else
	skip "the progress line escapes the guest name" "script is needed"
fi

# a pacman guest: DBPath and a package directory named with escapes
if command -v pacman >/dev/null && command -v bsdtar >/dev/null; then
	K=$T/pkg
	mkfile "$K/usr/share/pa/data" "data"
	cat >"$K/.PKGINFO" <<'INFO'
pkgname = pa
pkgver = 1-1
pkgdesc = test package
builddate = 1700000000
packager = test
size = 5
arch = any
INFO
	(cd "$K" && bsdtar -czf "$T/pa-1-1-any.pkg.tar.gz" .PKGINFO usr)
	printf '[options]\nSigLevel = Never\n' >"$T/pacman.conf"
	DB="/srv/${EVIL}db/"
	ok=yes
	for g in p1 p2; do
		R=$T/$g
		mkdir -p "$R$DB" "$R/etc"
		printf '[options]\nDBPath = %s\n' "$DB" >"$R/etc/pacman.conf"
		pacman -U --root "$R" --dbpath "$R$DB" \
			--config "$T/pacman.conf" --cachedir "$T/cache" \
			--logfile "$T/pacman.log" --gpgdir "$T/gnupg" \
			--noconfirm --noscriptlet "$T/pa-1-1-any.pkg.tar.gz" \
			>>"$T/install.log" 2>&1 || ok=no
		# a package directory without its "files": a warning
		mkdir -p "$R$DB/local/${EVIL}evil-1-1"
	done
	if [ $ok = yes ]; then
		run_vh -q --store "$T/s" --pkgmgr=pacman "$T/p1" "$T/p2"
		check "the pacman guests are hashified" status_is 0
		check "pacman's warnings are printable (-q)" \
			printable "$T/out" "$T/err"
		check "the warning shows DBPath and the directory escaped" \
			err_has "pacman: '/srv/\\033]0;pwned\\007\\033[2Jdb/local/\\033]0;pwned\\007\\033[2Jevil-1-1/files' is missing"
		run_vh -vv --store "$T/s2" --pkgmgr=pacman "$T/p1" "$T/p2"
		check "and with -vv" printable "$T/out" "$T/err"
		run_vh -vv --detect "$T/p1"
		check "--detect of the pacman guest is printable" \
			eval 'status_is 0 && printable "$T/out" "$T/err"'
	else
		diag "$(cat "$T/install.log")"
		for w in run -q warning -vv detect; do
			skip "pacman guest: $w" "pacman could not set up a guest"
		done
	fi
else
	for w in run -q warning -vv detect; do
		skip "pacman guest: $w" "pacman and bsdtar are needed"
	done
fi
done_testing

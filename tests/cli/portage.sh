#!/bin/sh
# The portage backend on Gentoo-like guests built here: CONFIG_PROTECT
# and CONFIG_PROTECT_MASK stacked from env.d, make.globals, a profile
# stack with parent files, and make.conf as a file or a directory; the
# longest entry decides; pending updates and the package database stay
# private; a make.conf it cannot read leaves the guest alone.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 46

# no default exclude list, so that /etc and /var are up to the backend
S=$T/sysconf
mkdir -p "$S"
cp "$TESTS_SRCDIR/../etc/detect.yaml" "$TESTS_SRCDIR/../etc/vhashify.yaml" "$S"
: >"$S/exclude"
export VHASHIFY_SYSCONFDIR="$S"

# mkguest NAME file|dir: a guest whose make.conf is a file or a directory
mkguest() {
	R=$T/$1
	mkdir -p "$R/etc/portage" "$R/etc/env.d" "$R/usr/share/portage/config"
	printf 'NAME=Gentoo\nID=gentoo\n' >"$R/etc/os-release"
	cat >"$R/usr/share/portage/config/make.globals" <<'EOF'
# as portage ships it, in part
CONFIG_PROTECT="/etc /usr/share/tie"
CONFIG_PROTECT_MASK="/etc/env.d /usr/share/tie"
PORTAGE_TMPDIR="/var/tmp"
EOF
	P=$R/var/db/repos/gentoo/profiles
	mkdir -p "$P/base" "$P/default/linux/amd64/23.0"
	cat >"$P/base/make.defaults" <<'EOF'
CONFIG_PROTECT="/usr/share/gnupg/qualified.txt /usr/lib/oldconf /usr/share/games"
CONFIG_PROTECT_MASK="/usr/share/games/scores"
EOF
	echo "../../base" >"$P/default/linux/parent"
	cat >"$P/default/linux/make.defaults" <<'EOF'
# the mask so far, and one more
CONFIG_PROTECT_MASK="${CONFIG_PROTECT_MASK} /etc/gentoo-release"
EOF
	printf '# the linux profile\n\n..\n' >"$P/default/linux/amd64/parent"
	echo 'ARCH="amd64"' >"$P/default/linux/amd64/make.defaults"
	echo ".." >"$P/default/linux/amd64/23.0/parent"
	echo 5 >"$P/default/linux/amd64/23.0/eapi"
	if [ "$2" = file ]; then
		ln -s ../../var/db/repos/gentoo/profiles/default/linux/amd64/23.0 \
			"$R/etc/portage/make.profile"
		cat >"$R/etc/portage/make.conf" <<'EOF'
# make.conf as the handbook has it
COMMON_FLAGS="-O2 -pipe"
CFLAGS="${COMMON_FLAGS}"
OPT_CONF=/opt/app/conf
CONFIG_PROTECT="${OPT_CONF} \
	-/usr/lib/oldconf"
export USE='-X'
EOF
	else
		# an absolute link: resolved inside the guest
		ln -s /var/db/repos/gentoo/profiles/default/linux/amd64/23.0 \
			"$R/etc/portage/make.profile"
		M=$R/etc/portage/make.conf
		mkdir -p "$M"
		echo 'OPT_CONF=/opt/app/conf' >"$M/00-opt"
		printf 'CONFIG_PROTECT="${OPT_CONF} \\\n\t-/usr/lib/oldconf"\n' \
			>"$M/10-protect"
		echo 'CONFIG_PROTECT_MASK="-*"' >"$M/20-mask"
		echo 'CONFIG_PROTECT="/usr/share/doc"' >"$M/30-old~"
		echo 'CONFIG_PROTECT="/usr/share/doc"' >"$M/.hidden"
	fi
	# env.d: read in name order; "kde" and backups are not env.d files
	echo 'CONFIG_PROTECT_MASK="/usr/share/config/kdm"' \
		>"$R/etc/env.d/50baselayout"
	echo 'CONFIG_PROTECT="/usr/share/config /usr/share/config/kdm/keep"' \
		>"$R/etc/env.d/90kde"
	echo 'CONFIG_PROTECT="/usr/share/doc"' >"$R/etc/env.d/kde"
	echo 'CONFIG_PROTECT="/usr/share/doc"' >"$R/etc/env.d/95x.bak"
	echo 'PATH="/usr/bin"' >"$R/etc/env.d/00basic"
	# the package's files; the same bytes in every guest
	for f in usr/share/config/a.conf usr/share/config/unowned.conf \
		usr/share/config/kdm/kdmrc usr/share/config/kdm/keep/x.conf \
		usr/share/gnupg/qualified.txt usr/share/gnupg/other.txt \
		usr/share/gnupg/._cfg0000_qualified.txt \
		usr/lib/oldconf/old.conf opt/app/conf/app.ini opt/app/bin/app \
		usr/share/doc/foo/README usr/share/games/x \
		usr/share/games/scores/s etc/foo.conf etc/gentoo-release \
		usr/share/tie/t; do
		mkfile "$R/$f" "content of $f
"
	done
	V=$R/var/db/pkg/app-misc/foo-1
	mkdir -p "$V"
	echo app-misc >"$V/CATEGORY"
	echo foo-1 >"$V/PF"
	echo 0 >"$V/SLOT"
	{
		echo "dir /usr"
		echo "dir /usr/share/config"
		for f in usr/share/config/a.conf usr/share/config/kdm/kdmrc \
			usr/share/gnupg/qualified.txt usr/share/gnupg/other.txt \
			opt/app/bin/app opt/app/conf/app.ini etc/foo.conf; do
			echo "obj /$f $(md5sum <"$R/$f" | cut -d' ' -f1) 1700000000"
		done
		echo "sym /usr/share/config/link -> a.conf 1700000000"
	} >"$V/CONTENTS"
	ln -s a.conf "$R/usr/share/config/link"
	find "$R" -exec touch -h -d @1700000000 {} +
	find "$R/var/db/pkg" -type f -exec md5sum {} + | sed "s|$R||" | sort \
		>"$T/$1.db"
}
mkguest f1 file
mkguest f2 file
mkguest d1 dir
mkguest d2 dir

run_vh --detect "$T/f1" "$T/d1"
check "--detect picks portage by /var/db/pkg and os-release" \
	eval 'out_has "$T/f1: portage (" && out_has "$T/d1: portage ("'

run_vh --store "$T/s" "$T/f1" "$T/f2" "$T/d1" "$T/d2"
check "run exits 0" status_is 0

# private A B: A is not linked between the guests of pair B
private() { ! same_inode "$T/${2}1/$1" "$T/${2}2/$1"; }
shared() { same_inode "$T/${2}1/$1" "$T/${2}2/$1"; }

for g in f d; do
	check "$g: a file in a protected directory (env.d) is private" \
		private usr/share/config/a.conf $g
	check "$g: a file no package owns is protected too" \
		private usr/share/config/unowned.conf $g
	check "$g: a longer CONFIG_PROTECT below a mask protects" \
		private usr/share/config/kdm/keep/x.conf $g
	check "$g: a file entry protects that file" \
		private usr/share/gnupg/qualified.txt $g
	check "$g: its pending update ._cfg0000_ is private" \
		private usr/share/gnupg/._cfg0000_qualified.txt $g
	check "$g: a file beside it is shared" \
		shared usr/share/gnupg/other.txt $g
	check "$g: make.conf's -entry undoes a profile's entry" \
		shared usr/lib/oldconf/old.conf $g
	check "$g: make.conf's \${VAR} entry over two lines protects" \
		private opt/app/conf/app.ini $g
	check "$g: unprotected package files are shared" \
		shared opt/app/bin/app $g
	check "$g: env.d files without two digits, backups, make.conf/ ~ and hidden files are not read" \
		shared usr/share/doc/foo/README $g
	check "$g: /etc from make.globals is protected" \
		private etc/foo.conf $g
	check "$g: the package database is private" \
		test "$(stat -c %h "$T/${g}1/var/db/pkg/app-misc/foo-1/CONTENTS")" = 1
done
check "f: a mask from env.d shares its directory" \
	shared usr/share/config/kdm/kdmrc f
check "f: a mask from make.globals shares /etc/env.d" \
	shared etc/env.d/00basic f
check "f: a profile's mask, stacked with \${CONFIG_PROTECT_MASK}, shares" \
	eval 'shared usr/share/games/scores/s f && shared etc/gentoo-release f'
check "f: a path both protected and masked is masked, as in portage" \
	shared usr/share/tie/t f
check "d: make.conf/'s -* clears every mask" \
	eval 'private usr/share/config/kdm/kdmrc d &&
	      private usr/share/games/scores/s d && private etc/env.d/00basic d'

ok=yes
for g in f1 f2 d1 d2; do
	find "$T/$g/var/db/pkg" -type f -exec md5sum {} + | sed "s|$T/$g||" |
		sort >"$T/$g.db.after"
	same_manifest "$T/$g.db" "$T/$g.db.after" || ok=no
done
check "the package databases are byte-identical after the run" test $ok = yes

# what portage would read otherwise leaves the guest alone, said where
mkguest m file
sed -i '3a CONFIG_PROTECT="$(echo /opt)"' "$T/m/etc/portage/make.conf"
run_vh --store "$T/s" "$T/f1" "$T/m"
check "a make.conf with \$(...) leaves the guest alone, naming file and line" \
	eval 'status_is 1 && err_has "portage: cannot parse '"'"'/etc/portage/make.conf'"'"' line 4: command substitution" &&
	      err_has "leaving guest '"'"'$T/m'"'"' alone"'
check "nothing of that guest is linked" \
	test "$(stat -c %h "$T/m/opt/app/bin/app")" = 1

# a hostile profile that is its own parent
mkguest l file
echo "." >"$T/l/var/db/repos/gentoo/profiles/default/linux/amd64/23.0/parent"
run_vh --store "$T/s" "$T/l"
check "a profile that is its own parent leaves the guest alone" \
	eval 'status_is 1 && err_has "more than 32 parents deep"'
# -vv names, for each private file, the entry's source (ABI 1.1 reasons)
run_vh -vv --dry-run --store "$T/s" "$T/f1" "$T/d1"
cat "$T/out" "$T/err" >"$T/vv"
vv_has() { grep -qF -- "$1" "$T/vv" || { diag "$(grep skipped "$T/vv")"; false; }; }
check "-vv: a file under an env.d entry names that env.d file" \
	vv_has "skipped '$T/f1/usr/share/config/a.conf': excluded (portage: CONFIG_PROTECT from /etc/env.d/90kde)"
check "-vv: an entry of make.globals names make.globals" \
	vv_has "skipped '$T/f1/etc/foo.conf': excluded (portage: CONFIG_PROTECT from /usr/share/portage/config/make.globals)"
check "-vv: an entry of make.conf names make.conf (a file, a directory)" \
	eval 'vv_has "skipped '"'"'$T/f1/opt/app/conf'"'"': excluded (portage: CONFIG_PROTECT from /etc/portage/make.conf)" &&
	      vv_has "skipped '"'"'$T/d1/opt/app/conf'"'"': excluded (portage: CONFIG_PROTECT from /etc/portage/make.conf)"'
check "-vv: a profile's entry names its make.defaults" \
	vv_has "skipped '$T/f1/usr/share/gnupg/qualified.txt': excluded (portage: CONFIG_PROTECT from /var/db/repos/gentoo/profiles/base/make.defaults)"
check "-vv: the database and the pending updates say so" \
	eval 'vv_has "skipped '"'"'$T/f1/var/db/pkg'"'"': excluded (portage: portage'"'"'s database and state)" &&
	      vv_has "skipped '"'"'$T/f1/usr/share/gnupg/._cfg0000_qualified.txt'"'"': excluded (portage: pending update of a protected file)"'

# Gentoo Prefix: portage below /gentoo in the guest, option eprefix
for g in p1 p2; do
	mkguest "$g.tmp" file
	mkdir -p "$T/$g"
	mv "$T/$g.tmp" "$T/$g/gentoo"
	mkfile "$T/$g/usr/share/config/a.conf" "content of usr/share/config/a.conf
"
	touch -d @1700000000 "$T/$g/usr/share/config/a.conf"
done
sed '/^backend-options: {}$/d' "$S/vhashify.yaml" >"$T/prefix.yaml"
printf 'backend-options:\n  portage:\n    eprefix: /gentoo/\n' >>"$T/prefix.yaml"
run_vh --config "$T/prefix.yaml" --pkgmgr=portage --store "$T/s" "$T/p1" "$T/p2"
check "eprefix: the run exits 0" status_is 0
check "eprefix: CONFIG_PROTECT entries apply below the prefix" \
	eval 'private gentoo/usr/share/config/a.conf p &&
	      private gentoo/etc/foo.conf p && private gentoo/opt/app/conf/app.ini p'
check "eprefix: the same path outside the prefix is shared" \
	shared usr/share/config/a.conf p
check "eprefix: the package database below the prefix is private" \
	test "$(stat -c %h "$T/p1/gentoo/var/db/pkg/app-misc/foo-1/CONTENTS")" = 1
check "eprefix: unprotected files below the prefix are shared" \
	shared gentoo/opt/app/bin/app p

# an option the backend does not declare: an error with file and line
cp "$S/vhashify.yaml" "$T/typo.yaml"
sed -i '/^guests: {}$/d' "$T/typo.yaml"
printf 'guests:\n  web1:\n    backend-options:\n      portage:\n        eprefx: /x\n' \
	>>"$T/typo.yaml"
n=$(grep -n 'eprefx' "$T/typo.yaml" | cut -d: -f1)
run_vh --config "$T/typo.yaml" --store "$T/s" "$T/f1"
check "an unknown backend option is an error naming the file and line" \
	eval 'status_is 2 && err_has "'"'"'$T/typo.yaml'"'"' line $n: backend '"'"'portage'"'"' has no option '"'"'eprefx'"'"'"'
done_testing

#!/bin/sh
# make install into a DESTDIR lays everything out (detect.d made, no
# libtool .la among the plugins); the relocatable vhashify-backend.pc
# gives the DESTDIR's directories; the installed vhashify runs from
# there with VHASHIFY_CONFIG_DIR and VHASHIFY_PLUGIN_DIR alone; the
# example apk backend builds out of tree against that install with
# pkg-config alone and vhashify uses it, chosen by its own detect.d
# rule. The systemd units pass systemd-analyze verify where it is there.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
[ -n "${TOP_BUILDDIR:-}" ] || skip_all "TOP_BUILDDIR is not set"
command -v pkg-config >/dev/null || skip_all "pkg-config is needed"
plan 18

D=$T/dest
make -C "$TOP_BUILDDIR" install DESTDIR="$D" >"$T/install.log" 2>&1 ||
	{ diag "$(tail -n 20 "$T/install.log")"; skip_all "make install failed"; }
# where configure put things (the .pc file names them relative to
# itself: read them from the Makefile)
mkvar() { sed -n "s/^$1 = //p" "$TOP_BUILDDIR/Makefile"; }
prefix=$(mkvar prefix)
sysconf=$(mkvar sysconfdir | sed "s|\${prefix}|$prefix|")
pc=$(find "$D" -name vhashify-backend.pc)
# systemd's unit directory, or one under the prefix (configure chose)
unitdir=$(sed -n 's/^unitdir = //p' "$TOP_BUILDDIR/Makefile" |
	sed "s|\${prefix}|$prefix|")
check "the binary is installed in sbindir" test -x "$D$prefix/sbin/vhashify"
check "the plugins are in the plugin directory" \
	eval 'ls "$D$prefix"/lib*/vhashify/plugins/dpkg.so >/dev/null'
check "the configuration is in sysconfdir/vhashify" \
	test -f "$D$sysconf/vhashify/vhashify.yaml"
check "the public header is installed" \
	test -f "$D$prefix/include/vhashify/backend.h"
check "the man pages are installed" test -f "$D$prefix/share/man/man8/vhashify.8"
check "the pkg-config file is installed" test -n "$pc"
check "make install makes the empty detect.d" \
	eval 'test -d "$D$sysconf/vhashify/detect.d" &&
	      test -z "$(ls -A "$D$sysconf/vhashify/detect.d")"'
check "no libtool .la file is in the plugin directory" \
	eval '! ls "$D$prefix"/lib*/vhashify/plugins/*.la 2>/dev/null'
plugindir=$(ls -d "$D$prefix"/lib*/vhashify/plugins)

# the .pc file is relocatable: found in the DESTDIR, it names the
# DESTDIR's directories (no sysroot needed)
real() { (cd "$1" 2>/dev/null && pwd -P); }
pcvar() { PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --variable="$1" vhashify-backend; }
check "pkg-config's plugindir is the DESTDIR's" \
	eval 'test "$(real "$(pcvar plugindir)")" = "$(real "$plugindir")" ||
	      { diag "plugindir: $(pcvar plugindir)"; false; }'
check "pkg-config's detectdir is the DESTDIR's" \
	eval 'test "$(real "$(pcvar detectdir)")" = "$(real "$D$sysconf/vhashify/detect.d")" ||
	      { diag "detectdir: $(pcvar detectdir)"; false; }'

# a reinstall keeps an edited configuration
echo "# edited by the administrator" >>"$D$sysconf/vhashify/vhashify.yaml"
make -C "$TOP_BUILDDIR" install DESTDIR="$D" >"$T/install2.log" 2>&1
check "a reinstall keeps an edited configuration" \
	grep -q "edited by the administrator" "$D$sysconf/vhashify/vhashify.yaml"

# the example backend, built out of tree against the install
cp -r "$TESTS_SRCDIR/../examples/backend" "$T/apk"
# the .pc file in the DESTDIR gives the DESTDIR's paths: no sysroot
export PKG_CONFIG_PATH="$(dirname "$pc")"
unset PKG_CONFIG_SYSROOT_DIR
if make -C "$T/apk" CFLAGS="-Wall -Wextra -Werror" >"$T/apk.log" 2>&1 &&
   make -C "$T/apk" install >>"$T/apk.log" 2>&1; then
	pass "the example backend builds and installs with pkg-config alone"
else
	diag "$(tail -n 20 "$T/apk.log")"
	fail "the example backend builds and installs with pkg-config alone"
fi
for g in a1 a2; do
	mkdir -p "$T/$g/lib/apk/db"
	printf 'P:alpine-baselayout\nF:etc\nR:motd\nF:usr/share/x\nR:data\n\n' \
		>"$T/$g/lib/apk/db/installed"
	mkfile "$T/$g/etc/motd" "welcome"
	mkfile "$T/$g/usr/share/x/data" "data"
done
find "$T/a1" "$T/a2" -exec touch -h -d @1700000000 {} +
# the installed vhashify, plugins and configuration, used from the
# DESTDIR with the documented variables alone
unset VHASHIFY_SYSCONFDIR
export VHASHIFY_PLUGIN_DIR="$plugindir"
export VHASHIFY_CONFIG_DIR="$D$sysconf/vhashify"
PATH="$D$prefix/sbin:$PATH"
run_vh --list-backends
check "the installed vhashify lists the installed plugins" \
	eval 'status_is 0 && out_has "dpkg " && out_has "apk " &&
	      test "$(command -v vhashify)" = "$D$prefix/sbin/vhashify"'
# its vhashify.yaml: guests by name, and the store
printf 'guest-paths: ["%s/{name}"]\nstores: ["%s/s"]\n' "$T" "$T" \
	>"$VHASHIFY_CONFIG_DIR/vhashify.yaml"
run_vh --detect a1
check "it reads vhashify.yaml from VHASHIFY_CONFIG_DIR" \
	eval 'status_is 0 && out_has "$T/a1: apk ("'
run_vh --detect "$T/a1"
check "the example's detect.d rule chooses it" out_has "$T/a1: apk ("
# /etc is in the default exclude list: share it to see apk keep it apart
printf '+ /etc/**\n' >"$T/share-etc"
run_vh --exclude-from "$T/share-etc" a1 a2
check "vhashify runs with the example backend" status_is 0
check "what the example names stays apart, the rest is shared" \
	eval '! same_inode "$T/a1/etc/motd" "$T/a2/etc/motd" &&
	      same_inode "$T/a1/usr/share/x/data" "$T/a2/usr/share/x/data"'
if command -v systemd-analyze >/dev/null; then
	# verified in place of the installed ones, running the DESTDIR binary
	mkdir -p "$T/units"
	sed "s|^ExecStart=|ExecStart=$D|" \
		"$D$unitdir/vhashify.service" \
		>"$T/units/vhashify.service"
	cp "$D$unitdir/vhashify.timer" "$T/units/"
	check "the systemd units pass systemd-analyze verify" \
		systemd-analyze verify --man=no "$T/units/vhashify.service" \
		"$T/units/vhashify.timer"
else
	skip "the systemd units pass systemd-analyze verify" \
		"systemd-analyze is not installed"
fi
done_testing

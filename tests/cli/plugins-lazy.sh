#!/bin/sh
# A run loads only the plugins its guests need: a Debian guest maps no
# librpm, nor any other backend's plugin; -v names the plugins loaded.
# Other backends' plugins are the test's marker plugin, which leaves a
# file as soon as anything loads it (its constructor), so a load shows
# without trusting the loader's own word.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 10

P=$T/plugins
mkdir -p "$P"
ln -s "$VHASHIFY_PLUGIN_DIR/exclude-file.so" "$VHASHIFY_PLUGIN_DIR/dpkg.so" \
	"$P/"
for b in rpm pacman portage; do
	ln -s "$TEST_PLUGIN_DIR/marker.so" "$P/$b.so"
done
E=$T/etc
mkdir -p "$E/detect.d"
cp "$VHASHIFY_SYSCONFDIR/exclude" "$VHASHIFY_SYSCONFDIR/detect.yaml" "$E/"

for g in d1 d2; do
	mkfile "$T/$g/var/lib/dpkg/status" ""
	mkfile "$T/$g/etc/os-release" "ID=debian"
	mkfile "$T/$g/usr/share/doc/a" "shared"
done
find "$T/d1" "$T/d2" -exec touch -h -d @1700000000 {} +
export VHASHIFY_TEST_MARKER=$T/marker
VHASHIFY_SYSCONFDIR=$E run_vh -v --plugin-dir "$P" --store "$T/s" \
	"$T/d1" "$T/d2"
check "a run over Debian guests exits 0" status_is 0
check "it loads no plugin of another backend" test ! -e "$T/marker"
check "-v names the plugins it loaded" \
	eval 'out_has "loaded plugin '"'dpkg' from '$P/dpkg.so'"'" &&
	      out_has "loaded plugin '"'exclude-file'"'"'
check "-v names no other plugin" \
	eval '! grep -q "loaded plugin '"'"'\(rpm\|pacman\|portage\|marker\)" "$T/out"'
check "the guests were hashified" same_inode "$T/d1/usr/share/doc/a" \
	"$T/d2/usr/share/doc/a"

# the real plugins: no librpm in the process (the dynamic loader's
# own log of what it maps)
LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld run_vh --store "$T/s2" "$T/d1" "$T/d2"
if ! cat "$T"/ld.* 2>/dev/null | grep -q "dynamically loaded"; then
	skip "no librpm is mapped" "the dynamic loader logs nothing here"
else
	check "no librpm is mapped" eval '! cat "$T"/ld.* | grep -q librpm'
fi

# a rule naming a backend that is not installed is found without a load
printf 'rules:\n  - backend: nosuch\n    exists: /nosuch\n' \
	>"$E/detect.d/50-nosuch.yaml"
VHASHIFY_SYSCONFDIR=$E run_vh --plugin-dir "$P" --store "$T/s" "$T/d1"
check "a rule of a backend not installed is still a warning" \
	err_has "'$E/detect.d/50-nosuch.yaml' line 2: backend 'nosuch' is not installed"
check "finding it loaded nothing" test ! -e "$T/marker"

# --list-backends loads every plugin, as it must to describe them
VHASHIFY_SYSCONFDIR=$E run_vh --plugin-dir "$P" --list-backends
check "--list-backends lists the loaded plugins" \
	out_has "dpkg           ABI"
check "--list-backends loads the others (the marker says so)" \
	test -e "$T/marker"
done_testing

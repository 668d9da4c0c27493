#!/bin/sh
# The detection table's order: a drop-in rule with a priority outranks
# or yields to a shipped rule (equal priority: the order read), every
# backend with evidence still applies, and the priority decides which
# os-release rule applies; a rule can say what must be absent. Whatever
# the order, no backend's include (portage's CONFIG_PROTECT_MASK) shares
# another backend's configuration file.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
[ -f "$VHASHIFY_PLUGIN_DIR/dpkg.so" ] || skip_all "the dpkg backend was not built"
[ -f "$TEST_PLUGIN_DIR/good.so" ] || skip_all "the test plugins were not built"
plan 17

P=$T/plugins
mkdir -p "$P"
ln -s "$VHASHIFY_PLUGIN_DIR/exclude-file.so" "$VHASHIFY_PLUGIN_DIR/dpkg.so" \
	"$VHASHIFY_PLUGIN_DIR/portage.so" "$TEST_PLUGIN_DIR/good.so" "$P/"
E=$T/etc
mkdir -p "$E/detect.d"
cp "$VHASHIFY_SYSCONFDIR/exclude" "$VHASHIFY_SYSCONFDIR/detect.yaml" "$E/"
export VHASHIFY_SYSCONFDIR=$E
# the shipped rules that a dpkg database and os-release debian match
db_line=$(grep -n -m1 -A1 'backend: dpkg' "$E/detect.yaml" |
	sed -n '1s/:.*//p')
DPKG="dpkg ($E/detect.yaml line $db_line)"
GOOD="good ($E/detect.d/50-good.yaml line 2)"

# dropin CONDITIONS...: the drop-in rule for "good", one line each
dropin() {
	{ printf 'rules:\n  - backend: good\n'
	  for c in "$@"; do printf '    %s\n' "$c"; done; } \
		>"$E/detect.d/50-good.yaml"
}
detect() { run_vh --plugin-dir "$P" --detect "$@"; }

# g1, g2: a dpkg database with a conffile outside /etc, evidence of
# "good" (/good/db), a file "good" keeps private and one to share
for g in g1 g2; do
	mkfile "$T/$g/var/lib/dpkg/status" "Package: dalpha
Status: install ok installed
Version: 1
Conffiles:
 /usr/share/dalpha/d.conf 0123456789abcdef0123456789abcdef

"
	mkfile "$T/$g/good/db" "good"
	mkfile "$T/$g/usr/share/dalpha/d.conf" "conf"
	mkfile "$T/$g/usr/share/keep" "keep"
	mkfile "$T/$g/usr/share/data" "data"
done
find "$T/g1" "$T/g2" -exec touch -h -d @1700000000 {} +

dropin 'exists: /good/db' 'priority: 10'
detect "$T/g1"
check "a drop-in of priority 10 outranks the shipped rule, both apply" \
	out_has "$T/g1: $GOOD + $DPKG"
run_vh --plugin-dir "$P" --store "$T/s" "$T/g1" "$T/g2"
check "the run applies both backends" status_is 0
check "what either backend names stays private, the rest is shared" \
	eval '! same_inode "$T/g1/usr/share/dalpha/d.conf" "$T/g2/usr/share/dalpha/d.conf" &&
	      ! same_inode "$T/g1/usr/share/keep" "$T/g2/usr/share/keep" &&
	      same_inode "$T/g1/usr/share/data" "$T/g2/usr/share/data"'
dropin 'exists: /good/db' 'priority: -10'
detect "$T/g1"
check "a drop-in of priority -10 yields to the shipped rule, both apply" \
	out_has "$T/g1: $DPKG + $GOOD"
dropin 'exists: /good/db'
detect "$T/g1"
check "a drop-in of the default priority comes after the shipped rules" \
	out_has "$T/g1: $DPKG + $GOOD"

# os-release rules: one applies, the one of the higher priority; an
# empty dpkg database is weak evidence, so they are tried
mkfile "$T/g3/var/lib/dpkg/status" ""
mkfile "$T/g3/etc/os-release" "ID=debian
"
dropin 'os-release: debian' 'priority: 10'
detect "$T/g3"
check "an os-release rule of priority 10 applies before the shipped one" \
	out_has "$GOOD; also matched: $E/detect.yaml line"
dropin 'os-release: debian' 'priority: -10'
detect "$T/g3"
check "of priority -10, the shipped one decides and it is not needed" \
	eval 'out_has "$T/g3: dpkg (" && ! grep -qF "+ good" "$T/out" &&
	      out_has "$E/detect.d/50-good.yaml line 2 (good: not needed: a rule before it decided)"'
cp -a "$T/g1" "$T/g5"
cp -a "$T/g3/etc" "$T/g5/"
dropin 'os-release: debian' 'priority: 1000'
detect "$T/g5"
check "no priority lifts an os-release rule over a database" \
	eval 'out_has "$T/g5: $DPKG;" &&
	      out_has "$E/detect.d/50-good.yaml line 2 (good: not needed: a package database decided)"'

# what must be absent
mkfile "$T/g4/good/db" "good"
dropin 'exists: /good/db' 'absent: /var/lib/dpkg/status'
detect "$T/g1" "$T/g4"
check "a rule whose absent path exists does not match" \
	eval 'out_has "$T/g1: $DPKG" && ! grep -q "g1: .*good" "$T/out"'
check "it matches where the path is absent" out_has "$T/g4: $GOOD"
dropin 'exists: /good/db' 'not-os-release: debian'
detect "$T/g3" "$T/g4"
check "not-os-release: the guest is not debian, or says nothing" \
	eval '! grep -q "g3: .*good" "$T/out" && out_has "$T/g4: $GOOD"'

# a Gentoo guest with a stray dpkg database whose conffile is under a
# CONFIG_PROTECT_MASK directory: portage's include must not share it,
# whether portage comes before dpkg or after
for g in p1 p2; do
	mkfile "$T/$g/etc/os-release" "ID=gentoo
"
	mkfile "$T/$g/var/db/pkg/app-misc/foo-1/CONTENTS" "dir /usr
"
	mkfile "$T/$g/usr/share/portage/config/make.globals" \
		'CONFIG_PROTECT="/etc"
CONFIG_PROTECT_MASK="/usr/share/m"
'
	mkfile "$T/$g/var/lib/dpkg/status" "Package: dbeta
Status: install ok installed
Version: 1
Conffiles:
 /usr/share/m/d.conf 0123456789abcdef0123456789abcdef

"
	mkfile "$T/$g/usr/share/m/d.conf" "conf"
	mkfile "$T/$g/usr/share/m/other" "other"
done
find "$T/p1" "$T/p2" -exec touch -h -d @1700000000 {} +
rm -f "$E/detect.d/50-good.yaml"
printf 'rules:\n  - backend: portage\n    exists: /var/db/pkg\n    os-release: gentoo\n    priority: 10\n' \
	>"$E/detect.d/50-portage.yaml"
run_vh --plugin-dir "$P" --detect "$T/p1"
check "a drop-in puts portage before dpkg" \
	out_has "$T/p1: portage ($E/detect.d/50-portage.yaml line 2) + dpkg ("
run_vh --plugin-dir "$P" -v --store "$T/s2" "$T/p1" "$T/p2"
check "portage first: dpkg's conffile under its mask stays private" \
	eval 'status_is 0 &&
	      ! same_inode "$T/p1/usr/share/m/d.conf" "$T/p2/usr/share/m/d.conf" &&
	      same_inode "$T/p1/usr/share/m/other" "$T/p2/usr/share/m/other"'
check "-v says the includes were left out" \
	out_has "backend portage, 1 include rules left out: another backend applies too"
rm "$E/detect.d/50-portage.yaml"
rm -rf "$T/s2"
for g in p1 p2; do
	cp -p "$T/$g/usr/share/m/d.conf" "$T/d.conf" &&
		mv "$T/d.conf" "$T/$g/usr/share/m/d.conf"
done
run_vh --plugin-dir "$P" --store "$T/s2" "$T/p1" "$T/p2"
check "dpkg first: its conffile stays private too" \
	eval 'status_is 0 &&
	      ! same_inode "$T/p1/usr/share/m/d.conf" "$T/p2/usr/share/m/d.conf"'

dropin 'exists: /good/db' 'priority: first'
detect "$T/g1"
check "a priority that is no number is refused with file and line" \
	eval 'status_is 2 && err_has "$E/detect.d/50-good.yaml'"'"' line 4: '"'"'priority'"'"' must be a whole number"'
dropin 'absent: /var/lib/dpkg/status'
detect "$T/g1"
check "a rule with nothing but what is absent is refused" \
	eval 'status_is 2 && err_has "$E/detect.d/50-good.yaml'"'"' line 2: what is absent is no evidence"'
done_testing

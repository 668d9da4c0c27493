#!/bin/sh
# A guest is its root directory: one given twice is treated once; a
# guest inside another, the host's root and a guest holding a store are
# refused (exit 2, nothing changed) unless --force-guest allows the
# latter two.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 19

for g in g1 g2; do
	mkfile "$T/$g/usr/a" "shared content"
	mkfile "$T/$g/usr/b" "more shared content"
	mkfile "$T/$g/usr/own" "only in $g"
done
# g1/srv/inner is a guest of its own inside g1, with a private file
mkfile "$T/g1/srv/inner/usr/a" "shared content"
mkfile "$T/g1/srv/inner/etc/secret" "shared content"
find "$T"/g? -exec touch -h -d @1700000000 {} +
$MANIFEST -i "$T/g1" >"$T/g1.before"

# the same guest three times over: once
run_vh --pkgmgr=none --store "$T/s" "$T/g2" "$T/g2/" "$T/g2//"
check "a guest given thrice runs" status_is 0
check "it is treated once, and said" \
	out_has "guest '$T/g2/' is guest '$T/g2': treated once"
check "its files are seen once" summary_is 3 "files seen"
check "one summary line for it" \
	test "$(grep -c "(hardlink):" "$T/out")" = 1
check "no temporary is left behind" \
	eval '! find "$T/g2" -name ".vhashify.tmp*" | grep -q .'
rm -rf "$T/s"

# a guest inside another: refused, naming both, before any change
run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g1/srv/inner"
check "a guest inside another is refused (status 2)" status_is 2
check "both are named" \
	err_has "guest '$T/g1/srv/inner' is inside guest '$T/g1': guests must not overlap"
run_vh --pkgmgr=none --store "$T/s" "$T/g1/srv/inner/" "$T/g2" "$T/g1"
check "so is one given before the outer one" \
	err_has "guest '$T/g1/srv/inner/' is inside guest '$T/g1'"
run_vh --restore --store "$T/s" "$T/g1" "$T/g1/srv/inner"
check "--restore refuses overlapping guests too" status_is 2
C=$T/vh.yaml
printf 'stores: [%s/s]\nguest-paths:\n  - %s/{name}\n  - %s/g1/srv/{name}\n' \
	"$T" "$T" "$T" >"$C"
run_vh -c "$C" --pkgmgr=none --all
check "--all refuses guests found inside others" \
	eval 'status_is 2 && err_has "is inside guest '"'$T/g1'"'"'
$MANIFEST -i "$T/g1" >"$T/g1.after"
check "nothing changed" \
	eval 'test ! -e "$T/s" && same_manifest "$T/g1.before" "$T/g1.after"'

# the host's root (a store that cannot be made: never a run over the
# host, whatever the code under test does)
run_vh -n --pkgmgr=none --store "$T/no/such/store" /
check "the host's root is refused as a guest" \
	eval 'status_is 2 && err_has "guest '"'/'"' is the host'"'"'s root directory: give --force-guest"'
run_vh -n --store "$T/no/such/store" --restore "$T/g2" /
check "also to restore" err_has "is the host's root directory"

# a store inside a guest, existing or to be made
run_vh --pkgmgr=none --store "$T/g2/usr/store" "$T/g2"
check "a guest holding a store to be made is refused" \
	eval 'status_is 2 && err_has "guest '"'$T/g2'"' holds store '"'$T/g2/usr/store'"'"'
check "and the store is not made" test ! -e "$T/g2/usr/store"
mkdir -p "$T/g2/usr/store"
run_vh --pkgmgr=none --store "$T/g2/usr/store" "$T/g1/srv/inner" "$T/g2"
check "a guest holding a store is refused" status_is 2
run_vh --pkgmgr=none --store "$T/g2/usr/store" --force-guest "$T/g2"
check "--force-guest takes it" status_is 0
check "and the store is left out of the walk" \
	eval 'grep -q "^    store: *1" "$T/out" ||
	      { diag "$(cat "$T/out")"; false; }'
check "the store's objects are linked once" \
	test "$(stat -c %h "$T/g2/usr/a")" = 2
done_testing

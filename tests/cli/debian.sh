#!/bin/sh
# End to end on two real Debian roots made by mmdebstrap (minbase,
# bookworm): the backend is detected, no conffile is linked, the rest of
# /usr is shared, every byte stays, and a second run reads nothing.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v mmdebstrap >/dev/null || skip_all "mmdebstrap is not installed"
plan 7

if ! mmdebstrap --variant=minbase --quiet bookworm "$T/d1" \
	>"$T/mmdebstrap.log" 2>&1; then
	diag "$(tail -n 5 "$T/mmdebstrap.log")"
	skip_all "mmdebstrap could not reach a Debian mirror"
fi
cp -a "$T/d1" "$T/d2"
$MANIFEST "$T/d1" >"$T/d1.before"

run_vh --detect "$T/d1"
check "the dpkg backend is detected" out_has "$T/d1: dpkg ("
run_vh --store "$T/s" "$T/d1" "$T/d2"
check "run exits 0" status_is 0

# every conffile dpkg knows, wherever it lives, stays apart
dpkg-query --admindir="$T/d1/var/lib/dpkg" -W -f='${Conffiles}\n' |
	awk 'NF >= 2 { print $1 }' >"$T/conffiles"
n=$(wc -l <"$T/conffiles")
linked=0
while read -r f; do
	[ -e "$T/d1$f" ] || continue
	if same_inode "$T/d1$f" "$T/d2$f"; then
		linked=$((linked + 1))
		diag "conffile linked: $f"
	fi
done <"$T/conffiles"
check "none of the $n conffiles is linked" test "$linked" = 0
check "there are conffiles to check" test "$n" -gt 20

# the rest of /usr is shared: every regular file but the few below
# --min-size or private by nature
total=$(find "$T/d1/usr" -type f -size +0 | wc -l)
shared=$(find "$T/d1/usr" -type f -size +0 -links +2 | wc -l)
diag "$shared of $total non-empty files in /usr are shared"
check "the files of /usr are shared" test "$shared" -ge $((total * 98 / 100))
$MANIFEST "$T/d1" >"$T/d1.after"
check "every path of the guest keeps its bytes and metadata" \
	same_manifest "$T/d1.before" "$T/d1.after"
run_vh --store "$T/s" "$T/d1" "$T/d2"
check "a second run finds the shared files unified" \
	summary_is "$((shared * 2))" "already unified"
done_testing

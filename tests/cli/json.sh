#!/bin/sh
# --json: the run report is one valid JSON document on stdout, with the
# same figures as the text summary, failures with path and error, and
# notes moved to stderr.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v jq >/dev/null || skip_all "jq is needed"
plan 7

# whether the jq filter is true of the file (quietly)
jq_true() { jq -e "$@" >/dev/null; }

for g in g1 g2; do
	mkfile "$T/$g/usr/share/a" "shared"
	mkfile "$T/$g/usr/share/b" "also shared"
	mkfile "$T/$g/usr/stuck/c" "cannot be replaced"
	ln -s a "$T/$g/usr/share/link"
done
find "$T" -exec touch -h -d @1700000000 {} +
cp -a "$T/g1" "$T/t1"; cp -a "$T/g2" "$T/t2"
run_vh --pkgmgr=none -n --store "$T/s0" "$T/t1" "$T/t2"
text_linked=$(sed -n 's/^ *would be linked: *\([0-9]*\).*/\1/p' "$T/out")

immutable=no
chattr +i "$T/g2/usr/stuck" 2>/dev/null && immutable=yes
# one guest after the other: g1's c is the object before g2's cannot link
run_vh --pkgmgr=none --json -v -j 1 --store "$T/s" "$T/g1" "$T/g2"
[ $immutable = yes ] && chattr -i "$T/g2/usr/stuck"
check "the report is valid JSON" jq_true . "$T/out"
check "it has the version and both guests" \
	jq_true '.version == 1 and (.guests | length) == 2 and .guests[0].method == "hardlink"' "$T/out"
check "its totals agree with the text summary of a dry run" \
	jq_true ".totals.linked + .totals.failed == $text_linked and .totals.skipped.symlink == 2" "$T/out"
check "-v notes go to stderr, not into the JSON" err_has "linked '$T/g1/usr/share/a'"
if [ $immutable = yes ]; then
	check "a failure is listed with its path and error" \
		jq_true '.guests[1].failures[0].path | endswith("/g2/usr/stuck/c")' "$T/out"
	check "the error is the message that was printed" \
		eval 'err_has "$(jq -r ".guests[1].failures[0].error" "$T/out")"'
	check "exit status 1 with failures" status_is 1
else
	for w in path error status; do
		skip "a failure is listed ($w)" "chattr +i does not work on $T"
	done
fi
done_testing

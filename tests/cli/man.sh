#!/bin/sh
# The man pages render without warnings, and vhashify(8) documents every
# option that --help lists.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v groff >/dev/null || skip_all "groff is not installed"
plan 4

M=$TESTS_SRCDIR/../man
for page in vhashify.8 vhashify.yaml.5 vhashify-backend.7; do
	groff -ww -man -Tutf8 -z "$M/$page" >"$T/warn" 2>&1
	check "$page renders without warnings" test ! -s "$T/warn"
done
vhashify --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/options"
missing=
while read -r opt; do
	grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$M/vhashify.8" ||
		missing="$missing $opt"
done <"$T/options"
[ -z "$missing" ] || diag "missing from vhashify(8):$missing"
check "vhashify(8) documents every option of --help" test -z "$missing"
done_testing

#!/bin/sh
# Exclude-list patterns: "//" and "/./" are taken as "/", a ".." is an
# error naming file and line, 100,000 open '[' are refused as quickly as
# any bad line; the report counts skipped directories apart from files.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 8

for g in g1 g2; do
	mkfile "$T/$g/usr/keep/x1" "kept apart"
	mkfile "$T/$g/usr/keep/y" "shared"
	mkfile "$T/$g/opt/a/b" "kept apart too"
	mkfile "$T/$g/srv/c" "shared"
	mkfile "$T/$g/etc/d" "excluded by the default list"
done
find "$T/g1" "$T/g2" -exec touch -h -d @1700000000 {} +

printf -- '- /usr//keep/./x*\n- //opt/.\n' >"$T/list"
run_vh --pkgmgr=none --exclude-from "$T/list" --store "$T/s" \
	"$T/g1" "$T/g2"
check "patterns with // and /./ run" status_is 0
check "a pattern with // and /./ matches what it names" \
	eval '! same_inode "$T/g1/usr/keep/x1" "$T/g2/usr/keep/x1" &&
	      ! same_inode "$T/g1/opt/a/b" "$T/g2/opt/a/b"'
check "files not named by them are linked" \
	eval 'same_inode "$T/g1/usr/keep/y" "$T/g2/usr/keep/y" &&
	      same_inode "$T/g1/srv/c" "$T/g2/srv/c"'
# /usr/keep/x1 twice; /opt and /etc twice, as directories
check "skipped counts files, directories apart" \
	eval 'summary_is 2 skipped && summary_is 4 "directories skipped"'

printf -- '- /ok\n# fine\n- /usr/lib/../../etc\n' >"$T/up"
run_vh --pkgmgr=none --exclude-from "$T/up" --store "$T/s" "$T/g1"
check "a '..' in a pattern is an error naming file and line" \
	eval '! status_is 0 2>/dev/null &&
	      err_has "'"'$T/up'"' line 3: '"'..'"' in pattern"'

awk 'BEGIN { printf "- /"; for (i = 0; i < 100000; i++) printf "[a";
	print "" }' >"$T/open"
run_vh --pkgmgr=none --exclude-from "$T/open" --store "$T/s" "$T/g1"
check "100,000 open '[' are refused, naming file and line" \
	err_has "'$T/open' line 1: unbalanced '[' in pattern"

if command -v jq >/dev/null; then
	vhashify --json --pkgmgr=none --exclude-from "$T/list" \
		--store "$T/s" "$T/g1" "$T/g2" >"$T/json" 2>"$T/err"
	check "JSON: directories_skipped counts the directories" \
		test "$(jq .totals.directories_skipped.excluded \
			"$T/json")" = 4
	# the default list alone: the /etc directories, no file
	vhashify --json --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2" \
		>"$T/json" 2>"$T/err"
	check "JSON: skipped counts files, no more than were seen" \
		jq -e '.totals | .skipped.excluded == 0 and
			.directories_skipped.excluded == 2 and
			([.skipped[]] | add) <= .files_seen' "$T/json"
else
	skip "JSON: directories_skipped counts the directories" "no jq"
	skip "JSON: skipped counts files, no more than were seen" "no jq"
fi
done_testing

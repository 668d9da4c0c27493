#!/bin/sh
# --json: the run report is one valid JSON document on stdout, with the
# same figures as the text summary, failures with path and error, and
# notes moved to stderr.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v jq >/dev/null || skip_all "jq is needed"
command -v python3 >/dev/null || skip_all "python3 is needed"
plan 12

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
# names that are not valid UTF-8, and the valid name 'ÿ' beside a raw
# 0xff: strict parsers accept the document, and every name comes back
# with its own bytes (NAME_hex when it is not UTF-8)
W=$T/w
# unhex HEX: the bytes HEX stands for (dash's printf has no \x)
unhex() {
	local h=$1
	while [ -n "$h" ]; do
		printf "\\$(printf %03o "0x${h%"${h#??}"}")"
		h=${h#??}
	done
}
names="c0af eda080 ff f4908080 c3bf 01"
for h in $names; do
	d=$W/x$(unhex "$h")
	mkfile "$d/usr/f" "same"
	mkfile "$d/usr/stuck/$(basename "$d")" "stuck"
done
find "$W" -exec touch -h -d @1700000000 {} +
immutable=no
for d in "$W"/*/usr/stuck; do chattr +i "$d" 2>/dev/null && immutable=yes; done
run_vh --pkgmgr=none --json -j 1 --store "$T/s" "$W"/*
[ $immutable = yes ] && for d in "$W"/*/usr/stuck; do chattr -i "$d"; done
check "a report with such names is strict UTF-8 JSON" \
	python3 -c 'import json, sys; json.loads(open(sys.argv[1], encoding="utf-8", errors="strict").read())' "$T/out"
check "jq reads it too" jq_true . "$T/out"
# the names of the report as hex, one a line, in the report's order
names_hex() {
	python3 - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
for g in doc["guests"]:
    for o, k in [(g, "guest")] + [(f, "path") for f in g["failures"]]:
        if k == sys.argv[2]:
            raw = bytes.fromhex(o[k + "_hex"]) if k + "_hex" in o \
                else o[k].encode("utf-8")
            print(raw.hex())
PY
}
want=$(for d in "$W"/*; do printf '%s' "$d" | od -An -tx1 | tr -d ' \n'; echo; done)
check "every guest name comes back with its bytes" \
	eval 'test "$(names_hex "$T/out" guest)" = "$want"'
check "'ÿ' and a raw 0xff are two names" \
	eval 'test "$(jq "[.guests[] | select(.guest_hex == null and (.guest | endswith(\"/x\u00ff\")))] | length" "$T/out")" = 1 &&
	      test "$(jq "[.guests[] | select(.guest_hex != null and (.guest_hex | endswith(\"2f78ff\")))] | length" "$T/out")" = 1'
if [ $immutable = yes ]; then
	# the first guest's file is the object: the others cannot link
	want=$(for d in "$W"/*; do printf '%s/usr/stuck/%s' "$d" "$(basename "$d")" | od -An -tx1 | tr -d ' \n'; echo; done | sed 1d)
	check "every other failure's path comes back with its bytes" \
		eval 'test "$(names_hex "$T/out" path)" = "$want"'
else
	skip "every other failure's path comes back with its bytes" \
		"chattr +i does not work on $T"
fi
done_testing

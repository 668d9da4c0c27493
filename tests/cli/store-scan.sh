#!/bin/sh
# A run reads the store's names once: store_open() lists each fan-out
# directory once, and that one listing gives both the store's inode
# set and the objects map the run checks objects against (objmap.h).
# Counted with strace: each listing of a directory ends in a
# getdents64() that returns 0.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v strace >/dev/null || skip_all "strace is needed"
plan 6

# guests NAME...: files of contents shared by all and one of each
guests() {
	local g i
	for g in "$@"; do
		for i in 1 2 3 4 5 6 7 8; do
			mkfile "$T/$g/usr/lib/lib$i.so" "library $i"
		done
		mkfile "$T/$g/usr/share/own" "own file of $g"
		find "$T/$g" -exec touch -h -d @1700000000 {} +
	done
}

# listings TRACE: "DIR COUNT" for each fan-out directory listed
listings() {
	local fanout='\(.*/objects/[0-9a-f][0-9a-f]\)'
	sed -n "s|^[0-9]* *getdents64([0-9]*<$fanout>.*) = 0\$|\\1|p" "$1" |
		sort | uniq -c | awk '{ print $2, $1 }'
}

# traced ARGS...: run_vh under strace into $T/trace
traced() {
	vh_status=0
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -y -e trace=getdents64 -o "$T/trace" \
		vhashify "$@" >"$T/out" 2>"$T/err" || vh_status=$?
}

# once WHAT: every one of the 256 fan-out directories listed once
once() {
	local n more
	listings "$T/trace" >"$T/listed"
	n=$(wc -l <"$T/listed")
	more=$(awk '$2 != 1' "$T/listed")
	[ "$n" = 256 ] && [ -z "$more" ] && return 0
	diag "$1: $n fan-out directories listed; more than once:" "$more"
	return 1
}

guests g1 g2
run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
check "the first run exits 0" status_is 0

traced --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
check "a re-run exits 0 and finds every file unified" \
	eval 'status_is 0 && summary_is 18 "already unified"'
check "a re-run lists each fan-out directory once" once "re-run"

traced --pkgmgr=none --store "$T/s" --dry-run "$T/g1" "$T/g2"
check "a dry run lists each fan-out directory once" once "dry run"

# a new guest: its objects are made, and the run checks the others
guests g3
traced --pkgmgr=none --store "$T/s" --jobs 2 "$T/g3" "$T/g1"
check "adding a guest lists each fan-out directory once" \
	eval 'status_is 0 && once "new guest"'
check "the new guest's files are linked to the objects" \
	same_inode "$T/g3/usr/lib/lib1.so" "$T/g1/usr/lib/lib1.so"

done_testing

#!/bin/bash
# Crash safety: vhashify is killed with SIGKILL at random moments while
# it hashifies, restores and collects garbage over three guests. After
# every kill each guest path other than a directory holds its original
# bytes, mode, owner, mtime and xattrs (a directory's mtime may show the
# kill: vhashify gives it back only once done with the directory); at
# the end one complete run removes the leftovers and reaches the state
# an uninterrupted run reaches.
# VHASHIFY_LONG_TESTS=1 makes 1000 kills instead of 100.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
KILLS=100
[ "${VHASHIFY_LONG_TESTS:-0}" = 1 ] && KILLS=1000
plan 5

mkguests() {
	local top=$1 g i
	for g in g1 g2 g3; do
		for i in $(seq 1 40); do
			mkfile "$top/$g/usr/share/s$i" "shared file $i"
			mkfile "$top/$g/usr/lib/own$i" "own $g $i"
		done
		for i in 1 2 3 4 5 6; do
			mkdir -p "$top/$g/usr/big"
			head -c $((i * 700000)) /dev/zero | tr '\0' "$i" \
				>"$top/$g/usr/big/b$i"
		done
		mkfile "$top/$g/usr/bin/tool" "#!/bin/sh" 0755
		chown 7:8 "$top/$g/usr/share/s1"
		setfattr -n user.k -v v "$top/$g/usr/share/s2" 2>/dev/null || :
	done
	find "$top" -exec touch -h -d @1700000000 {} +
}

# the guests' files and their metadata, leaving our temporaries aside
state() {
	local g
	for g in g1 g2 g3; do
		$MANIFEST "$1/$g" | grep -v -e '\.vhashify\.tmp\.' -e '^[^ ]* d '
	done
}

# which paths share an inode, as groups of paths
groups() {
	find "$1"/g? -type f -printf '%i %P\n' | sort -n |
		awk '{ if ($1 != last && NR > 1) print line; if ($1 != last) line = $2; else line = line " " $2; last = $1 } END { print line }' |
		sort
}

# the reference: one uninterrupted run
mkguests "$T/ref"
vhashify --pkgmgr=none --store "$T/ref/store" "$T"/ref/g? >/dev/null 2>&1
groups "$T/ref" >"$T/ref.groups"

mkguests "$T/w"
state "$T/w" >"$T/original"
broken=0 killed=0
for k in $(seq 1 "$KILLS"); do
	# the kill comes within the time such a run takes here
	case $((k % 3)) in
	0) args="--restore $T/w/g1" ms=15 ;;
	1) args="--pkgmgr=none $T/w/g1 $T/w/g2 $T/w/g3" ms=60 ;;
	2) args="--gc" ms=3 ;;
	esac
	vhashify --store "$T/w/store" $args >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf '%03d' $((RANDOM % ms)))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	state "$T/w" >"$T/now"
	if ! cmp -s "$T/original" "$T/now"; then
		broken=$((broken + 1))
		diag "after kill $k ($args):" "$(diff "$T/original" "$T/now" | head -n 5)"
	fi
done
diag "$killed of $KILLS runs were killed before they ended"
check "every guest path kept its bytes and metadata after each of $KILLS kills" \
	test "$broken" = 0
check "a good share of the runs were killed mid-way" \
	test "$killed" -ge $((KILLS / 3))

run_vh --pkgmgr=none --store "$T/w/store" "$T/w/g1" "$T/w/g2" "$T/w/g3"
check "the next run finishes" status_is 0
check "it removes the leftovers" \
	test -z "$(find "$T/w" -name '.vhashify.tmp.*')"
groups "$T/w" >"$T/w.groups"
check "and reaches the state of an uninterrupted run" \
	same_manifest "$T/ref.groups" "$T/w.groups"
done_testing

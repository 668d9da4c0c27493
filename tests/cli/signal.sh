#!/bin/sh
# SIGTERM during a run: the file at hand is finished, no other is taken,
# the summary is printed, the exit status is 143 (128 + 15), and no
# temporary is left in any guest or in the store; the walk stops too, no
# other directory is listed and no other guest read.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 5

for g in g1 g2; do
	for d in $(seq 1 40); do
		mkdir -p "$T/$g/usr/d$d"
		for i in $(seq 1 150); do
			printf 'file %s %s\n' "$d" "$i" >"$T/$g/usr/d$d/f$i"
		done
	done
done
find "$T/g1" "$T/g2" -exec touch -h -d @1700000000 {} +
vh_status=0
vhashify --pkgmgr=none --store "$T/s" -j 1 "$T/g1" "$T/g2" \
	>"$T/out" 2>"$T/err" &
pid=$!
# once the first object is made, the run is linking files
n=0
while [ -z "$(find "$T/s/objects" -type f 2>/dev/null | head -n 1)" ] &&
      [ $n -lt 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -TERM "$pid"
wait "$pid" || vh_status=$?
check "a run stopped by SIGTERM exits 143" status_is 143
check "it says so" err_has "stopped by signal 15"
check "it prints its summary" out_has "files seen"
seen=$(sed -n 's/^ *files seen: *\([0-9]*\).*/\1/p' "$T/out")
diag "files seen: $seen of 12000"
check "the walk stops too: not half of the 12,000 files are seen" \
	test "${seen:-12000}" -lt 6000
check "no temporary is left" test -z "$(find "$T/g1" "$T/g2" "$T/s/tmp" \
	-name '.vhashify.tmp.*' -o -path "$T/s/tmp/*")"
done_testing

#!/bin/sh
# A run waits for the store lock at most --lock-timeout seconds: then it
# gives up with exit 2, names the store and the holder's pid, and
# changes nothing; a lock let go in time is taken.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v flock >/dev/null || skip_all "flock (util-linux) is needed"
command -v timeout >/dev/null || skip_all "timeout (coreutils) is needed"
plan 7

mkfile "$T/g1/usr/a" "content"
mkfile "$T/g2/usr/a" "content"
touch -d @1700000000 "$T/g1/usr/a" "$T/g2/usr/a"
run_vh --pkgmgr=none --store "$T/s" "$T/g1"	# makes the store
check "the store is made" status_is 0

flock -x -o "$T/s/lock" sleep 60 &
holder=$!
sleep 0.5
pid=$(sed -n "s/^[0-9]*: FLOCK *ADVISORY *WRITE \([0-9]*\) .*:$(stat -c %i "$T/s/lock") .*/\1/p" /proc/locks)
vh_status=0
timeout 60 vhashify --pkgmgr=none --store "$T/s" --lock-timeout 1 \
	"$T/g1" "$T/g2" >"$T/out" 2>"$T/err" || vh_status=$?
check "a run that cannot lock the store in time exits 2" status_is 2
check "it says who holds the lock and for how long" \
	err_has "store '$T/s' is locked by another run (pid $pid) for more than 1 seconds"
check "it changed nothing" eval '! same_inode "$T/g1/usr/a" "$T/g2/usr/a"'
run_vh --pkgmgr=none --store "$T/s" --lock-timeout 0 "$T/g1" "$T/g2"
check "--lock-timeout 0 does not wait" status_is 2
kill "$holder"
wait "$holder" 2>/dev/null

flock -x -o "$T/s/lock" sleep 1 &
sleep 0.3
run_vh --pkgmgr=none --store "$T/s" --lock-timeout 30 "$T/g1" "$T/g2"
check "a lock let go in time is taken" status_is 0
check "and the run does its work" same_inode "$T/g1/usr/a" "$T/g2/usr/a"
wait
done_testing

#!/bin/sh
# A run waits for the store lock at most --lock-timeout seconds: then it
# gives up with exit 2, names the store and the holder's pid, and
# changes nothing; a lock let go in time is taken.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v flock >/dev/null || skip_all "flock (util-linux) is needed"
command -v timeout >/dev/null || skip_all "timeout (coreutils) is needed"
plan 11

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
# lock-timeout: in vhashify.yaml, which --lock-timeout overrides
printf 'lock-timeout: 1\n' >"$T/one.yaml"
vh_status=0
timeout 60 vhashify --config "$T/one.yaml" --pkgmgr=none --store "$T/s" \
	"$T/g1" "$T/g2" >"$T/out" 2>"$T/err" || vh_status=$?
check "lock-timeout: 1 in vhashify.yaml gives up after 1 second" \
	eval 'status_is 2 && err_has "for more than 1 seconds"'
printf 'lock-timeout: 3600\n' >"$T/hour.yaml"
vh_status=0
timeout 60 vhashify --config "$T/hour.yaml" --lock-timeout 0 --pkgmgr=none \
	--store "$T/s" "$T/g1" "$T/g2" >"$T/out" 2>"$T/err" || vh_status=$?
check "--lock-timeout overrides it" \
	eval 'status_is 2 && err_has "for more than 0 seconds"'
kill "$holder"
wait "$holder" 2>/dev/null
printf 'lock-timeout: soon\n' >"$T/bad.yaml"
run_vh --config "$T/bad.yaml" --pkgmgr=none --store "$T/s" "$T/g1"
check "a lock-timeout that is no number of seconds is refused" status_is 2
check "naming file and line" err_has "'$T/bad.yaml' line 1: 'lock-timeout'"

flock -x -o "$T/s/lock" sleep 1 &
sleep 0.3
run_vh --pkgmgr=none --store "$T/s" --lock-timeout 30 "$T/g1" "$T/g2"
check "a lock let go in time is taken" status_is 0
check "and the run does its work" same_inode "$T/g1/usr/a" "$T/g2/usr/a"
wait
done_testing

#!/bin/sh
# Usage and configuration errors exit 2 and change nothing; --help and
# --version work; a failing file makes the exit status 1.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 18

mkfile "$T/g1/usr/a" "content"
mkfile "$T/g2/usr/a" "content"
touch -d @1700000000 "$T/g1/usr/a" "$T/g2/usr/a"

run_vh --help
check "--help exits 0" status_is 0
check "--help documents the exit status" out_has "Exit status:"
check "--help lists --dry-run" out_has "--dry-run"
run_vh --version
check "--version prints the version" out_has "vhashify "

run_vh --pkgmgr=none --store "$T/s"
check "no guest is a usage error" status_is 2
check "no guest is said" err_has "no guest given"
run_vh --frobnicate "$T/g1"
check "an unknown option is a usage error" status_is 2
run_vh --pkgmgr=none --store "$T/s" --min-size lots "$T/g1"
check "a bad size is a usage error naming it" err_has "invalid size 'lots'"
run_vh --pkgmgr=none --store "$T/s" --method bogus "$T/g1"
check "an unknown method is a usage error" status_is 2

run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/missing"
check "a missing guest is a configuration error" status_is 2
check "a missing guest is named" err_has "cannot open guest '$T/missing'"
check "nothing changed after a configuration error" test ! -e "$T/s"

mkdir "$T/notstore"
mkfile "$T/notstore/precious" "keep me"
run_vh --pkgmgr=none --store "$T/notstore" "$T/g1"
check "a non-empty directory is not taken as a store" status_is 2

run_vh --pkgmgr=none --store "$T/s" --hash sha256 "$T/g1"
run_vh --pkgmgr=none --store "$T/s" --hash xxh3-128 "$T/g2"
check "a store's hash method must match" err_has "uses hash 'sha256', not 'xxh3-128'"

if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ]
then
	run_vh --pkgmgr=none --store "$T/s" /dev/shm
	check "a guest without a store on its filesystem is an error" \
		err_has "no store on the filesystem of guest '/dev/shm'"
else
	skip "a guest without a store on its filesystem is an error" \
		"no second filesystem at /dev/shm"
fi

# a file that cannot be replaced fails; the run goes on past it
mkfile "$T/g3/usr/a" "content"
mkfile "$T/g3/usr/b/c" "more content"
mkfile "$T/g4/usr/b/c" "more content"
find "$T/g3" "$T/g4" -exec touch -h -d @1700000000 {} +
if chattr +i "$T/g3/usr" 2>/dev/null; then
	run_vh --pkgmgr=none --store "$T/s" "$T/g3" "$T/g4"
	chattr -i "$T/g3/usr"
	check "a file that cannot be linked gives exit status 1" status_is 1
	check "the failure names the file" err_has "cannot link '$T/g3/usr/a'"
	check "the run goes on past a failure" \
		same_inode "$T/g3/usr/b/c" "$T/g4/usr/b/c"
else
	for what in "exit status 1" "the failure names the file" \
		    "the run goes on past a failure"; do
		skip "$what" "chattr +i does not work on $T"
	done
fi
done_testing

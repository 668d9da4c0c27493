#!/bin/sh
# Progress: a line on stderr when it is a terminal (script(1) gives one),
# nothing when it is not, nothing with --quiet. A file whose hash takes
# a second or more is named on the line (strace slows its reads).
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v script >/dev/null || skip_all "script (bsdutils) is needed"
plan 4

for g in g1 g2; do
	for i in $(seq 1 400); do mkfile "$T/$g/usr/f$i" "file $i"; done
done
cmd="vhashify --pkgmgr=none --refresh --store $T/s $T/g1 $T/g2"
run_vh --pkgmgr=none --store "$T/s" "$T/g1" "$T/g2"
# "no progress" counts only from a run that went to its end
check "without a terminal there is no progress" \
	eval 'status_is 0 && out_has "files seen" && ! grep -q "\[1/2\]" "$T/err"'
script -qec "$cmd" /dev/null >"$T/tty" 2>&1 || :
check "on a terminal a progress line shows guest, files and rate" \
	grep -aq '\[1/2\] .*files, .*MiB/s' "$T/tty"
tty_status=0
script -qec "$cmd --quiet" /dev/null >"$T/tty2" 2>&1 || tty_status=$?
check "--quiet shows no progress" eval '[ $tty_status = 0 ] &&
	grep -aq "files seen" "$T/tty2" && ! grep -aq "\[1/2\]" "$T/tty2"'

if command -v strace >/dev/null; then
	head -c $((4 * 1024 * 1024)) /dev/urandom >"$T/slow/usr/big" 2>/dev/null ||
		{ mkdir -p "$T/slow/usr" &&
		  head -c $((4 * 1024 * 1024)) /dev/urandom >"$T/slow/usr/big"; }
	# 16 reads of 256 KiB, each held 0.15 s: 2.4 s for the one file
	script -qec "strace -f -o /dev/null -e trace=pread64 \
		-e inject=pread64:delay_exit=150000 \
		vhashify --pkgmgr=none --store $T/s2 $T/slow" /dev/null \
		>"$T/tty3" 2>&1 || :
	check "a file that takes a second to hash is named, with what is done" \
		grep -aq "hashing '$T/slow/usr/big': .* MiB done" "$T/tty3"
else
	skip "a file that takes a second to hash is named" "strace is needed"
fi
done_testing

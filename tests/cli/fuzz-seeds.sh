#!/bin/sh
# Every libFuzzer harness, built with a plain main (tests/fuzz/replay.c),
# runs its seed corpus whole and cut short without a crash: the
# harnesses keep building against the code they fuzz, and CI runs this
# under AddressSanitizer and UndefinedBehaviorSanitizer too.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
# one per harness, tests/fuzz/fuzz_NAME.c
names=$(for f in "$TESTS_SRCDIR"/fuzz/fuzz_*.c; do
	f=${f##*/fuzz_}
	echo "${f%.c}"
done)
plan "$(echo "$names" | wc -l)"

for name in $names; do
	set -- "$TESTS_SRCDIR/fuzz/corpus/$name"/*
	if [ ! -e "$1" ]; then
		fail "$name: a seed corpus in tests/fuzz/corpus/$name"
		continue
	fi
	# the harnesses' parsers may print what they refuse: not counted
	if "$TOP_BUILDDIR/tests/fuzz/replay-$name" "$@" >"$T/out" 2>"$T/err"
	then
		pass "$name: $(tail -n 1 "$T/out")"
	else
		diag "$(tail -n 20 "$T/err")"
		fail "$name: its harness crashed or failed on a seed"
	fi
done
done_testing

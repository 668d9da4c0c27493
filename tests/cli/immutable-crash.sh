#!/bin/bash
# --immutable and SIGKILL: a run killed while it has cleared an object's
# immutable flag (stopped there with strace's syscall delay) leaves the
# object writable; --verify reports that, and the next run, --immutable
# or not, sets the flag again, naming the object. Then kills at random
# moments of --immutable runs (5 here, 200 with VHASHIFY_LONG_TESTS=1):
# after each, one complete run leaves every object immutable.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v lsattr >/dev/null || skip_all "lsattr (e2fsprogs) is needed"
command -v strace >/dev/null || skip_all "strace is needed"
chattr +i "$T" 2>/dev/null && chattr -i "$T" ||
	skip_all "cannot set the immutable flag here"
KILLS=5
[ "${VHASHIFY_LONG_TESTS:-0}" = 1 ] && KILLS=200
plan 13
trap 'chattr -R -i "$T" 2>/dev/null; rm -rf "$T"' EXIT

S=$T/s
mkguest() {
	local i
	for i in $(seq 1 30); do mkfile "$1/usr/share/f$i" "shared file $i"; done
	mkfile "$1/usr/bin/tool" "#!/bin/sh" 0755
	find "$1" -exec touch -h -d @1700000000 {} +
}
# every object of the store has the flag
all_immutable() {
	[ -n "$(find "$S/objects" -type f)" ] &&
	! find "$S/objects" -type f -exec lsattr {} + | cut -c1-20 | grep -qv i
}
for g in g1 g2 g3; do mkguest "$T/$g"; done
run_vh --pkgmgr=none --immutable --store "$S" "$T/g1" "$T/g2"
check "an --immutable run exits 0, every object immutable" \
	eval 'status_is 0 && all_immutable'

# g3 links to the objects: stop its first link (the flag is cleared
# then) with a delay, and kill it there
strace -f -o /dev/null -e trace=linkat -e inject=linkat:delay_exit=5000000 \
	vhashify --pkgmgr=none --immutable -j 1 --store "$S" "$T/g3" \
	>/dev/null 2>&1 &
spid=$!
for i in $(seq 1 100); do
	[ -n "$(find "$T/g3" -name '.vhashify.tmp.*')" ] && break
	sleep 0.1
done
vpid=$(ps -o pid= --ppid "$spid" | tr -d ' ')
[ -n "$vpid" ] && kill -9 "$vpid"
kill -9 "$spid" 2>/dev/null	# strace would sit out the delay
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
obj=$(find "$S/objects" -type f -exec lsattr {} + | cut -c1-20,23- |
	awk '$1 !~ /i/ { print $2 }')
check "the kill left an object writable (the crash this is about)" \
	test -n "$obj" -a "$(echo "$obj" | wc -l)" = 1
run_vh --store "$S" --verify --dry-run
check "--verify --dry-run reports the object that is not immutable" \
	eval 'status_is 1 && err_has "'\''$obj'\'': not immutable, in an immutable store"'
run_vh --pkgmgr=none --store "$S" "$T/g1" "$T/g2"
check "the next run (all unified, no --immutable) exits 0" status_is 0
check "it set the flag again, naming the object" \
	eval 'all_immutable && err_has "'\''$obj'\'' was not immutable"'
check "and the store's note of cleared flags is gone" \
	test ! -e "$S/immutable-pending"
run_vh --store "$S" --verify
check "--verify finds every object good" status_is 0

# a flag cleared by someone else: --verify reports it
o=$(find "$S/objects" -type f | head -n 1)
chattr -i "$o"
run_vh --store "$S" --verify --dry-run
check "--verify reports an object whose flag someone cleared" \
	eval 'status_is 1 && err_has "not immutable, in an immutable store"'
chattr +i "$o"

# gc clears an unreferenced object's flag to unlink it; when the unlink
# fails (its fan-out directory made immutable), the flag comes back
run_vh --store "$S" --restore "$T/g1" "$T/g2" "$T/g3"
fan=$(dirname "$(find "$S/objects" -type f | head -n 1)")
chattr +i "$fan"
run_vh --store "$S" --gc
chattr -i "$fan"
check "gc whose unlink fails exits 1" status_is 1
check "and leaves every object immutable" all_immutable

# kills at random moments, each followed by one complete run
broken=0
for k in $(seq 1 "$KILLS"); do
	chattr -R -i "$T" 2>/dev/null
	rm -rf "$S" "$T"/g?
	for g in g1 g2 g3 g4; do mkguest "$T/$g"; done
	vhashify --pkgmgr=none --immutable --store "$S" "$T/g1" "$T/g2" \
		>/dev/null 2>&1
	vhashify --pkgmgr=none --immutable --store "$S" "$T/g3" "$T/g4" \
		>/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf '%03d' $((RANDOM % 40)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	vhashify --pkgmgr=none --store "$S" "$T/g1" "$T/g2" >/dev/null 2>&1
	all_immutable || broken=$((broken + 1))
done
check "after each of $KILLS kills the next run left every object immutable" \
	test "$broken" = 0
run_vh --pkgmgr=none --store "$S" "$T"/g?
check "a run over all guests then exits 0" status_is 0
check "and every object is immutable" all_immutable
done_testing

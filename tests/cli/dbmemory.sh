#!/bin/sh
# Memory against the size of the guests' package databases: a run holds
# the exclusions of the guests being worked on, not of all, in a compact
# form, and a guest whose backends name more than exclusions-limit is
# left alone, said, while the others are worked on.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
[ -x /usr/bin/time ] || skip_all "GNU time (/usr/bin/time) is needed"
plan 18

status_awk=$TESTS_SRCDIR/tools/dpkg-status.awk
conffile=etc/pkg-000001/conf.d/00-settings-of-this-package.conf

# rss ARGS...: runs vhashify as run_vh does; its peak RSS in KiB in $rss
rss() {
	vh_status=0
	/usr/bin/time -f %M -o "$T/time" vhashify "$@" >"$T/out" 2>"$T/err" ||
		vh_status=$?
	rss=$(tail -n 1 "$T/time")
}

# AddressSanitizer keeps freed memory in quarantine: RSS says nothing
asan=
ldd "$(command -v vhashify)" 2>/dev/null | grep -q libasan &&
	asan="RSS means nothing under AddressSanitizer"

# four guests, each with a dpkg status of 56 MiB and 500,000 conffiles
awk -v n=500000 -v mib=56 -f "$status_awk" >"$T/status"
for g in g1 g2 g3 g4; do
	mkdir -p "$T/$g/var/lib/dpkg"
	ln "$T/status" "$T/$g/var/lib/dpkg/status"
	mkfile "$T/$g/usr/a" "shared"
	mkfile "$T/$g/$conffile" "configuration"
	touch -d @1700000000 "$T/$g/usr/a" "$T/$g/$conffile"
done
rss --store "$T/s" --pkgmgr=dpkg --jobs 2 -q "$T/g1" "$T/g2" "$T/g3" "$T/g4"
check "four guests with 56 MiB statuses: run exits 0" status_is 0
check "a conffile of such a status is not linked" \
	eval '! same_inode "$T/g1/$conffile" "$T/g2/$conffile"'
check "other files are" same_inode "$T/g1/usr/a" "$T/g4/usr/a"
diag "peak RSS, 4 guests, --jobs 2: $rss KiB"
if [ -n "$asan" ]; then
	skip "peak RSS of 4 guests, --jobs 2, below 128 MiB" "$asan"
else
	# the exclusions of all four at once took 390 MiB
	check "peak RSS of 4 guests, --jobs 2, below 128 MiB" \
		test "$rss" -lt $((128 * 1024))
fi
rss --store "$T/s" --pkgmgr=dpkg --jobs 1 -v "$T/g1"
one=$rss
check "every conffile of the status is read, piece by piece" \
	out_has "guest '$T/g1': backend dpkg, 500010 exclusion rules"
rss --store "$T/s" --pkgmgr=dpkg --jobs 1 -q "$T/g1" "$T/g2" "$T/g3" "$T/g4"
diag "peak RSS, --jobs 1: 1 guest $one KiB, 4 guests $rss KiB"
if [ -n "$asan" ]; then
	skip "with --jobs 1, 4 guests take less than 1.5 times 1 guest" "$asan"
else
	check "with --jobs 1, 4 guests take less than 1.5 times 1 guest" \
		test "$rss" -lt $((one * 3 / 2))
fi
# a guest's exclusions are held while it is worked on, and their memory
# goes back when it is done: the next guest's are not added on top of
# them in another thread's malloc arena (they took 1.6 times one guest)
rss --store "$T/s" --pkgmgr=dpkg --jobs 2 -q "$T/g1" "$T/g2" "$T/g3" "$T/g4"
diag "peak RSS, --jobs 2: 4 guests $rss KiB"
if [ -n "$asan" ]; then
	skip "with --jobs 2, 4 guests take less than 1.3 times 1 guest" "$asan"
else
	check "with --jobs 2, 4 guests take less than 1.3 times 1 guest" \
		test "$rss" -lt $((one * 13 / 10))
fi

# exclusions-limit: g5 names more, g6 and g7 less
printf 'exclusions-limit: 1M\n' >"$T/limit.yaml"
awk -v n=20000 -v mib=2 -f "$status_awk" >"$T/big"
awk -v n=100 -v mib=0 -f "$status_awk" >"$T/small"
for g in g5 g6 g7; do
	mkdir -p "$T/$g/var/lib/dpkg"
	mkfile "$T/$g/usr/a" "shared too"
	mkfile "$T/$g/$conffile" "configuration"
	touch -d @1700000000 "$T/$g/usr/a" "$T/$g/$conffile"
done
cp "$T/big" "$T/g5/var/lib/dpkg/status"
cp "$T/small" "$T/g6/var/lib/dpkg/status"
cp "$T/small" "$T/g7/var/lib/dpkg/status"
run_vh --config "$T/limit.yaml" --store "$T/s" --pkgmgr=dpkg \
	"$T/g5" "$T/g6" "$T/g7"
check "a guest beyond exclusions-limit fails the run (status 1)" status_is 1
check "the error names the guest, the backend and the limit" \
	err_has "leaving guest '$T/g5' alone: backend 'dpkg' names more configuration files than exclusions-limit allows (1048576 bytes)"
check "none of its files is linked" \
	eval '! same_inode "$T/g5/usr/a" "$T/g6/usr/a" &&
	      test "$(stat -c %h "$T/g5/usr/a")" = 1'
check "the guests within the limit are worked on" \
	same_inode "$T/g6/usr/a" "$T/g7/usr/a"
check "and keep their conffiles" \
	eval '! same_inode "$T/g6/$conffile" "$T/g7/$conffile"'
check "the summaries are those of the guests worked on, in order" \
	eval 'grep "^guest" "$T/out" | cut -d"'"'"'" -f2 >"$T/order" &&
	      printf "%s\n" "$T/g6" "$T/g7" | cmp -s - "$T/order"'
vhashify --json --config "$T/limit.yaml" --store "$T/s" --pkgmgr=dpkg \
	"$T/g5" "$T/g6" >"$T/json" 2>/dev/null
check "--json gives the reason" \
	grep -q 'more configuration files than exclusions-limit allows' \
	"$T/json"

# a status with a line longer than the pieces it is read in, CRLF line
# ends and no newline at its end
mkdir -p "$T/g8/var/lib/dpkg" "$T/g9"
awk 'BEGIN { printf "Package: long\r\nDescription: "
	for (i = 0; i < 700000; i++) printf "x"
	printf "\r\nConffiles:\r\n /etc/a.conf 0123\r\n /etc/b.conf 4567" }' \
	>"$T/g8/var/lib/dpkg/status"
for g in g8 g9; do
	mkfile "$T/$g/etc/b.conf" "configuration"
	mkfile "$T/$g/usr/a" "shared"
	touch -d @1700000000 "$T/$g/etc/b.conf" "$T/$g/usr/a"
done
run_vh -v --store "$T/s" --pkgmgr=dpkg "$T/g8"
check "long lines, CRLF and no final newline: every conffile is read" \
	out_has "guest '$T/g8': backend dpkg, 12 exclusion rules"
run_vh --store "$T/s" --pkgmgr=none "$T/g9"
run_vh --store "$T/s" --pkgmgr=dpkg "$T/g8"
check "the last one, without its newline, is kept out" \
	eval 'same_inode "$T/g8/usr/a" "$T/g9/usr/a" &&
	      ! same_inode "$T/g8/etc/b.conf" "$T/g9/etc/b.conf"'

printf 'exclusions-limit: 0\n' >"$T/zero.yaml"
run_vh --config "$T/zero.yaml" --store "$T/s" "$T/g6"
check "exclusions-limit: 0 is refused (status 2)" status_is 2
check "naming file and line" err_has "$T/zero.yaml"
done_testing

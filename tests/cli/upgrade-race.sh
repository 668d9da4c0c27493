#!/bin/bash
# A busy guest: while vhashify hashifies and restores it again and
# again, a loop in the guest upgrades files the way a package manager
# does (a new file renamed over the path) and deletes files. Afterwards
# every path holds exactly what the guest last put there, and no
# deleted file is back. The new files have the content and metadata of
# another guest's, so that vhashify wants to link them.
# 3 seconds here; VHASHIFY_LONG_TESTS=1 makes it 40.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
SECONDS_RUN=3
[ "${VHASHIFY_LONG_TESTS:-0}" = 1 ] && SECONDS_RUN=40
N=40
plan 4

# the other guest holds both versions of every file
for i in $(seq 1 $N); do
	for v in a b; do
		mkfile "$T/other/usr/lib/f$i.$v" "version $v of file $i"
	done
	mkfile "$T/busy/usr/lib/f$i" "version a of file $i"
done
touch -d @1700000000 "$T"/other/usr/lib/* "$T"/busy/usr/lib/*
mkdir "$T/busy/tmp"
run_vh --pkgmgr=none --store "$T/s" "$T/other"
check "the other guest is hashified" status_is 0

# the guest: upgrades and deletes, each logged as "i content" or "i -";
# perl, for thousands of changes a second
perl -e '
	my ($top, $n) = @ARGV;
	$| = 1;
	while (-d $top && !-e "$top/stop") {
		my $i = 1 + int(rand($n));
		my $f = "$top/busy/usr/lib/f$i";
		if (rand(4) < 1) {
			unlink($f);
			print "$i -\n";
			next;
		}
		# made in the guest'"'"'s /tmp (excluded), then renamed over
		my $text = "version " . (rand(2) < 1 ? "a" : "b") . " of file $i";
		my $new = "$top/busy/tmp/f$i";
		open(my $fh, ">", $new) or die "$new: $!";
		print $fh $text;
		close($fh);
		utime(1700000000, 1700000000, $new);
		rename($new, $f) or die "$f: $!";
		print "$i $text\n";
	}' "$T" "$N" >"$T/log" &
busy=$!
runs=0 bad=0
end=$((SECONDS + SECONDS_RUN))
while [ $SECONDS -lt $end ]; do
	vhashify --pkgmgr=none --store "$T/s" "$T/busy" >"$T/out" 2>&1
	[ $? -le 1 ] || { bad=$((bad + 1)); diag "$(cat "$T/out")"; }
	grep -h "kept replacing" "$T/out" >>"$T/said"
	vhashify --store "$T/s" --restore "$T/busy" >"$T/out" 2>&1
	[ $? -le 1 ] || { bad=$((bad + 1)); diag "$(cat "$T/out")"; }
	grep -h "kept replacing" "$T/out" >>"$T/said"
	runs=$((runs + 1))
done
# one last hashify while the guest still runs, then let it stop
vhashify --pkgmgr=none --store "$T/s" "$T/busy" >/dev/null 2>&1
touch "$T/stop"
wait "$busy"
diag "$runs rounds of hashify and restore, $(wc -l <"$T/log") guest changes"
check "no run crashed or failed its usage" test "$bad" = 0

# what the guest last put at each path
ok=yes
for i in $(seq 1 $N); do
	last=$(awk -v i="$i" '$1 == i { $1 = ""; l = substr($0, 2) } END { print l }' "$T/log")
	f=$T/busy/usr/lib/f$i
	if [ -z "$last" ]; then
		want="version a of file $i"
	else
		want=$last
	fi
	if [ "$want" = - ]; then
		[ ! -e "$f" ] || { ok=no; diag "f$i was deleted, but is back"; }
	elif [ "$(cat "$f" 2>/dev/null)" != "$want" ]; then
		ok=no; diag "f$i holds '$(cat "$f" 2>&1)', not '$want'"
	fi
done
check "every path holds what the guest last put there, deleted ones stay deleted" \
	test "$ok" = yes
left=$(find "$T/busy" -name '.vhashify.tmp.*')
check "nothing named like a temporary is left in the guest" \
	eval 'test -z "$left" || { diag "$left" "$(cat "$T/said")"; false; }'
done_testing

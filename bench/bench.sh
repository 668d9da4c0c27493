#!/bin/bash
# make bench: vhashify against util-linux hardlink (default and -c),
# rdfind and jdupes on real Debian guests made by mmdebstrap, with the
# physical limits beside: reading every byte once with 1 MiB reads, and
# a metadata-only walk. Scenarios on a fresh copy each repetition: the
# first run over all guests, a re-run with nothing changed, a re-run
# after 300 files of one guest were rewritten, and a run after one new
# guest was added. Each tool's guests are checked to keep their bytes.
# Not yet: rmlint, the reflink peers (duperemove, hardlink --reflink),
# cold-cache runs.
#   BENCH_QUICK=1   3 guests and 1 repetition instead of 8 and 3
#   BENCH_CACHE     where the corpus is kept between runs
#   BENCH_WORK      where the copies are worked on
# Results: bench/results.md and bench/results.json in the source tree.
set -eu
src=$1 build=$2
quick=${BENCH_QUICK:-0}
reps=${BENCH_REPS:-3}
cache=${BENCH_CACHE:-/var/tmp/vhashify-bench/corpus}
work=${BENCH_WORK:-/var/tmp/vhashify-bench/work}
export VHASHIFY_SYSCONFDIR=$src/etc VHASHIFY_PLUGIN_DIR=$build/plugins/.libs
vh=$build/vhashify

[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
# the peers and tools, from Debian's packages
for p in mmdebstrap rdfind jdupes time; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
cc -O2 -o "$build/readall" "$src/bench/readall.c"

# the corpus: guests that overlap partly, as real ones do
if [ "$quick" = 1 ]; then
	guests="min1 py1 pl1"; reps=1
else
	guests="min1 min2 py1 py2 pl1 pl2 cc1 cc2"
fi
mkdir -p "$cache"
for g in $guests new; do
	[ -e "$cache/$g/.done" ] && continue
	case $g in
	min*) inc= ;;
	py*) inc=--include=python3 ;;
	pl*) inc=--include=perl ;;
	cc*) inc=--include=gcc ;;
	new) inc=--include=python3,perl ;;
	esac
	echo "bench: making guest $g"
	rm -rf "${cache:?}/$g"
	mmdebstrap --quiet --variant=minbase $inc bookworm "$cache/$g"
	touch "$cache/$g/.done"
done

timed() {	# timed OUT CMD...: wall, user, sys (s) and peak RSS (KiB) in OUT
	/usr/bin/time -f '%e %U %S %M' -o "$1" "${@:2}" >/dev/null 2>&1 || :
}
disk() { du -s --block-size=1 "$@" | awk '{ s += $1 } END { print s }'; }
linked() { find "$@" -type f -links +1 | wc -l; }
digest() { (cd "$1" && find $guests -type f -print0 | sort -z |
	xargs -0 sha256sum | sha256sum | cut -c1-16); }

tool_cmd() {	# the command of tool $1 over the guests $2...
	local t=$1
	shift
	case $t in
	vhashify) echo "$vh -q --store $work/store $*" ;;
	hardlink) echo "hardlink -q $*" ;;
	hardlink-c) echo "hardlink -q -c $*" ;;
	rdfind) echo "rdfind -makehardlinks true -outputname /dev/null $*" ;;
	jdupes) echo "jdupes -q -r -L $*" ;;
	esac
}

results=$build/bench-raw.txt
: >"$results"
dirs() { local d= g; for g in "$@"; do d="$d $work/$g"; done; echo $d; }
for rep in $(seq 1 "$reps"); do
	for t in vhashify hardlink hardlink-c rdfind jdupes; do
		echo "bench: $t, repetition $rep"
		rm -rf "$work"
		mkdir -p "$work"
		for g in $guests; do cp -a "$cache/$g" "$work/"; done
		sync
		before=$(disk $(dirs $guests))
		sum=$(digest "$work")
		# limits, on this very copy, warm cache
		timed "$build/b.read" "$build/readall" $(dirs $guests)
		timed "$build/b.meta" find $(dirs $guests) -printf '%i %s %T@\n'
		echo "$rep limit read $(cat "$build/b.read") 0 0" >>"$results"
		echo "$rep limit walk $(cat "$build/b.meta") 0 0" >>"$results"
		# 1: first run over all guests
		timed "$build/b.t" $(tool_cmd $t $(dirs $guests))
		echo "$rep $t first $(cat "$build/b.t") $(linked $(dirs $guests)) $((before - $(disk $(dirs $guests))))" >>"$results"
		[ "$(digest "$work")" = "$sum" ] || echo "bench: $t CHANGED GUEST BYTES" | tee -a "$results"
		# 2: again, nothing changed
		timed "$build/b.t" $(tool_cmd $t $(dirs $guests))
		echo "$rep $t rerun $(cat "$build/b.t") $(linked $(dirs $guests)) 0" >>"$results"
		# 3: an upgrade-like change: 300 files of one guest rewritten
		first=${guests%% *}
		find "$work/$first/usr" -type f -size +1k | head -n 300 |
			while read -r f; do cp -p "$f" "$f.new"; echo >>"$f.new";
				touch -r "$f" "$f.new"; mv "$f.new" "$f"; done
		timed "$build/b.t" $(tool_cmd $t $(dirs $guests))
		echo "$rep $t upgrade $(cat "$build/b.t") $(linked $(dirs $guests)) 0" >>"$results"
		# 4: one new guest added to the others
		cp -a "$cache/new" "$work/"
		timed "$build/b.t" $(tool_cmd $t $(dirs $guests new))
		echo "$rep $t add-guest $(cat "$build/b.t") $(linked $(dirs $guests new)) 0" >>"$results"
	done
done

# medians, a markdown table and JSON
machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -r), $(df -T "$work" | awk 'NR == 2 { print $2 }')"
awk -v machine="$machine" -v guests="$guests" -v reps="$reps" '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
/CHANGED/ { bad[$3] = 1; next }
{ k = $2 " " $3; keys[k] = 1; wall[k] = wall[k] " " $4; cpu[k] = cpu[k] " " ($5 + $6)
  rss[k] = rss[k] " " $7; lnk[k] = $8; saved[k] = $9 }
END {
	split("first rerun upgrade add-guest", sc, " ")
	split("vhashify hardlink hardlink-c rdfind jdupes", tl, " ")
	print "# Benchmark results\n"
	print "Machine: " machine ". Guests: " guests " (mmdebstrap bookworm), " reps " repetition(s), median, warm cache.\n"
	print "Limits: reading every byte once (1 MiB reads) " median(wall["limit read"]) " s; metadata-only walk (find -printf) " median(wall["limit walk"]) " s.\n"
	print "| scenario | tool | wall s | CPU s | peak RSS MiB | files linked | MiB saved (first run) | / best peer | / limit |"
	print "|---|---|---|---|---|---|---|---|---|"
	for (s = 1; s <= 4; s++) {
		best = ""
		for (t = 2; t <= 5; t++) { k = tl[t] " " sc[s]; if (k in keys) { w = median(wall[k]); if (best == "" || w < best) best = w } }
		lim = (sc[s] == "first" ? median(wall["limit read"]) : median(wall["limit walk"]))
		for (t = 1; t <= 5; t++) {
			k = tl[t] " " sc[s]; if (!(k in keys)) continue
			w = median(wall[k])
			printf "| %s | %s%s | %.2f | %.2f | %.1f | %d | %.1f | %.2f | %.2f |\n", sc[s], tl[t], (tl[t] in bad ? " (CHANGED BYTES)" : ""), w, median(cpu[k]), median(rss[k]) / 1024, lnk[k], saved[tl[t] " first"] / 1048576, (best > 0 ? w / best : 0), (lim > 0 ? w / lim : 0)
		}
	}
}' "$results" >"$src/bench/results.md"
awk 'BEGIN { print "[" } !/CHANGED/ { printf "%s{\"rep\": %s, \"tool\": \"%s\", \"scenario\": \"%s\", \"wall\": %s, \"user\": %s, \"sys\": %s, \"rss_kib\": %s, \"linked\": %s, \"saved\": %s}", (n++ ? ",\n" : ""), $1, $2, $3, $4, $5, $6, $7, $8, $9 } END { print "\n]" }' "$results" >"$src/bench/results.json"
cat "$src/bench/results.md"

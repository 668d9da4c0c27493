#!/bin/bash
# make bench: vhashify against the peer tools on real Debian guests made
# by mmdebstrap. Every scenario runs on a fresh copy of the corpus: a
# loop-mounted filesystem image holding the guests, copied anew.
#
#   hardlink mode, on ext4: vhashify, util-linux hardlink (default and
#   -c), rdfind, jdupes and rmlint with its hardlink handler
#     first-cold  first run over all guests, page cache dropped
#     first       first run over all guests, warm cache
#     rerun       again, nothing changed
#     rerun-cold  again, page cache dropped: the nightly timer's case
#                 (an upgrade or a new guest was just written: warm)
#     upgrade     again, after 300 files of one guest were rewritten
#     add-guest   a new guest beside the others, already linked: the
#                 peers run over all guests (they have no other way),
#                 vhashify over the new guest alone (its store knows
#                 the others)
#   reflink mode, on XFS: vhashify --method=reflink (also with
#   --min-size=4097: files of one block left out), duperemove -d,
#   hardlink --reflink: first (warm) and rerun
#   limits: reading every byte once with 1 MiB reads, and a metadata-only
#   walk (find -printf of inode, size, mtime), warm and cold
#
# Each tool's first run is checked to keep every guest file's bytes, and
# its bytes saved are set beside the most its own rules allow (content;
# content and metadata; vhashify's: content and metadata of the files
# its exclusions leave).
#   BENCH_QUICK=1   3 guests and 1 repetition instead of 8 and 3
#   BENCH_REPS      repetitions (median reported)
#   BENCH_CACHE     where the corpus and its images are kept
#   BENCH_ONLY      only these groups of scenarios (space-separated):
#                   dbsize (peak RSS against package database size, no
#                   corpus or peers needed: bench_dbsize below), limits
#                   hardlink reflink, and those of bench/scale.sh:
#                   fixed scale million spinning reflink-calls
#                   link-floor; the
#                   results then go to the build directory, not the
#                   source tree. Default: all of them.
# Results: bench/results.md and bench/results.json in the source tree.
set -eu
src=$1 build=$2
quick=${BENCH_QUICK:-0}
reps=${BENCH_REPS:-3}
cache=${BENCH_CACHE:-/var/tmp/vhashify-bench}
mnt=$cache/mnt
export VHASHIFY_CONFIG_DIR=$src/etc VHASHIFY_PLUGIN_DIR=$build/plugins/.libs
vh=$build/vhashify

[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }

# dbsize: vhashify's peak RSS against the size of the guests' dpkg
# status (1, 8, 56 and 222 MiB, 9,000 conffiles a MiB, made by
# tests/tools/dpkg-status.awk), for 1 guest and for 4 guests with
# --jobs 2 and 4; BENCH_QUICK=1: 1, 8 and 56 MiB, 4 guests, --jobs 2.
# exclusions-limit is raised to 1G, so that every size is read.
# Results: bench/results-dbsize.md.
bench_dbsize() {
	local d=$cache/dbsize sizes="1 8 56 222" runs="1:1 4:2 4:4" mib g n
	local out=$src/bench/results-dbsize.md run guests jobs rep code
	# before the results file is written: it is part of the tree
	code=$(git -C "$src" describe --always --dirty 2>/dev/null ||
	       echo unknown)
	[ "$quick" = 1 ] && { sizes="1 8 56"; runs="4:2"; reps=1; }
	rm -rf "$d"
	mkdir -p "$d"
	printf 'exclusions-limit: 1G\n' >"$d/conf.yaml"
	{
	echo "# Peak RSS against package database size"
	echo
	echo "dpkg status of N MiB with 9,000 conffiles a MiB (tests/tools/dpkg-status.awk), in every guest; code $code; median of $reps."
	echo
	echo "| status MiB | conffiles | guests | --jobs | wall s | peak RSS MiB |"
	echo "|---|---|---|---|---|---|"
	} >"$out"
	for mib in $sizes; do
		n=$((mib * 9000))
		awk -v n="$n" -v mib="$mib" -f "$src/tests/tools/dpkg-status.awk" \
			>"$d/status"
		for g in 1 2 3 4; do
			rm -rf "$d/g$g"
			mkdir -p "$d/g$g/var/lib/dpkg" "$d/g$g/usr"
			ln "$d/status" "$d/g$g/var/lib/dpkg/status"
			echo shared >"$d/g$g/usr/a"
		done
		for run in $runs; do
			guests=${run%:*} jobs=${run#*:}
			for rep in $(seq 1 "$reps"); do
				rm -rf "$d/store"
				/usr/bin/time -f '%e %M' -o "$d/time" "$vh" -q \
					--config "$d/conf.yaml" --pkgmgr=dpkg \
					--store "$d/store" --jobs "$jobs" \
					$(seq -f "$d/g%g" 1 "$guests") >/dev/null
				cat "$d/time"
			done | sort -n -k 2 | awk -v m="$mib" -v n="$n" \
				-v g="$guests" -v j="$jobs" -v r="$reps" '
				NR == int((r + 1) / 2) {
					printf "| %s | %d | %s | %s | %.2f | %.1f |\n",
					       m, n, g, j, $1, $2 / 1024 }' >>"$out"
		done
	done
	rm -rf "$d"
	cat "$out"
}
# want GROUP: whether BENCH_ONLY (or its absence) asks for GROUP
want() { case " ${BENCH_ONLY:-$1} " in *" $1 "*) ;; *) return 1 ;; esac; }

if want dbsize; then
	bench_dbsize
	[ "${BENCH_ONLY:-}" != dbsize ] || exit 0
fi
# the peers and tools, from Debian's packages
for p in mmdebstrap rdfind jdupes rmlint duperemove time xfsprogs \
	gnuplot-nox; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
cc -Wall -Wextra -O2 -o "$build/readall" "$src/bench/readall.c"

if [ "$quick" = 1 ]; then
	guests="min1 py1 pl1"; reps=1
else
	guests="min1 min2 py1 py2 pl1 pl2 cc1 cc2"
fi

# the corpus: guests that overlap partly, as real ones do
mkdir -p "$cache/corpus" "$mnt"
umount "$mnt" 2>/dev/null || :
for g in $guests new; do
	d=$cache/corpus/$g
	[ -e "$d/.done" ] && continue
	case $g in
	min*) inc= ;;
	py*) inc=--include=python3 ;;
	pl*) inc=--include=perl ;;
	cc*) inc=--include=gcc ;;
	new) inc=--include=python3,perl ;;
	esac
	echo "bench: making guest $g"
	# an interrupted mmdebstrap may have left its mounts: never
	# delete through them
	grep -q " $d/" /proc/mounts && { echo "bench: '$d' has mounts" >&2; exit 1; }
	rm -rf --one-file-system "$d"
	mmdebstrap --quiet --variant=minbase $inc bookworm "$d"
	grep -q " $d/" /proc/mounts && { echo "bench: '$d' has mounts" >&2; exit 1; }
	touch "$d/.done"
done

# the images: the guests on a filesystem of their own, once per corpus
image() {	# image FSTYPE: $cache/FSTYPE.img holding the guests and "new"
	local img=$cache/$1.img stamp="$guests new"
	[ -e "$img" ] && [ "$(cat "$img.done" 2>/dev/null)" = "$stamp" ] && return
	echo "bench: making the $1 image"
	rm -f "$img" "$img.done"
	truncate -s 8G "$img"
	case $1 in
	ext4) mkfs.ext4 -q -F "$img" ;;
	xfs) mkfs.xfs -q -f -m reflink=1 "$img" ;;
	esac
	mount -o loop "$img" "$mnt"
	for g in $guests new; do
		cp -a --one-file-system "$cache/corpus/$g" "$mnt/"
		rm -f "$mnt/$g/.done"
	done
	umount "$mnt"
	echo "$stamp" >"$img.done"
}
want limits || want hardlink || want reflink || want link-floor &&
	image ext4
want reflink || want reflink-calls && image xfs

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
warm() { find "$mnt" -type f -print0 | xargs -0 cat >/dev/null; }
fresh() {	# fresh FSTYPE cold|warm: a fresh copy mounted on $mnt
	umount "$mnt" 2>/dev/null || :
	cp --sparse=always "$cache/$1.img" "$cache/work.img"
	mount -o loop "$cache/work.img" "$mnt"
	drop_caches
	[ "$2" = cold ] || warm
}
trap 'umount "$mnt" 2>/dev/null || :; rm -f "$cache/work.img"
	scale_cgroup_remove; rm -f "$cache/sc.img" "$cache/spin.img"' EXIT
. "$src/bench/scale.sh"

timed() {	# timed CMD...: "wall user sys peak-RSS-KiB" of CMD
	/usr/bin/time -f '%e %U %S %M' -o "$build/b.time" "$@" \
		>/dev/null 2>"$build/b.err" || :
	cat "$build/b.time"
}
dirs() { local d= g; for g in "$@"; do d="$d $mnt/$g"; done; echo $d; }
used() { sync; df -B1 --output=used "$mnt" | tail -n 1; }
linked() { find "$@" -type f -links +1 | wc -l; }
sums() { (cd "$mnt" && find $guests -type f -print0 | sort -z |
	xargs -0 sha256sum); }
digest() { sums | sha256sum | cut -c1-16; }

tool_cmd() {	# the command of tool $1 over the guests $2...
	local t=$1
	shift
	case $t in
	vhashify) echo "$vh -q --store $mnt/store $*" ;;
	hardlink) echo "hardlink -q $*" ;;
	hardlink-c) echo "hardlink -q -c $*" ;;
	rdfind) echo "rdfind -makehardlinks true -outputname /dev/null $*" ;;
	jdupes) echo "jdupes -q -r -L $*" ;;
	# (rmlint keeps an older script by renaming it and leaves a stamp
	# file in the working directory; the script removes itself once run)
	rmlint) echo "sh -c 'cd $cache && rm -f rmlint.sh && rmlint --hidden -T df -c sh:hardlink -o sh:rmlint.sh \"\$@\" && sh rmlint.sh -d; rm -f rmlint.*.stamp' rmlint $*" ;;
	vhashify-reflink) echo "$vh -q --method=reflink --store $mnt/store $*" ;;
	vhashify-reflink-4k) echo "$vh -q --method=reflink --min-size=4097 --store $mnt/store $*" ;;
	duperemove) echo "duperemove -d -r -q $*" ;;
	hardlink-reflink) echo "hardlink -q --reflink=always $*" ;;
	esac
}
run() {	# run REP TOOL SCENARIO GUEST...: one timed run, a result line
	local rep=$1 t=$2 s=$3 before
	shift 3
	before=$(used)
	set -- $(timed sh -c "$(tool_cmd "$t" $(dirs "$@"))") \
		$(linked $(dirs "$@")) $((before - $(used)))
	echo "$rep $t $s $*" >>"$raw"
	[ "$s" != first ] && [ "$s" != first-cold ] && return
	[ "$(digest)" = "$sum" ] || echo "$rep $t CHANGED $s" >>"$raw"
}
upgrade() {	# 300 files of the first guest rewritten, as by a package upgrade
	find "$mnt/${guests%% *}/usr" -type f -size +1k | head -n 300 |
		while read -r f; do cp -p "$f" "$f.new"; echo >>"$f.new"
			touch -r "$f" "$f.new"; mv "$f.new" "$f"; done
}

raw=$build/bench-raw.txt
: >"$raw"
: >"$sraw"
out=$src/bench
[ -z "${BENCH_ONLY:-}" ] || out=$build
if want hardlink || want reflink; then
# what each tool's rules allow at most, and the guests' digest
fresh ext4 warm
sums >"$build/b.sums"
sum=$(sha256sum <"$build/b.sums" | cut -c1-16)
(cd "$mnt" && find $guests -type f -printf '%p\t%i\t%m\t%U\t%G\t%T@\t%b\n') >"$build/b.meta"
$vh -n -vv --store "$mnt/store" $(dirs $guests) 2>/dev/null |
	sed -n "s|^would link '$mnt/\([^']*\)'.*|\1|p" >"$build/b.cand"
# xattrs: none in these guests, so metadata is mode, owner and mtime
awk -F'\t' -v raw="$raw" '
FILENAME ~ /cand$/ { cand[$0] = 1; next }
FILENAME ~ /sums$/ { h = substr($0, 1, 64); p = substr($0, 67); sha[p] = h; next }
{	p = $1; ino = $2; bytes = $7 * 512
	k["content"] = sha[p]; k["meta"] = sha[p] " " $3 " " $4 " " $5 " " $6
	k["ours"] = (p in cand) ? k["meta"] : ""
	k["ours-content"] = (p in cand) ? sha[p] : ""
	for (r in k) {
		if (k[r] == "" || seen[r, k[r], ino]++) continue
		total[r, k[r]] += bytes
		if (bytes > big[r, k[r]]) big[r, k[r]] = bytes
		keys[r, k[r]] = 1
	}
}
END {
	for (rk in keys) { split(rk, a, SUBSEP); max[a[1]] += total[rk] - big[rk] }
	for (r in max) print "0 max " r " 0 0 0 0 0 " max[r] >>raw
}' "$build/b.cand" "$build/b.sums" "$build/b.meta"
fi

for rep in $(seq 1 "$reps"); do
	echo "bench: repetition $rep of $reps"
	if want limits; then
	fresh ext4 cold
	echo "$rep limit read-cold $(timed "$build/readall" $(dirs $guests)) 0 0" >>"$raw"
	echo "$rep limit read $(timed "$build/readall" $(dirs $guests)) 0 0" >>"$raw"
	echo "$rep limit walk $(timed find $(dirs $guests) -printf '%i %s %T@\n') 0 0" >>"$raw"
	drop_caches
	echo "$rep limit walk-cold $(timed find $(dirs $guests) -printf '%i %s %T@\n') 0 0" >>"$raw"
	fi
	want hardlink &&
	for t in vhashify hardlink hardlink-c rdfind jdupes rmlint; do
		echo "bench: $t"
		fresh ext4 cold
		run "$rep" "$t" first-cold $guests
		fresh ext4 warm
		run "$rep" "$t" first $guests
		run "$rep" "$t" rerun $guests
		drop_caches
		run "$rep" "$t" rerun-cold $guests
		warm	# the rest is warm, the new guest too
		upgrade
		run "$rep" "$t" upgrade $guests
		if [ "$t" = vhashify ]; then
			run "$rep" "$t" add-guest new
		else
			run "$rep" "$t" add-guest $guests new
		fi
	done
	want reflink &&
	for t in vhashify-reflink vhashify-reflink-4k duperemove hardlink-reflink; do
		echo "bench: $t"
		fresh xfs warm
		run "$rep" "$t" first $guests
		run "$rep" "$t" rerun $guests
	done
done
umount "$mnt" 2>/dev/null || :
# the scenarios of bench/scale.sh, once (they are long)
want fixed && bench_fixed
want scale && bench_scale
want million && bench_million
want spinning && bench_spinning
want reflink-calls && bench_reflink_calls
want link-floor && bench_link_floor

# medians, a markdown table and JSON
machine="$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n 1)), $(free -g | awk '/Mem:/ { print $2 }') GiB, Linux $(uname -r)"
code=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
cmd="${BENCH_ONLY:+BENCH_ONLY=\"$BENCH_ONLY\" }make -C build bench"
[ "$quick" != 1 ] || cmd="BENCH_QUICK=1 $cmd"
awk -v machine="$machine" -v guests="$guests" -v reps="$reps" -v code="$code" -v cmd="$cmd" '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
function rules(t) {
	if (t == "vhashify") return "ours"
	if (t ~ /^vhashify-reflink/) return "ours-content"
	if (t == "hardlink" || t == "hardlink-reflink") return "meta"
	return "content"
}
function table(title, tl, sc,   nt, ns, s, t, k, w, best, lim, limk, peer, any) {
	nt = split(tl, tools, " "); ns = split(sc, scen, " ")
	for (s = 1; s <= ns; s++) for (t = 1; t <= nt; t++)
		if ((tools[t] " " scen[s]) in keys) any = 1
	if (!any) return
	print "\n## " title "\n"
	print "| scenario | tool | wall s | CPU s | peak RSS MiB | files linked | MiB saved | max MiB (own rules) | / best peer | / limit |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	for (s = 1; s <= ns; s++) {
		best = ""; peer = ""
		for (t = 2; t <= nt; t++) {
			if (tools[t] ~ /^vhashify/) continue	# ours, not a peer
			k = tools[t] " " scen[s]
			if (k in keys) { w = median(wall[k]); if (best == "" || w < best) { best = w; peer = tools[t] } }
		}
		limk = scen[s] == "first-cold" ? "limit read-cold" : scen[s] == "first" ? "limit read" : scen[s] == "rerun-cold" ? "limit walk-cold" : "limit walk"
		lim = median(wall[limk])
		for (t = 1; t <= nt; t++) {
			k = tools[t] " " scen[s]; if (!(k in keys)) continue
			w = median(wall[k])
			printf "| %s | %s%s | %.2f | %.2f | %.1f | %s | %.1f | %.1f | %.2f | %.2f |\n", scen[s], tools[t], (bad[tools[t]] ? " (CHANGED BYTES)" : ""), w, median(cpu[k]), median(rss[k]) / 1024, (title ~ /[Rr]eflink/ ? "-" : lnk[k]), median(saved[tools[t] " " (scen[s] == "first-cold" ? "first-cold" : "first")]) / 1048576, max[rules(tools[t])] / 1048576, (best > 0 ? w / best : 0), (lim > 0 ? w / lim : 0)
		}
	}
}
$3 == "CHANGED" { bad[$2] = 1; next }
$2 == "max" { max[$3] = $9; next }
{ k = $2 " " $3; keys[k] = 1; wall[k] = wall[k] " " $4; cpu[k] = cpu[k] " " ($5 + $6)
  rss[k] = rss[k] " " $7; lnk[k] = $8; saved[k] = saved[k] " " $9 }
END {
	print "# Benchmark results\n"
	print "Machine: " machine ". Guests: " guests " (mmdebstrap bookworm, minbase; py with python3, pl with perl, cc with gcc), each scenario on a fresh loop-mounted copy; " reps " repetition(s), median. Command: `" cmd "`, code " code "."
	if ("limit read" in wall) print "\nLimits: reading every byte once with 1 MiB reads " median(wall["limit read"]) " s warm, " median(wall["limit read-cold"]) " s cold; metadata-only walk (find -printf) " median(wall["limit walk"]) " s warm, " median(wall["limit walk-cold"]) " s cold. \"/ limit\" divides by the read limit for first runs and by the walk for the others. \"MiB saved\" is that of the first run; \"max\" is the most the tool'"'"'s own rules allow (content; content and metadata; for vhashify, the files its exclusions leave). In add-guest, vhashify runs over the new guest alone, the peers over all the guests, the new one included."
	table("Hardlink mode (ext4)", "vhashify hardlink hardlink-c rdfind jdupes rmlint", "first-cold first rerun rerun-cold upgrade add-guest")
	table("Reflink mode (XFS)", "vhashify-reflink vhashify-reflink-4k duperemove hardlink-reflink", "first rerun")
}' "$raw" >"$out/results.md"
scale_report "$out" >>"$out/results.md"
awk 'BEGIN { print "[" } $3 != "CHANGED" { printf "%s{\"rep\": %s, \"tool\": \"%s\", \"scenario\": \"%s\", \"wall\": %s, \"user\": %s, \"sys\": %s, \"rss_kib\": %s, \"linked\": %s, \"saved\": %s}", (n++ ? ",\n" : ""), $1, $2, $3, $4, $5, $6, $7, $8, $9 } END { print "\n]" }' "$raw" >"$out/results.json"
cat "$out/results.md"

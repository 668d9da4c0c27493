# Sourced by bench.sh: the scenarios of issue 18, each a function of its
# own, with bench.sh's helpers (timed, drop_caches, warm, $vh, $mnt,
# $cache, $guests, $quick). Results: "$sraw", one line per measurement
#   GROUP SCENARIO TOOL N FILES WALL USER SYS RSS-KiB
# and scale_report, markdown for results.md (and the plot).
#
#   fixed          a re-run of one small guest (the first of the corpus)
#                  against `true` and `find` on it, each run $fixed_k
#                  times in a row: the cost a timer run pays every time
#   scale          $scale_sizes guests, the corpus's guests and copies of
#                  them (guest i is a copy of corpus guest i mod 8):
#                  first run (warm; seconds per 1000 files), re-run
#                  against the metadata walk, peak RSS, --stats,
#                  --verify, --gc, and adding one more guest
#   million        a store of $million_n small distinct objects (one
#                  guest of that many files): the same, and adding one
#                  small guest to it against adding it to an empty store
#   spinning       a cold first run, --jobs 1 against the default, on a
#                  loop device throttled by a cgroup's io limit
#                  ($spin_iops IOPS, $spin_mbps MB/s; cgroup v2 io.max,
#                  else v1 blkio.throttle)
#   reflink-calls  per-call timings of the ioctls of a reflink first
#                  run (bench/ioctl-timing.c, preloaded)
#   link-floor     the ninth guest added, by vhashify and by
#                  bench/link-floor.c, which replaces the same duplicates
#                  one after the other with nothing read or checked: the
#                  least linking them costs in one thread
#   BENCH_SCALE    guest counts (default "8 16 32 64", quick "2 4");
#                  64 guests need some 30 GiB free in $BENCH_CACHE
#   BENCH_OBJECTS  objects of the million scenario (quick 10000)
#   BENCH_SPIN_IOPS, BENCH_SPIN_MBPS  the throttle (150 IOPS, 120 MB/s)
sraw=$build/bench-scale-raw.txt
if [ "$quick" = 1 ]; then
	scale_sizes=${BENCH_SCALE:-2 4}; million_n=${BENCH_OBJECTS:-10000}
	fixed_k=5
else
	scale_sizes=${BENCH_SCALE:-8 16 32 64}
	million_n=${BENCH_OBJECTS:-1000000}; fixed_k=20
fi
spin_iops=${BENCH_SPIN_IOPS:-150} spin_mbps=${BENCH_SPIN_MBPS:-120}
scale_cg=

# sc_fs SIZE-MiB MKFS-OPTIONS...: a new ext4 filesystem on $cache/sc.img,
# mounted on $mnt. The loop device does direct I/O, so that a page is
# cached once, not also in the image file: 64 guests (15 GB) then stay
# in the page cache of this 24 GiB machine.
sc_fs() {
	local size=$1
	shift
	umount "$mnt" 2>/dev/null || :
	rm -f "$cache/sc.img"
	truncate -s "${size}M" "$cache/sc.img"
	mkfs.ext4 -q -F "$@" "$cache/sc.img"
	mount -o loop "$cache/sc.img" "$mnt"
	losetup --direct-io=on "$(findmnt -no SOURCE "$mnt")" 2>/dev/null ||
		echo "bench: no direct I/O on the loop device: its pages are cached twice" >&2
}
sc_done() { umount "$mnt" 2>/dev/null || :; rm -f "$cache/sc.img"; }

# sc_run GROUP SCENARIO TOOL N FILES CMD...: one timed run, a raw line
sc_run() {
	local what="$1 $2 $3 $4 $5"
	shift 5
	echo "$what $(timed "$@")" >>"$sraw"
}

# sc_copy NAME CORPUS-GUEST: a copy of a corpus guest in $mnt
sc_copy() {
	cp -a --one-file-system "$cache/corpus/$2" "$mnt/$1"
	rm -f "$mnt/$1/.done"
}

nfiles() { find "$@" -type f | wc -l; }

bench_fixed() {
	local g=${guests%% *} k=$fixed_k loop
	echo "bench: fixed costs"
	sc_fs 1024
	sc_copy "$g" "$g"
	$vh -q --store "$mnt/store" "$mnt/$g" >/dev/null 2>&1 || :
	drop_caches
	warm
	# $k runs in a row: one is below time's resolution
	loop='i=0; while [ $i -lt '$k' ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done'
	sc_run fixed rerun vhashify "$k" "$(nfiles "$mnt/$g")" sh -c "$loop" \
		sh $vh -q --store "$mnt/store" "$mnt/$g"
	sc_run fixed rerun true "$k" 0 sh -c "$loop" sh true
	sc_run fixed rerun find "$k" 0 sh -c "$loop" sh \
		find "$mnt/$g" -printf '%i %s %T@\n'
	# which plugins a run over this guest loads
	echo "fixed plugins $($vh -v -q --store "$mnt/store" "$mnt/$g" 2>/dev/null |
		sed -n "s/^loaded plugin '\([^']*\)'.*/\1/p" | paste -sd ' ')" \
		>>"$sraw"
	sc_done
}

bench_scale() {
	local n i b base list files nb
	set -- $guests
	nb=$#
	for n in $scale_sizes; do
		echo "bench: scale, $n guests"
		sc_fs $((n * 450 + 2048))
		list=
		for i in $(seq 1 "$n"); do
			shift $(( (i - 1) % nb ))
			base=$1
			set -- $guests
			sc_copy "s$i" "$base"
			list="$list $mnt/s$i"
		done
		sc_copy new new
		files=$(nfiles $list)
		drop_caches
		warm
		sc_run scale first vhashify "$n" "$files" \
			$vh -q --store "$mnt/store" $list
		# files that replaced a duplicate: linked, but not the inode
		# an object was made of
		echo "scale replaced vhashify $n $(( \
			$(find $list -type f -links +1 | wc -l) - \
			$(find "$mnt/store/objects" -type f | wc -l) )) 0 0 0 0" >>"$sraw"
		sc_run scale rerun vhashify "$n" "$files" \
			$vh -q --store "$mnt/store" $list
		sc_run scale walk find "$n" "$files" \
			find $list -printf '%i %s %T@\n'
		sc_run scale stats vhashify "$n" "$files" \
			$vh --stats --store "$mnt/store"
		sc_run scale verify vhashify "$n" "$files" \
			$vh --verify --store "$mnt/store"
		sc_run scale gc vhashify "$n" "$files" \
			$vh --gc --store "$mnt/store"
		sc_run scale add-guest vhashify "$n" "$(nfiles "$mnt/new")" \
			$vh -q --store "$mnt/store" "$mnt/new"
		sc_done
	done
}

bench_million() {
	local n=$million_n small=${guests%% *}
	echo "bench: a store of $n objects"
	# files of a few bytes: ext4 keeps them in the inode (inline_data)
	sc_fs $((n / 250 + 2048)) -O inline_data -N $((n * 2 + 200000))
	sc_copy "$small" "$small"
	sc_copy empty-store-guest "$small"
	perl -e '
		my ($root, $n) = @ARGV;
		mkdir $root;
		for (my $i = 0; $i < $n; $i++) {
			my $d = "$root/usr/share/m/" . int($i / 1000);
			if ($i % 1000 == 0) {
				mkdir $_ for ("$root/usr", "$root/usr/share",
					      "$root/usr/share/m", $d);
			}
			open(my $f, ">", "$d/$i") or die "$d/$i: $!";
			print $f "object $i\n";
			close($f);
			utime(1700000000, 1700000000, "$d/$i");
		}' "$mnt/m" "$n"
	drop_caches
	warm
	# an empty store: the cost of one small guest alone
	sc_run million add-empty vhashify 1 "$(nfiles "$mnt/empty-store-guest")" \
		$vh -q --store "$mnt/store0" "$mnt/empty-store-guest"
	sc_run million first vhashify "$n" "$n" \
		$vh -q --pkgmgr=none --store "$mnt/store" "$mnt/m"
	sc_run million rerun vhashify "$n" "$n" \
		$vh -q --pkgmgr=none --store "$mnt/store" "$mnt/m"
	sc_run million walk find "$n" "$n" find "$mnt/m" -printf '%i %s %T@\n'
	sc_run million stats vhashify "$n" "$n" $vh --stats --store "$mnt/store"
	sc_run million verify vhashify "$n" "$n" $vh --verify --store "$mnt/store"
	sc_run million gc vhashify "$n" "$n" $vh --gc --store "$mnt/store"
	sc_run million add-guest vhashify "$n" "$(nfiles "$mnt/$small")" \
		$vh -q --store "$mnt/store" "$mnt/$small"
	sc_done
}

# scale_cgroup: a cgroup whose reads and writes of block device $1
# (MAJ:MIN) are throttled; sets scale_cg to the file to join it by
scale_cgroup() {
	local dev=$1 bps=$((spin_mbps * 1000000)) v2=/sys/fs/cgroup v1
	v1=/sys/fs/cgroup/blkio/vhashify-bench
	[ -e "$v2/cgroup.controllers" ] || v2=/sys/fs/cgroup/unified
	if grep -qw io "$v2/cgroup.controllers" 2>/dev/null; then
		echo +io >"$v2/cgroup.subtree_control" 2>/dev/null || :
		mkdir -p "$v2/vhashify-bench"
		echo "$dev riops=$spin_iops wiops=$spin_iops rbps=$bps wbps=$bps" \
			>"$v2/vhashify-bench/io.max" || return 1
		scale_cg=$v2/vhashify-bench/cgroup.procs
	elif [ -d /sys/fs/cgroup/blkio ]; then
		mkdir -p "$v1"
		echo "$dev $spin_iops" >"$v1/blkio.throttle.read_iops_device" &&
		echo "$dev $spin_iops" >"$v1/blkio.throttle.write_iops_device" &&
		echo "$dev $bps" >"$v1/blkio.throttle.read_bps_device" &&
		echo "$dev $bps" >"$v1/blkio.throttle.write_bps_device" ||
			return 1
		scale_cg=$v1/cgroup.procs
	else
		return 1
	fi
}
scale_cgroup_remove() {
	[ -n "$scale_cg" ] || return 0
	rmdir "$(dirname "$scale_cg")" 2>/dev/null || :
	scale_cg=
}

bench_spinning() {
	local g list= jobs dev
	echo "bench: spinning disk (throttled loop device)"
	# the first three guests (quick: two): a throttled run is slow
	set -- $(echo $guests | cut -d' ' -f1-$([ "$quick" = 1 ] && echo 2 || echo 3))
	sc_fs $(($# * 450 + 1024))
	for g in "$@"; do
		sc_copy "$g" "$g"
		list="$list $mnt/$g"
	done
	umount "$mnt"
	mv "$cache/sc.img" "$cache/spin.img"
	for jobs in 1 default; do
		cp --sparse=always "$cache/spin.img" "$cache/sc.img"
		mount -o loop "$cache/sc.img" "$mnt"
		dev=$(lsblk -no MAJ:MIN "$(findmnt -no SOURCE "$mnt")" | tr -d ' ')
		if ! scale_cgroup "$dev"; then
			echo "spinning skipped: no cgroup io throttling here" >>"$sraw"
			sc_done
			break
		fi
		drop_caches
		sc_run spinning first-cold "jobs-$jobs" "$#" "$(nfiles $list)" \
			sh -c 'echo $$ >"$0" && exec "$@"' "$scale_cg" \
			$vh -q $([ $jobs = 1 ] && echo --jobs 1) \
			--store "$mnt/store" $list
		scale_cgroup_remove
		sc_done
	done
	rm -f "$cache/spin.img"
}

bench_reflink_calls() {
	echo "bench: reflink per-call timings"
	cc -Wall -Wextra -O2 -shared -fPIC -o "$build/ioctl-timing.so" \
		"$src/bench/ioctl-timing.c" -ldl
	fresh xfs warm
	IOCTL_TIMING_OUT=$build/b.ioctl LD_PRELOAD=$build/ioctl-timing.so \
		$vh -q --method=reflink --store "$mnt/store" $(dirs $guests) \
		>/dev/null 2>&1 || :
	sed 's/^/reflink-calls /' "$build/b.ioctl" >>"$sraw"
	umount "$mnt"
}

bench_link_floor() {
	local mode tab
	tab=$(printf '\t')
	echo "bench: link floor"
	cc -Wall -Wextra -O2 -o "$build/link-floor" "$src/bench/link-floor.c"
	fresh ext4 warm
	$vh -q --store "$mnt/store" $(dirs $guests) >/dev/null 2>&1 || :
	cp -a "$mnt/new" "$mnt/new.orig"
	sc_run link-floor add-guest vhashify 1 "$(nfiles "$mnt/new")" \
		$vh -q --store "$mnt/store" "$mnt/new"
	# the object each file of the new guest is linked to now
	find "$mnt/store/objects" -type f -printf '%i\t%p\n' | sort >"$build/b.obj"
	find "$mnt/new" -type f -links +1 -printf '%i\t%p\n' | sort >"$build/b.new"
	join -t "$tab" "$build/b.obj" "$build/b.new" | cut -f 2,3 >"$build/b.pairs"
	for mode in exchange rename; do
		rm -rf "$mnt/new"
		cp -a "$mnt/new.orig" "$mnt/new"
		warm
		sc_run link-floor add-guest "$mode" 1 "$(wc -l <"$build/b.pairs")" \
			"$build/link-floor" "$mode" <"$build/b.pairs"
	done
	rm -f "$build/b.obj" "$build/b.new" "$build/b.pairs"
	umount "$mnt"
}

# scale_report OUTDIR: markdown of what "$sraw" holds; the scaling plot
# as OUTDIR/scale.png
scale_report() {
	local dir=$1
	[ -s "$sraw" ] || return 0
	awk -v dir="$dir" -v spin="$spin_iops IOPS, $spin_mbps MB/s" '
	function ms(k) { return 1000 * wall[k] }
	$1 == "fixed" && $2 == "plugins" { plugins = $0; sub(/^fixed plugins */, "", plugins); next }
	$1 == "reflink-calls" { calls = calls "| " $2 " | " $3 " | " $4 " | " sprintf("%.3f", $5) " | " sprintf("%.1f", $6) " |\n"; next }
	$2 == "skipped:" { skipped = skipped $0 "\n"; next }
	{ k = $1 " " $2 " " $3 " " $4; wall[k] = $6; cpu[k] = $7 + $8; rss[k] = $9 / 1024; n[k] = $4; files[k] = $5
	  if ($1 == "scale" && !($4 in seen)) { seen[$4] = 1; sizes[++ns] = $4 } }
	END {
		for (k in wall) if (k ~ /^fixed rerun vhashify/) fk = k
		if (fk != "") {
			split(fk, a, " "); r = a[4]
			print "\n## Fixed costs (one small guest, re-run)\n"
			print "Each command run " r " times in a row; per run. Plugins a run over this guest loads: " plugins ".\n"
			print "| command | ms per run | CPU ms per run | peak RSS MiB |"
			print "|---|---|---|---|"
			split("vhashify true find", t, " ")
			for (i = 1; i <= 3; i++) { k = "fixed rerun " t[i] " " r
				printf "| %s | %.1f | %.1f | %.1f |\n", (t[i] == "vhashify" ? "vhashify (re-run, " files[k] " files)" : t[i] == "find" ? "find -printf (metadata walk)" : "true"), ms(k) / r, 1000 * cpu[k] / r, rss[k] }
		}
		if (ns) {
			print "\n## Scale: guests against seconds and MiB\n"
			print "Guests beyond the corpus are copies of its guests. First run warm; per 1000 files, and per 1000 files replaced (linked to an object made of another file: a link, a swap, an unlink and an inode freed, where making an object is one link); the re-run divided by the metadata walk; add-guest: one more guest (\"new\") into that store.\n"
			print "| guests | files | replaced | first s | first s / 1000 files | / smallest | first s / 1000 replaced | / smallest | re-run s | walk s | re-run / walk | peak RSS MiB (first) | --stats s | --verify s | --gc s | add-guest s |"
			print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
			for (i = 1; i <= ns; i++) { g = sizes[i]; f = "scale first vhashify " g
				per = 1000 * wall[f] / files[f]; if (i == 1) base = per
				rp = files["scale replaced vhashify " g]
				perr = rp > 0 ? 1000 * wall[f] / rp : 0; if (i == 1) baser = perr
				w = wall["scale walk find " g]
				printf "| %s | %s | %s | %.2f | %.4f | %.2f | %.4f | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %.2f | %.2f | %.2f |\n", g, files[f], rp, wall[f], per, (base > 0 ? per / base : 0), perr, (baser > 0 ? perr / baser : 0), wall["scale rerun vhashify " g], w, (w > 0 ? wall["scale rerun vhashify " g] / w : 0), rss[f], wall["scale stats vhashify " g], wall["scale verify vhashify " g], wall["scale gc vhashify " g], wall["scale add-guest vhashify " g]
				printf "%s %s %s\n", g, wall[f], rss[f] >(dir "/scale.dat") }
			close(dir "/scale.dat")
			print "\n![guests against seconds and peak RSS](scale.png)"
		}
		for (k in wall) if (k ~ /^million first/) mk = k
		if (mk != "") {
			split(mk, a, " "); m = a[4]
			print "\n## A store of " m " objects\n"
			print "| scenario | wall s | CPU s | peak RSS MiB |"
			print "|---|---|---|---|"
			split("first rerun walk stats verify gc add-guest add-empty", t, " ")
			for (i = 1; i <= 8; i++) { k = "million " t[i] " " (t[i] == "walk" ? "find" : "vhashify") " " (t[i] == "add-empty" ? 1 : m)
				if (!(k in wall)) continue
				printf "| %s | %.2f | %.2f | %.1f |\n", (t[i] == "first" ? "first run (" m " new objects)" : t[i] == "walk" ? "metadata walk (find -printf)" : t[i] == "add-guest" ? "one small guest (" files[k] " files) added to it" : t[i] == "add-empty" ? "the same guest added to an empty store" : t[i] == "rerun" ? "re-run" : "--" t[i]), wall[k], cpu[k], rss[k] }
		}
		for (k in wall) if (k ~ /^spinning/) sp = 1
		if (sp || skipped != "") {
			print "\n## Spinning disk: --jobs 1 against the default\n"
			printf "%s", skipped
		}
		if (sp) {
			print "A cold first run on a loop device throttled by a cgroup io limit (" spin ").\n"
			print "| jobs | guests | files | wall s | CPU s |"
			print "|---|---|---|---|---|"
			for (k in wall) if (k ~ /^spinning/) { split(k, a, " "); sg = a[4] }
			split("1 default", t, " ")
			for (i = 1; i <= 2; i++) { k = "spinning first-cold jobs-" t[i] " " sg
				if (k in wall) printf "| %s | %s | %s | %.2f | %.2f |\n", t[i], sg, files[k], wall[k], cpu[k] }
		}
		for (k in wall) if (k ~ /^link-floor/) lf = 1
		if (lf) {
			print "\n## Adding a guest: vhashify against the least linking costs\n"
			print "A guest (\"new\") added to a store that serves the others. link-floor (bench/link-floor.c) replaces the same duplicates one after the other in one thread, nothing read or checked: by vhashify'"'"'s swap (link, RENAME_EXCHANGE, unlink) or by the peers'"'"' rename over the file.\n"
			print "| run | files | wall s | CPU s |"
			print "|---|---|---|---|"
			split("vhashify exchange rename", t, " ")
			for (i = 1; i <= 3; i++) { k = "link-floor add-guest " t[i] " 1"
				if (k in wall) printf "| %s | %s | %.2f | %.2f |\n", (t[i] == "vhashify" ? "vhashify over the new guest" : "link-floor " t[i]), files[k], wall[k], cpu[k] }
		}
		if (calls != "") {
			print "\n## Reflink mode: where the first run'"'"'s ioctl time goes\n"
			print "| ioctl | size | calls | s | us per call |"
			print "|---|---|---|---|---|"
			printf "%s", calls
		}
	}' "$sraw"
	if [ -s "$dir/scale.dat" ] && command -v gnuplot >/dev/null; then
		gnuplot <<PLOT
set terminal pngcairo size 800,500
set output "$dir/scale.png"
set title "vhashify first run against guests"
set xlabel "guests"
set logscale x 2
set ylabel "first run, s"
set y2label "peak RSS, MiB"
set y2tics
set ytics nomirror
set key left top
set yrange [0:*]
set y2range [0:*]
plot "$dir/scale.dat" using 1:2 with linespoints title "seconds", \
     "" using 1:3 axes x1y2 with linespoints title "peak RSS MiB"
PLOT
	fi
	rm -f "$dir/scale.dat"
}

#!/bin/sh
# A host directory and a single host file bind-mounted into a guest from
# the same filesystem (LXC, nspawn) are mount points: not walked, not
# read, not linked, counted under "other filesystem", with hardlinks and
# with reflinks (loop-mounted XFS).
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
plan 12

M=$T/mnt
mkdir -p "$M"
binds=
cleanup() {
	for b in $binds; do umount "$b" 2>/dev/null; done
	umount "$M" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# setup DIR: guests g1 and g2 and a host tree in DIR; g1 gets the host's
# directory and file bound in, g2 has the same content as plain files
setup() {
	for g in g1 g2; do
		mkfile "$1/$g/usr/share/x" "shared $(seq 1 2000)"
		mkdir -p "$1/$g/srv/host"
	done
	mkfile "$1/g1/usr/bin/tool" "a mount point"
	mkfile "$1/host/dir/hostdata" "host data $(seq 1 2000)"
	mkfile "$1/host/tool" "the tool $(seq 1 2000)"
	# the same content in g2, under names of its own
	mkfile "$1/g2/srv/copy/data" "host data $(seq 1 2000)"
	mkfile "$1/g2/usr/bin/tool2" "the tool $(seq 1 2000)"
	find "$1/g1" "$1/g2" "$1/host" -exec touch -h -d @1700000000 {} +
	mount --bind "$1/host/dir" "$1/g1/srv/host" &&
		binds="$1/g1/srv/host $binds" &&
		mount --bind "$1/host/tool" "$1/g1/usr/bin/tool" &&
		binds="$1/g1/usr/bin/tool $binds"
}

host_state() { stat -c '%i %h %Y %s' "$1/host/dir/hostdata" "$1/host/tool"; }

# vh_traced ARGS...: run_vh under strace; $T/trace has its opens
vh_traced() {
	vh_status=0
	# (LeakSanitizer cannot work under ptrace: off for this run)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=open,openat -o "$T/trace" \
		vhashify "$@" >"$T/out" 2>"$T/err" || vh_status=$?
}
# the host files' names (only g1's mount points have them) never opened
not_opened() {
	! grep -E '"(hostdata|tool)"' "$T/trace" || { diag "opened"; false; }
}
command -v strace >/dev/null || skip_all "strace is needed"

# hardlinks, in the scratch directory's filesystem
setup "$T" || skip_all "cannot bind-mount here"
host_state "$T" >"$T/host.before"
vh_traced --pkgmgr=none --store "$T/store" "$T/g1" "$T/g2"
check "hardlink: the run succeeds, nothing fails" \
	eval 'status_is 0 && summary_is 0 failed'
check "hardlink: the bound directory and file count as other filesystem" \
	eval 'summary_is 1 "other filesystem" &&
	      summary_is 1 "directories skipped"'
host_state "$T" >"$T/host.after"
check "hardlink: host files are not opened" not_opened
check "hardlink: host files are not linked (inode, links, mtime, size)" \
	same_manifest "$T/host.before" "$T/host.after"
check "hardlink: guest files beside them are linked" \
	same_inode "$T/g1/usr/share/x" "$T/g2/usr/share/x"
run_vh --pkgmgr=none --store "$T/store" "$T/g1" "$T/g2"
check "hardlink: a second run fails on nothing either" \
	eval 'status_is 0 && summary_is 0 failed'
host_state "$T" >"$T/host.after"

# reflinks on XFS: FIDEDUPERANGE would share extents across mounts
truncate -s 300M "$T/xfs.img"
if ! command -v mkfs.xfs >/dev/null ||
   ! mkfs.xfs -q -f -m reflink=1 "$T/xfs.img" >/dev/null 2>&1 ||
   ! mount -o loop "$T/xfs.img" "$M" 2>/dev/null || ! setup "$M"; then
	for i in 1 2 3 4 5 6; do
		skip "reflink: check $i" "cannot loop-mount XFS and bind here"
	done
	exit 0
fi
sync
host_state "$M" >"$T/host.before"
vh_traced --pkgmgr=none --method=reflink --store "$M/store" "$M/g1" "$M/g2"
check "reflink: the run succeeds, nothing fails" \
	eval 'status_is 0 && summary_is 0 failed'
check "reflink: the bound directory and file count as other filesystem" \
	eval 'summary_is 1 "other filesystem" &&
	      summary_is 1 "directories skipped"'
host_state "$M" >"$T/host.after"
check "reflink: host files are not opened" not_opened
check "reflink: host files keep inode, links, mtime, size" \
	same_manifest "$T/host.before" "$T/host.after"
check "reflink: host files share no extent" \
	eval '! filefrag -v "$M/host/dir/data" | grep -q shared &&
	      ! filefrag -v "$M/host/tool" | grep -q shared'
check "reflink: guest files beside them share extents" \
	eval 'filefrag -v "$M/g2/usr/share/x" | grep -q shared'
done_testing

#!/bin/sh
# FIFOs and device nodes a guest plants where vhashify reads a file
# (os-release, the dpkg, pacman and rpm databases, an exclude list
# inside a guest) are refused by path and never opened: a FIFO would
# block the run, a device may act when opened. Every run is under
# timeout, and strace shows that each planted node was reached with
# O_PATH only.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v strace >/dev/null || skip_all "strace is needed"
command -v timeout >/dev/null || skip_all "timeout is needed"
plan 20

# traced ARGS...: run_vh under timeout, then again under strace for
# the opens, in $T/trace (LeakSanitizer cannot work under ptrace)
traced() {
	vh_status=0
	timeout 60 vhashify "$@" >"$T/out" 2>"$T/err" || vh_status=$?
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 60 strace -f -qq -e trace=openat,openat2,open \
		-o "$T/trace" vhashify "$@" >/dev/null 2>&1
}

# opened REGEX: the last traced run opened a path that REGEX (grep -E)
# matches whole, other than with O_PATH (the path alone: opens nothing)
opened() {
	grep -E "\"($1)\"" "$T/trace" | grep -v O_PATH >"$T/opens" ||
		return 1
	diag "$(cat "$T/opens")"
}

# node PATH fifo|null: a FIFO, or a character device with /dev/null's
# numbers (should it ever be opened, nothing happens)
node() {
	mkdir -p "$(dirname "$1")"
	rm -f "$1"
	if [ "$2" = fifo ]; then mkfifo "$1"; else mknod "$1" c 1 3; fi
}

mkguest() {
	mkfile "$T/$1/usr/share/x/data" "same"
	mkfile "$T/$1/usr/share/x/more" "more"
}

for kind in fifo null; do
	# os-release, read to choose a backend when no database is there
	mkguest o1
	node "$T/o1/etc/os-release" $kind
	traced --detect "$T/o1"
	check "a $kind as etc/os-release: the run ends, naming it" \
		eval 'status_is 0 && err_has "cannot read '"'"'$T/o1/etc/os-release'"'"': not a regular file"'
	check "the $kind etc/os-release is never opened" \
		eval '! opened /etc/os-release'
	rm "$T/o1/etc/os-release"
	node "$T/o1/usr/lib/os-release" $kind
	traced --detect "$T/o1"
	check "a $kind as usr/lib/os-release is named and never opened" \
		eval 'status_is 0 && err_has "'"'"'$T/o1/usr/lib/os-release'"'"': not a regular file" && ! opened /usr/lib/os-release'
	rm -rf "$T/o1"
done

# var/lib/dpkg/status
mkguest d1
node "$T/d1/var/lib/dpkg/status" fifo
traced --store "$T/s" "$T/d1"
check "a FIFO as the dpkg status: the guest is left alone (status 1)" \
	status_is 1
check "it is named" \
	err_has "dpkg: cannot read '/var/lib/dpkg/status': not a regular file"
check "it is never opened" eval '! opened /var/lib/dpkg/status'

# a pacman package's files entry
mkguest p1
mkfile "$T/p1/var/lib/pacman/local/ALPM_DB_VERSION" "9"
mkdir -p "$T/p1/var/lib/pacman/local/x-1-1"
node "$T/p1/var/lib/pacman/local/x-1-1/files" null
traced --store "$T/s" --pkgmgr=pacman "$T/p1"
check "a device as a pacman files entry: the guest is left alone" \
	status_is 1
check "it is named" err_has "pacman: cannot read '/var/lib/pacman/local/x-1-1/files': not a regular file"
check "it is never opened" eval '! opened "(/var/lib/pacman/local/x-1-1/)?files"'

# the rpm database, and a file beside a real one that librpm would read
mkguest r1
node "$T/r1/var/lib/rpm/rpmdb.sqlite" fifo
traced --store "$T/s" --pkgmgr=rpm "$T/r1"
if [ -f "$VHASHIFY_PLUGIN_DIR/rpm.so" ]; then
	check "a FIFO as the rpm database is named, the guest left alone" \
		eval 'status_is 1 && err_has "rpm: cannot copy '"'"'/var/lib/rpm/rpmdb.sqlite'"'"': not a regular file"'
	check "it is never opened" eval '! opened "(/var/lib/rpm/)?rpmdb.sqlite"'
else
	skip "a FIFO as the rpm database" "the rpm backend was not built"
	skip "it is never opened" "the rpm backend was not built"
fi
if [ -f "$VHASHIFY_PLUGIN_DIR/rpm.so" ] && command -v rpm >/dev/null &&
   rpm --root "$T/r2" --dbpath /var/lib/rpm --initdb >/dev/null 2>&1; then
	mkguest r2
	node "$T/r2/var/lib/rpm/rpmdb.sqlite-wal" fifo
	traced --store "$T/s" --pkgmgr=rpm "$T/r2"
	check "a FIFO as the sqlite write-ahead log: the guest is left alone" \
		eval 'status_is 1 && err_has "rpm: cannot copy '"'"'/var/lib/rpm/rpmdb.sqlite-wal'"'"': not a regular file"'
	check "it is never opened" eval '! opened "(/var/lib/rpm/)?rpmdb.sqlite-wal"'
else
	skip "a FIFO as the sqlite write-ahead log" "rpm is needed"
	skip "it is never opened" "rpm is needed"
fi

# an exclude list given with --exclude-from that a guest replaced
mkguest e1
node "$T/e1/etc/exclude" fifo
traced --store "$T/s" --pkgmgr=none --exclude-from "$T/e1/etc/exclude" \
	"$T/e1"
check "a FIFO as an --exclude-from list: the run ends (status 2)" \
	status_is 2
check "it is named" \
	err_has "exclude-file: cannot read '$T/e1/etc/exclude': not a regular file"
check "it is never opened" eval '! opened "$T/e1/etc/exclude"'

check "nothing was linked in any guest" \
	eval '! same_inode "$T/d1/usr/share/x/data" "$T/p1/usr/share/x/data" &&
	      ! same_inode "$T/r1/usr/share/x/data" "$T/e1/usr/share/x/data"'
done_testing

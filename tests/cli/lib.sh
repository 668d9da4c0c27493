# Shared helpers of the CLI tests: TAP output, scratch space, guests.
# A test sources this file, says `plan N`, then runs checks.
set -u
export LC_ALL=C

tap_n=0
tap_failed=0

plan() { echo "1..$1"; }

# skip_all REASON: the whole test cannot run here: a plan of no tests
# with a SKIP reason, which the TAP driver counts as skipped (the TAP
# form of automake's exit 77; a TAP test exits 0).
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
}
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# diag LINES: shown by the TAP driver, not counted.
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (chown, mknod, xattrs)"
}

# Scratch directory, removed when the test ends.
T=$(mktemp -d "${TMPDIR:-/tmp}/vhashify-test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

MANIFEST=${MANIFEST:-manifest}

# same_inode A B: whether A and B are one inode.
same_inode() { [ "$(stat -c %d:%i "$1")" = "$(stat -c %d:%i "$2")" ]; }

# run_vh ARGS...: runs vhashify, keeping stdout, stderr and status in
# $T/out, $T/err and $vh_status.
run_vh() {
	vh_status=0
	vhashify "$@" >"$T/out" 2>"$T/err" || vh_status=$?
}

# status_is N: the last run_vh exited with N (prints stderr if not).
status_is() {
	[ "$vh_status" = "$1" ] && return 0
	diag "exit status $vh_status, expected $1" "$(cat "$T/err")"
	return 1
}

# out_has TEXT / err_has TEXT: the last run printed TEXT.
out_has() { grep -qF -- "$1" "$T/out" || { diag "$(cat "$T/out")"; false; }; }
err_has() { grep -qF -- "$1" "$T/err" || { diag "$(cat "$T/err")"; false; }; }

# summary VALUE NAME: the summary line "NAME: VALUE" of the last run.
summary_is() {
	local got
	got=$(sed -n "s/^ *$2: *\([0-9-]*\).*/\1/p" "$T/out" | head -n 1)
	[ "$got" = "$1" ] && return 0
	diag "$2: got '$got', expected '$1'" "$(cat "$T/out")"
	return 1
}

# same_manifest A B: two manifest files are equal (diff on failure).
same_manifest() {
	cmp -s "$1" "$2" && return 0
	diag "$(diff "$1" "$2" | head -n 20)"
	return 1
}

# mkfile PATH CONTENT [MODE]: a file with its parents.
# rpm_spec NAME VERSION: the head of a spec of a noarch test package, up
# to its %description; the caller adds %install and %files
rpm_spec() {
	printf 'Name: %s\nVersion: %s\nRelease: 1\nSummary: test package\n' \
		"$1" "$2"
	printf 'License: none\nBuildArch: noarch\n%%description\ntest package\n'
}

mkfile() {
	mkdir -p "$(dirname "$1")"
	printf '%s' "$2" >"$1"
	[ $# -lt 3 ] || chmod "$3" "$1"
}

done_testing() {
	[ "$tap_failed" = 0 ]
}

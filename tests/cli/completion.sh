#!/bin/bash
# Bash completion: options, methods, backends, guest names.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 5

. "$TESTS_SRCDIR/../completion/vhashify.bash"
# complete WORDS...: what completing the last word offers, one a line
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vhashify
	printf '%s\n' "${COMPREPLY[@]}"
}
has() { grep -qx -- "$1"; }

complete_words vhashify --re >"$T/c1"
check "options complete" eval 'has --refresh <"$T/c1" && has --restore <"$T/c1"'
complete_words vhashify --method "" >"$T/c2"
check "methods complete" eval 'has reflink <"$T/c2" && has auto <"$T/c2"'
complete_words vhashify --pkgmgr "" >"$T/c3"
check "backends complete" eval 'has dpkg <"$T/c3" && has none <"$T/c3" && ! has exclude-file <"$T/c3"'
mkdir -p "$T/machines/web1" "$T/machines/web2"
printf 'guest-paths: ["%s/machines/{name}"]\n' "$T" >"$T/etc.yaml"
mkdir -p "$T/conf"
cp "$VHASHIFY_SYSCONFDIR/exclude" "$VHASHIFY_SYSCONFDIR/detect.yaml" "$T/conf/"
cp "$T/etc.yaml" "$T/conf/vhashify.yaml"
VHASHIFY_SYSCONFDIR=$T/conf complete_words vhashify web >"$T/c4"
check "guest names complete" eval 'has web1 <"$T/c4" && has web2 <"$T/c4"'
complete_words vhashify --store "$T/mach" >"$T/c5"
check "directories complete after --store" has "$T/machines" <"$T/c5"
done_testing

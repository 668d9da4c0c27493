#!/bin/sh
# EACCES: run as an unprivileged user, files it may not read are skipped
# as unreadable and reported at -vv, the rest is shared, nothing is lost.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
require_root
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is needed"
id nobody >/dev/null 2>&1 || skip_all "no user nobody"
plan 5

chmod 0755 "$T"
for g in g1 g2; do
	mkfile "$T/$g/usr/share/readable" "everyone may read this"
	mkfile "$T/$g/usr/share/secret" "only root may read this" 0600
done
find "$T/g1" "$T/g2" -exec touch -h -d @1700000000 {} +
chown -R nobody:"$(id -g nobody)" "$T/g1" "$T/g2"
chown root "$T/g1/usr/share/secret" "$T/g2/usr/share/secret"
mkdir "$T/s" && chown nobody "$T/s"
for g in g1 g2; do $MANIFEST "$T/$g" >"$T/$g.before"; done

vh_status=0
setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	env PATH="$PATH" VHASHIFY_SYSCONFDIR="$VHASHIFY_SYSCONFDIR" \
	VHASHIFY_PLUGIN_DIR="$VHASHIFY_PLUGIN_DIR" \
	vhashify -vv --pkgmgr=none --store "$T/s/store" "$T/g1" "$T/g2" \
	>"$T/out" 2>"$T/err" || vh_status=$?
check "an unprivileged run exits 0" status_is 0
check "files it may not read are skipped as unreadable" \
	eval 'summary_is 2 unreadable && out_has "usr/share/secret'"'"': unreadable"'
check "the rest is shared" \
	same_inode "$T/g1/usr/share/readable" "$T/g2/usr/share/readable"
check "unreadable files are left alone" \
	eval '! same_inode "$T/g1/usr/share/secret" "$T/g2/usr/share/secret"'
ok=yes
for g in g1 g2; do
	$MANIFEST "$T/$g" >"$T/$g.after"
	same_manifest "$T/$g.before" "$T/$g.after" || ok=no
done
check "nothing is lost" test $ok = yes
done_testing

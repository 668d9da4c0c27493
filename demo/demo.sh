#!/bin/sh
# The demo: three sample guests made from this host's /usr/share/doc and
# part of /usr/bin, one with a changed file and one with a different
# owner here and there, hashified into a store next to them.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${DEMO_DIR:-/tmp/vhashify-demo}
vhashify=${VHASHIFY:-$top/vhashify}
# run from the build tree: its configuration and plugins
export VHASHIFY_CONFIG_DIR=${VHASHIFY_CONFIG_DIR:-${VHASHIFY_SYSCONFDIR:-$top/etc}}
export VHASHIFY_PLUGIN_DIR=${VHASHIFY_PLUGIN_DIR:-$top/plugins/.libs}

rm -rf "$dir"
mkdir -p "$dir"
echo "making three sample guests in $dir ..."
for g in web1 web2 db1; do
	mkdir -p "$dir/$g/usr/bin" "$dir/$g/usr/share" "$dir/$g/etc"
	cp -a /usr/share/doc "$dir/$g/usr/share/"
	cp -a /usr/bin/[a-f]* "$dir/$g/usr/bin/"
	echo "$g" >"$dir/$g/etc/hostname"
done
# what makes guests differ: a changed file, another owner
echo "patched" >>"$dir/db1/usr/share/doc/dpkg/copyright" 2>/dev/null || :
chown -R 1000:1000 "$dir/db1/usr/share/doc/bash" 2>/dev/null || :
du -sh "$dir"

echo
echo "vhashify --store $dir/store $dir/web1 $dir/web2 $dir/db1"
"$vhashify" --pkgmgr=none --store "$dir/store" \
	"$dir/web1" "$dir/web2" "$dir/db1"
du -sh "$dir"
echo
echo "a second run finds everything unified:"
"$vhashify" --pkgmgr=none --store "$dir/store" \
	"$dir/web1" "$dir/web2" "$dir/db1" | tail -n 10

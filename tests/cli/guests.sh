#!/bin/sh
# Guests by name through each kind of search path, --all, --list-guests,
# the configuration file, its errors with line numbers, per-guest
# settings, and the command line overriding the file.
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
plan 19

C=$T/vhashify.yaml
cat >"$C" <<CONF
# test configuration
stores: [$T/store]
guest-paths:
  - $T/vservers/{name}/vdir
  - $T/machines/{name}
  - $T/lxc/{name}/rootfs
  - $T/incus/containers/{name}/rootfs
min-size: 2
guests:
  ns1:
    backend: none
    exclude-list: $T/ns1.exclude
CONF
printf -- '- /usr/private\n' >"$T/ns1.exclude"
for root in vservers/vs1/vdir machines/ns1 lxc/lxc1/rootfs \
	    incus/containers/inc1/rootfs; do
	mkfile "$T/$root/usr/share/common" "the same everywhere"
	mkfile "$T/$root/usr/private/file" "private in ns1 only"
	mkfile "$T/$root/usr/tiny" "x"
done
find "$T" -exec touch -h -d @1700000000 {} +
mkdir -p "$T/lxc/notaguest"	# no rootfs below: not a guest

run_vh -c "$C" --list-guests
check "--list-guests exits 0" status_is 0
check "--list-guests finds a Linux-VServer guest" \
	out_has "vs1	$T/vservers/vs1/vdir"
check "--list-guests finds an nspawn machine" out_has "ns1	$T/machines/ns1"
check "--list-guests finds an LXC container" out_has "lxc1	$T/lxc/lxc1/rootfs"
check "--list-guests finds an Incus container" \
	out_has "inc1	$T/incus/containers/inc1/rootfs"
check "--list-guests shows the backend" out_has "none (forced)"
check "--list-guests skips directories that are no guest" \
	eval '! grep -q notaguest "$T/out"'

run_vh -c "$C" --pkgmgr=none vs1 lxc1 inc1
check "guests given by name are hashified" status_is 0
check "names resolve through each kind of path" \
	eval 'same_inode "$T/vservers/vs1/vdir/usr/share/common" "$T/lxc/lxc1/rootfs/usr/share/common" &&
	      same_inode "$T/vservers/vs1/vdir/usr/share/common" "$T/incus/containers/inc1/rootfs/usr/share/common"'
check "min-size from the configuration file applies" \
	eval '! same_inode "$T/vservers/vs1/vdir/usr/tiny" "$T/lxc/lxc1/rootfs/usr/tiny"'

run_vh -c "$C" --pkgmgr=none --min-size 1 --all
check "--all hashifies every guest found" status_is 0
check "--all reached the guest not named before" \
	same_inode "$T/vservers/vs1/vdir/usr/share/common" "$T/machines/ns1/usr/share/common"
check "the command line overrides the file (--min-size)" \
	same_inode "$T/vservers/vs1/vdir/usr/tiny" "$T/lxc/lxc1/rootfs/usr/tiny"
check "a guest's own exclude list keeps its files out" \
	eval '! same_inode "$T/machines/ns1/usr/private/file" "$T/lxc/lxc1/rootfs/usr/private/file" &&
	      same_inode "$T/vservers/vs1/vdir/usr/private/file" "$T/lxc/lxc1/rootfs/usr/private/file"'

run_vh -c "$C" --pkgmgr=none nosuch
check "an unknown name is an error (status 2)" status_is 2
check "it lists where it looked" \
	err_has "unknown guest 'nosuch': not found in '$T/vservers/nosuch/vdir', '$T/machines/nosuch', '$T/lxc/nosuch/rootfs', '$T/incus/containers/nosuch/rootfs'"

# configuration errors name the file and line, and change nothing
printf 'stores: [%s/store]\nmin-size: 1\nstors: [/x]\n' "$T" >"$T/bad1.yaml"
run_vh -c "$T/bad1.yaml" --pkgmgr=none "$T/machines/ns1"
check "an unknown key is an error with its line" \
	err_has "'$T/bad1.yaml' line 3: unknown key 'stors'"
printf 'hash: md5\n' >"$T/bad2.yaml"
run_vh -c "$T/bad2.yaml" --pkgmgr=none "$T/machines/ns1"
check "a bad value is an error with its line" \
	eval 'status_is 2 && err_has "'"'$T/bad2.yaml'"' line 1: '"'hash'"' must be xxh3-128 or sha256"'
printf 'guests:\n  web1:\n    backend: [a, b]\n' >"$T/bad3.yaml"
run_vh -c "$T/bad3.yaml" --pkgmgr=none "$T/machines/ns1"
check "a wrong type is an error with its line" \
	err_has "'$T/bad3.yaml' line 3: 'backend' must be a backend name or none"
done_testing

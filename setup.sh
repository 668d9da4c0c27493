#!/bin/sh
# Installs what the build and the tests need (Debian 12, as root), then
# configures and builds vhashify in build/ (out of tree: configure's
# checks stumble over a directory named "core" where they run).
set -e
cd "$(dirname "$0")"

packages="build-essential autoconf automake libtool pkgconf
	libyaml-dev libxxhash-dev libssl-dev libcmocka-dev
	librpm-dev rpm pacman-package-manager libarchive-tools mmdebstrap
	attr acl libcap2-bin strace e2fsprogs xz-utils jq groff-base
	xfsprogs btrfs-progs db5.3-util sqlite3"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup.sh: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-tests --prefix=/usr --sysconfdir=/etc \
	--localstatedir=/var
make -j"$(nproc)"

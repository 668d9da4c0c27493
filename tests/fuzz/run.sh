#!/bin/sh
# make fuzz: builds the libFuzzer harnesses of every parser of guest or
# user text with clang (ASan, UBSan) and runs each for FUZZ_SECONDS
# (default 60) from its seed corpus in tests/fuzz/corpus/NAME. New
# inputs go to fuzz-corpus/NAME in the build tree, crashes to fuzz-out/.
# FUZZ_ONLY: the harnesses to run (default: all of them).
set -e
src=$1		# top source directory
build=$2	# top build directory (for config.h)
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "fuzz: $cc not found: install clang" >&2; exit 1; }

flags="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE
	-I$build -I$src/core -I$src/include -I$src/plugins/lib
	-I$src/plugins/dpkg -I$src/plugins/pacman -I$src/plugins/portage
	$(pkg-config --cflags yaml-0.1 libxxhash libcrypto)"
libs="$(pkg-config --libs yaml-0.1 libxxhash libcrypto) -ldl"
core=$(ls "$src"/core/*.c | grep -v '/main\.c$')
mkdir -p "$build/fuzz-bin" "$build/fuzz-out"

# one per harness, tests/fuzz/fuzz_NAME.c; the plugin sources each
# needs are those of its replay in tests/Makemodule.am
all=$(for f in "$src"/tests/fuzz/fuzz_*.c; do f=${f##*/fuzz_}; echo "${f%.c}"; done)
for name in ${FUZZ_ONLY:-$all}; do
	case $name in
	dpkg) extra="$src/plugins/dpkg/status.c $src/plugins/lib/textline.c" ;;
	pacman) extra="$src/plugins/pacman/files.c $src/plugins/lib/textline.c" ;;
	portage) extra="$src/plugins/portage/makeconf.c" ;;
	exclude) extra="$src/plugins/exclude-file/exclude-file.c
		$src/plugins/lib/safeopen.c" ;;
	*) extra= ;;
	esac
	# shellcheck disable=SC2086
	$cc $flags -DSYSCONFDIR=\"/etc\" -DDEFAULT_STORE=\"/var/lib/vhashify/store\" \
		-DPLUGINDIR=\"/nowhere\" -DPLUGIN_VERSION=\"fuzz\" -o "$build/fuzz-bin/fuzz_$name" \
		"$src/tests/fuzz/fuzz_$name.c" $core $extra $libs
	mkdir -p "$build/fuzz-corpus/$name"
	echo "fuzz: $name for ${seconds}s"
	"$build/fuzz-bin/fuzz_$name" -max_total_time="$seconds" \
		-artifact_prefix="$build/fuzz-out/$name-" -print_final_stats=1 \
		"$build/fuzz-corpus/$name" "$src/tests/fuzz/corpus/$name" \
		2>"$build/fuzz-out/$name.log" ||
		{ tail -n 40 "$build/fuzz-out/$name.log"; exit 1; }
	grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' \
		"$build/fuzz-out/$name.log" | tail -n 1
done

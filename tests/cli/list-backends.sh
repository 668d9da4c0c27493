#!/bin/sh
# --list-backends lists every plugin of the directory it can load, and
# exits 2 when one there was refused (0 when none was).
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
[ -f "$TEST_PLUGIN_DIR/good.so" ] || skip_all "the test plugins were not built"
plan 6

P=$T/plugins
mkdir -p "$P"
ln -s "$VHASHIFY_PLUGIN_DIR/exclude-file.so" "$TEST_PLUGIN_DIR/good.so" "$P/"
run_vh --plugin-dir "$P" --list-backends
check "with every plugin loaded it exits 0" status_is 0
check "and lists them" eval 'out_has "exclude-file " && out_has "good "'

# refused: another ABI major, and a file that is no shared object; a
# name before and one after the good plugins
ln -s "$TEST_PLUGIN_DIR/bad-major.so" "$P/"
printf 'not ELF\n' >"$P/zz-broken.so"
run_vh --plugin-dir "$P" --list-backends
check "a refused plugin makes it exit 2" status_is 2
check "the others are still listed" \
	eval 'out_has "exclude-file " && out_has "good "'
check "each refusal is said with its file" \
	eval 'err_has "cannot load plugin '"'"'$P/bad-major.so'"'"'" &&
	      err_has "cannot load plugin '"'"'$P/zz-broken.so'"'"'"'
rm "$P/bad-major.so" "$P/zz-broken.so"
run_vh --plugin-dir "$P" --list-backends
check "once they are gone it exits 0 again" status_is 0
done_testing

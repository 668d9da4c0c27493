#!/bin/sh
# Every YAML file vhashify reads (vhashify.yaml, detect.yaml,
# detect.d/*.yaml) is strict: a key given twice at any level and a
# second document are errors naming file and line. Only regular files
# named *.yaml are read from detect.d: a FIFO there is noted, never
# opened, and cannot block the run (timeout).
. "${TESTS_SRCDIR:?run through make check}/cli/lib.sh" || exit 99
command -v timeout >/dev/null || skip_all "timeout is needed"
plan 18

cp -r "$VHASHIFY_SYSCONFDIR" "$T/etc"
export VHASHIFY_SYSCONFDIR="$T/etc"
mkdir -p "$T/etc/detect.d"
: >"$T/empty.yaml"
mkfile "$T/g/etc/os-release" "ID=debian"
mkfile "$T/g/usr/share/x" "x"

# with_conf TEXT: --detect with TEXT as vhashify.yaml
with_conf() {
	printf "$1" >"$T/c.yaml"
	vh_status=0
	timeout 60 vhashify -c "$T/c.yaml" --detect "$T/g" >"$T/out" \
		2>"$T/err" || vh_status=$?
}

# with_dropin TEXT: --detect with TEXT as detect.d/x.yaml
with_dropin() {
	printf "$1" >"$T/etc/detect.d/x.yaml"
	vh_status=0
	timeout 60 vhashify -v -c "$T/empty.yaml" --detect \
		"$T/g" >"$T/out" 2>"$T/err" || vh_status=$?
	rm -f "$T/etc/detect.d/x.yaml"
}

with_conf 'min-size: 1\nhash: sha256\nmin-size: 2\n'
check "vhashify.yaml: a top-level key given twice is an error" \
	eval 'status_is 2 && err_has "'"'"'$T/c.yaml'"'"' line 3: key '"'"'min-size'"'"' given twice"'
with_conf 'guests:\n  a:\n    backend: dpkg\n    exclude-list: /x\n    backend: rpm\n'
check "vhashify.yaml: a key given twice in a guest is an error" \
	eval 'status_is 2 && err_has "'"'"'$T/c.yaml'"'"' line 5: key '"'"'backend'"'"' given twice"'
with_conf 'ignore-mtime: false\n---\nignore-mtime: true\n'
check "vhashify.yaml: a second document is an error" \
	eval 'status_is 2 && err_has "'"'"'$T/c.yaml'"'"' line 2: a second document"'
with_conf 'min-size: 1\n...\n'
check "vhashify.yaml: one document, ended, is fine" status_is 0
with_conf 'min-size: 1\n# just a comment\n---\n'
check "vhashify.yaml: a second, empty document is an error too" \
	eval 'status_is 2 && err_has "line 3: a second document"'

D=$T/etc/detect.d/x.yaml
with_dropin 'rules:\n  - backend: dpkg\n    os-release: debian\nrules: []\n'
check "detect.d: 'rules' given twice is an error" \
	eval 'status_is 2 && err_has "'"'"'$D'"'"' line 4: key '"'"'rules'"'"' given twice"'
with_dropin 'rules:\n  - backend: dpkg\n    backend: rpm\n    os-release: debian\n'
check "detect.d: a key given twice in a rule is an error" \
	eval 'status_is 2 && err_has "'"'"'$D'"'"' line 3: key '"'"'backend'"'"' given twice"'
with_dropin 'rules:\n  - backend: none\n    os-release: debian\n---\nrules: []\n'
check "detect.d: a second document is an error" \
	eval 'status_is 2 && err_has "'"'"'$D'"'"' line 4: a second document"'
with_dropin 'rules:\n  - {backend: dpkg, os-release: [debian], x: {a: 1, a: 2}}\n'
check "detect.d: a key given twice deep in a value is an error" \
	eval 'status_is 2 && err_has "'"'"'$D'"'"' line 2: key '"'"'a'"'"' given twice"'
cp "$T/etc/detect.yaml" "$T/detect.yaml.orig"
printf '%s\n' "---" "rules: []" >>"$T/etc/detect.yaml"
with_dropin ''
check "detect.yaml: a second document is an error" \
	eval 'status_is 2 && err_has "'"'"'$T/etc/detect.yaml'"'"' line" && err_has "a second document"'
cp "$T/detect.yaml.orig" "$T/etc/detect.yaml"

# detect.d: a FIFO (read first, in name order, before the fix: it
# blocked), a directory and a README beside a good drop-in
mkfifo "$T/etc/detect.d/fifo.yaml"
mkdir "$T/etc/detect.d/sub.yaml"
mkfile "$T/etc/detect.d/README" "not a rule"
mkfile "$T/etc/detect.d/good.yaml" 'rules:
  - backend: exclude-file
    exists: /usr/share/x
'
with_dropin ''
check "detect.d with a FIFO: the run does not block (status 0)" status_is 0
check "the FIFO is noted by path" \
	out_has "ignored '$T/etc/detect.d/fifo.yaml': not a regular file"
check "the directory is noted by path" \
	out_has "ignored '$T/etc/detect.d/sub.yaml': not a regular file"
check "a file not named *.yaml is noted" \
	out_has "ignored '$T/etc/detect.d/README': not named *.yaml"
check "the regular drop-in beside them is read" \
	out_has "$T/g: exclude-file ("
rm "$T/etc/detect.d/fifo.yaml" "$T/etc/detect.d/good.yaml"
mkfile "$T/rule.yaml" 'rules:
  - backend: exclude-file
    exists: /usr/share/x
'
ln -s "$T/rule.yaml" "$T/etc/detect.d/link.yaml"
with_dropin ''
check "a symlink to a regular drop-in is read" \
	eval 'status_is 0 && out_has "$T/g: exclude-file ("'
rm "$T/etc/detect.d/link.yaml"

# deep nesting is refused by its line before libyaml's scanner, whose
# cost grows with the square of the open levels, sees it all
deep=$(head -c 100000 /dev/zero | tr '\0' '[')
with_conf "exclude-lists: $deep\n"
check "100,000 unclosed [ in vhashify.yaml: refused, naming the line" \
	eval 'status_is 2 && err_has "c.yaml'"'"' line 1: nested more than 64 levels deep"'
with_dropin "rules:\n  - backend: $deep\n"
check "the same in a detect.d drop-in" \
	eval 'status_is 2 && err_has "x.yaml'"'"' line 2: nested more than 64"'
done_testing

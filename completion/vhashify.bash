# bash completion for vhashify(8): options, guest names (from the
# configured guest paths), backends and methods.

_vhashify()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local IFS=$'\n'

	case $prev in
	-s|--store|--plugin-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-c|--config|--exclude-from)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--method)
		COMPREPLY=($(compgen -W $'hardlink\nreflink\nauto' -- "$cur"))
		return
		;;
	--hash)
		COMPREPLY=($(compgen -W $'xxh3-128\nsha256' -- "$cur"))
		return
		;;
	--pkgmgr)
		COMPREPLY=($(compgen -W "$(printf 'auto\nnone\n';
			vhashify --list-backends 2>/dev/null |
			awk '$1 != "exclude-file" { print $1 }')" -- "$cur"))
		return
		;;
	--min-size|-j|--jobs)
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(vhashify --help 2>/dev/null |
			grep -o -- ' --*[a-z][a-z-]*' | tr -d ' ' | sort -u)" \
			-- "$cur"))
		return
	fi
	# a guest: a name the configured guest paths know, or a directory
	COMPREPLY=($(compgen -W "$(vhashify --list-guests 2>/dev/null |
		cut -f1)" -- "$cur") $(compgen -d -- "$cur"))
}
complete -F _vhashify vhashify

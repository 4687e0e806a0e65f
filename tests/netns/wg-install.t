#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install DESTDIR=...`, with PREFIX=/usr and with the default
# /usr/local: every program, man page and bash completion lands where
# packagers expect it, with the right modes; the installed wg runs, its man
# page renders without warnings and documents what wg does, and its completion
# completes subcommands, interfaces, show fields (json included) and set options.

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
T=wgt$$
. "$here/../lib/netns.sh"
need make man
W=$(mktemp -d /tmp/wgt-XXXXXX)
at_exit rm -rf "$W"
[ -x "$OUR_WG" ] || skip_all "build wg first"

for prefix in /usr /usr/local; do
	d=$W/dest${prefix//\//-}
	args=(DESTDIR="$d" B="$WG_BUILD")
	[ "$prefix" == /usr ] && args+=(PREFIX=/usr)
	check "make install ${args[*]:2}" make -s -C "$root" --no-print-directory install "${args[@]}"
	for bin in "$WG_BUILD"/wg "$WG_BUILD"/wg-quick "$WG_BUILD"/wg-mesh "$WG_BUILD"/wg-engine; do
		[ -e "$bin" ] || continue
		f=$d$prefix/bin/$(basename "$bin")
		is "$(stat -c %a "$f" 2>&1)" 755 "$prefix: $(basename "$bin") installed, mode 755"
	done
	for m in "$root"/man/*.8; do
		is "$(stat -c %a "$d$prefix/share/man/man8/$(basename "$m")" 2>&1)" 644 \
			"$prefix: man page $(basename "$m") installed, mode 644"
	done
	for c in "$root"/completion/*.bash-completion; do
		f=$d$prefix/share/bash-completion/completions/$(basename "$c" .bash-completion)
		is "$(stat -c %a "$f" 2>&1)" 644 "$prefix: completion $(basename "$f") installed, mode 644"
		check "$prefix: completion $(basename "$f") is valid bash" bash -n "$f"
	done
	is "$("$d$prefix/bin/wg" --version)" "$("$OUR_WG" --version)" "$prefix: the installed wg runs"
done

# The man page: renders cleanly, and covers every subcommand and variable.
d=$W/dest-usr/usr
man_txt=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$d/share/man/man8/wg.8" 2>"$W/man.err")
is "$(cat "$W/man.err")" "" "wg.8 renders without warnings"
for word in show showconf set setconf addconf syncconf genkey genpsk pubkey json dump \
	WG_COLOR_MODE WG_HIDE_KEYS WG_ENDPOINT_RESOLUTION_RETRIES persistent-keepalive \
	latest-handshakes preshared-keys allowed-ips listen-port fwmark; do
	grep -qw -- "$word" <<<"$man_txt"
	ok $? "wg.8 documents $word"
done
# Every subcommand in wg --help has a man page entry.
for cmd in $("$OUR_WG" --help | sed -n 's/^  \([a-z]*\): .*/\1/p'); do
	grep -q "^       $cmd" <<<"$man_txt"
	ok $? "wg.8 has an entry for $cmd"
done

# The completion, driven the way bash drives it.
complete_words() { # complete_words WORD... : what the installed completion offers
	bash -c '
		compopt() { :; }
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		_wg
		echo "${COMPREPLY[*]}"' _ "$d/share/bash-completion/completions/wg" "$@"
}
is "$(complete_words "$OUR_WG" "")" \
	"help show showconf set setconf addconf syncconf genkey genpsk pubkey" "completes subcommands"
is "$(complete_words "$OUR_WG" show wg0 j)" json "completes the json field"
is "$(complete_words "$OUR_WG" show all l)" "listen-port latest-handshakes" "completes show fields"
is "$(complete_words "$OUR_WG" show interfaces "")" "" "nothing after show interfaces"
is "$(complete_words "$OUR_WG" set wg0 "")" "listen-port fwmark private-key peer" \
	"completes set's device options"
is "$(complete_words "$OUR_WG" set wg0 fwmark 1 "")" "listen-port private-key peer" \
	"does not offer an option twice"
is "$(complete_words "$OUR_WG" set wg0 peer KEY "")" \
	"preshared-key endpoint persistent-keepalive allowed-ips remove peer" "completes peer options"
is "$(complete_words "$OUR_WG" set wg0 peer KEY remove "")" peer "nothing but peer after remove"
touch "$W/wgt-config.conf"
is "$(complete_words "$OUR_WG" setconf wg0 "$W/wgt-config.c")" "$W/wgt-config.conf" \
	"completes configuration file names"
is "$(complete_words "$OUR_WG" genkey "")" "" "nothing after genkey"
bash -c 'source "$1" && complete -p wg' _ "$d/share/bash-completion/completions/wg" >"$W/cp"
is "$(cat "$W/cp")" "complete -o nosort -F _wg wg" "registers itself for wg"

done_testing

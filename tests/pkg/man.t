#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages and bash completions against the programs as built today:
# every page passes `mandoc -T lint' and renders through man(1) without a
# warning, and every option, subcommand and keyword that a program's --help or
# usage text offers appears in its man page and in its completion. The words
# are parsed out of the help text when the test runs, so an option added
# tomorrow without its documentation fails here.

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
T=dbman$$
. "$here/../lib/netns.sh"
need mandoc man col
W=$(mktemp -d /tmp/dbman.XXXXXX)
at_exit rm -rf "$W"
bogus=--db-no-such-option

for m in "$root"/man/*.[1-8]; do
	is "$(mandoc -T lint "$m" 2>&1)" "" "${m##*/}: mandoc -T lint says nothing"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" >/dev/null 2>"$W/warn"
	is "$(cat "$W/warn")" "" "${m##*/}: man --warnings (groff) says nothing"
done

# All the help a program gives: --help, the usage for an unknown option and,
# where the help says every subcommand takes --help (wg), each one's usage
# (with --help and with no arguments, which for wg is read-only or a usage).
help_of() { # help_of BINARY
	local bin=$1 sub
	"$bin" --help 2>&1 </dev/null
	"$bin" $bogus 2>&1 </dev/null | grep -v -- "$bogus"
	grep -q "pass \`--help' to any of these subcommands" <(LC_ALL=C "$bin" --help 2>&1) || return 0
	for sub in $(subcommands_of <("$bin" --help 2>&1)); do
		{ "$bin" "$sub" --help; "$bin" "$sub"; } 2>&1 </dev/null | grep '^Usage:'
	done
}
# Entries of a "Commands:" or "Available subcommands:" section: the first word
# of each line indented by two (`  NAME: ...', `  NAME ARGS  text'), up to the
# next unindented or blank line; deeper lines continue a description.
subcommands_of() { # subcommands_of FILE
	awk '/[Cc]ommands:$/ { on = 1; next }
		on && !/^  / { on = 0 }
		on && match($0, /^  [a-z][a-z0-9-]*([ :]|$)/) {
			w = substr($0, 3, RLENGTH - 2); sub(/[: ].*/, "", w); print w }' "$1"
}
# Dashed options anywhere (-f, --foreground, --png/--svg), not hyphenated words.
dashed_of() { grep -oP '(?<![A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' "$1"; }
# Keywords of the usage lines: lower-case words among [ ], { } and | once the
# program, its subcommand and every <placeholder> are taken out.
keywords_of() {
	grep '^Usage:' "$1" | sed -E 's/^Usage: +[^ ]+( [a-z]+)?//; s/<[^>]*>//g' |
		tr ' []{}|' '\n\n\n\n\n\n' | grep -xE '[a-z][a-z0-9-]*'
}
has_word() { # has_word WORD FILE : WORD as a whole token, dashes included
	grep -qP -- "(?<![A-Za-z0-9_-])\Q$1\E(?![A-Za-z0-9_-])" "$2"
}

for p in wg wg-quick wg-mesh wg-engine; do
	bin=$WG_BUILD/$p
	[ -x "$bin" ] || { ok 1 "$p is built"; continue; }
	page=$root/man/$p.8 comp=$root/completion/$p.bash-completion
	[ -f "$page" ]
	ok $? "$p has a man page"
	[ -f "$comp" ]
	ok $? "$p has a bash completion"
	help_of "$bin" >"$W/$p.help"
	MANWIDTH=250 mandoc -T ascii -O width=250 "$page" 2>/dev/null | col -bx >"$W/$p.man"
	words=$( { dashed_of "$W/$p.help"; subcommands_of "$W/$p.help"; keywords_of "$W/$p.help"; } |
		sort -u)
	[ -n "$words" ]
	ok $? "$p: its help offers options to check ($(echo $words | wc -w) found)"
	for w in $words; do
		has_word "$w" "$W/$p.man"
		ok $? "$p: \`$w' (from its help) is in $p(8)"
		has_word "$w" "$comp"
		ok $? "$p: \`$w' (from its help) is in its bash completion"
	done
done

# sites.yaml(5) documents every key wg-mesh's parser knows, with its default.
page5=$root/man/sites.yaml.5
if [ -f "$page5" ]; then
	mandoc -T ascii -O width=250 "$page5" | col -bx >"$W/sites.5"
	# The key tables of the parser: sites.c (top level) and the readers of
	# each part in wg-mesh/sites-*.c (mesh, sites and clients, allow rules).
	keys=$(cat "$root"/wg-mesh/sites.c "$root"/wg-mesh/sites-*.c |
		grep -oP '\{"\K[a-z-]+(?=", [a-z_]+\})' | sort -u)
	[ -n "$keys" ]
	ok $? "wg-mesh/sites*.c's key tables found ($(echo $keys | wc -w) keys)"
	for t in top_keys mesh_keys site_keys client_keys rule_keys; do
		grep -q "^static const struct sites_yaml_key $t\[\] = {" "$root"/wg-mesh/sites*.c
		ok $? "wg-mesh/sites*.c: key table $t found"
	done
	for k in $keys; do
		# mesh, sites, clients are sections; the others entries (`       port   The UDP...').
		grep -qE "^ {7}$k( |\$)|^${k^^}\$" "$W/sites.5"
		ok $? "sites.yaml(5) has an entry for \`$k'"
		grep -qE "^ {7}$k( |\$)" "$W/sites.5" || continue
		awk -v k="$k" '$0 ~ "^       " k "( |$)" { on = 1 } on && /Default:|Required/ { f = 1 }
			on && /^$/ { exit } END { exit !f }' "$W/sites.5"
		ok $? "sites.yaml(5) gives \`$k' a default (or says it is required)"
	done
else
	ok 1 "man/sites.yaml.5 exists"
fi

done_testing

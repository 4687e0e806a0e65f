#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Keys and the command line: our genkey/genpsk/pubkey agree with Debian's wg
# on many keys, reject the same malformed input with the same words, warn
# about world-readable key files the same way, and every usage line, help
# text and misuse message is the reference's, byte for byte.

here=$(cd "$(dirname "$0")" && pwd)
T=wgt$$
. "$here/../lib/netns.sh"
. "$here/../lib/wg-lib.sh"
need "$REF_WG" "$OUR_WG" perl
W=$(mktemp -d /tmp/wgt-XXXXXX)
at_exit rm -rf "$W"
N=${WGT_KEYS:-100}
umask 077
# same_in DESCRIPTION ARGS... : same, both reading this function's standard input
same_in() {
	cat >"$W/stdin"
	WGT_IN=$W/stdin same "$@"
}

# Our private keys: the reference derives the same public keys as we do.
bad=0
for ((i = 0; i < N; i++)); do
	k=$("$OUR_WG" genkey)
	[ "$("$OUR_WG" pubkey <<<"$k")" == "$("$REF_WG" pubkey <<<"$k")" ] || bad=$((bad + 1))
	echo "$k"
done >"$W/ours.keys"
is "$bad" 0 "pubkey agrees with the reference on $N of our private keys"
# The reference's private keys: we derive the same public keys.
bad=0
for ((i = 0; i < N; i++)); do
	k=$("$REF_WG" genkey)
	[ "$("$OUR_WG" pubkey <<<"$k")" == "$("$REF_WG" pubkey <<<"$k")" ] || bad=$((bad + 1))
done
is "$bad" 0 "pubkey agrees with the reference on $N of its private keys"

clamped() { # every key on stdin is 44 base64 chars of a clamped curve25519 scalar
	perl -MMIME::Base64 -ne 'chomp; my $b = decode_base64($_); exit 1 unless length($_) == 44 &&
		length($b) == 32 && !(ord(substr($b, 0, 1)) & 7) && (ord(substr($b, 31, 1)) & 0xc0) == 0x40'
}
clamped <"$W/ours.keys"
ok $? "genkey prints clamped 32-byte keys in base64"
is "$(sort -u "$W/ours.keys" | wc -l)" "$N" "genkey never repeats itself"
for ((i = 0; i < 20; i++)); do "$OUR_WG" genpsk; done >"$W/psk"
is "$(sort -u "$W/psk" | grep -c '^[A-Za-z0-9+/]\{43\}=$')" 20 "genpsk prints distinct base64 keys"

k=$("$REF_WG" genkey)
pub() { "$REF_WG" pubkey <<<"$1"; }
same_in "pubkey with a trailing newline" pubkey <<<"$k"
same_in "pubkey without a newline" pubkey < <(printf %s "$k")
same_in "pubkey with trailing spaces, tabs and NULs" pubkey < <(printf '%s \t\0\v\r\n\n' "$k")
same_in "pubkey of nothing" pubkey </dev/null
same_in "pubkey of a short key" pubkey <<<"${k:0:20}"
same_in "pubkey with trailing garbage" pubkey <<<"$k x"
same_in "pubkey with a leading space" pubkey <<<" $k"
same_in "pubkey of a bad character" pubkey <<<"${k:0:10}!${k:11}"
same_in "pubkey of a key without its padding" pubkey <<<"${k:0:43}A"
same_in "pubkey of non-zero padding bits" pubkey <<<"${k:0:42}B="
same_in "pubkey of a 45-character line" pubkey <<<"${k}A"

for umask in 022 077 002; do
	(umask $umask && "$OUR_WG" genkey >"$W/o.key" 2>"$W/o.err" && "$REF_WG" genkey >"$W/r.key" 2>"$W/r.err")
	is "$(cat "$W/o.err")" "$(cat "$W/r.err")" "genkey warns like the reference under umask $umask"
	is "$(stat -c %a "$W/o.key")" "$(stat -c %a "$W/r.key")" "and the key file has the same mode"
	rm -f "$W/o.key" "$W/r.key"
	(umask $umask && "$OUR_WG" genpsk >"$W/o.key" 2>"$W/o.err" && "$REF_WG" genpsk >"$W/r.key" 2>"$W/r.err")
	is "$(cat "$W/o.err")" "$(cat "$W/r.err")" "genpsk warns like the reference under umask $umask"
	rm -f "$W/o.key" "$W/r.key"
done

printf '[Interface]\nListenPort = 1\n[Peer]\nPublicKey = %s\n' "$(pub "$k")" >"$W/one-peer.conf"
for args in "--help" "-h" "help" "nonsense" "show --help" "show -h" "show a b c" \
	"show interfaces extra" "showconf" "showconf a b" "set" "set wgtnone" "setconf" \
	"setconf x" "addconf x y z" "syncconf" "genkey extra" "genpsk extra" "pubkey extra" \
	"setconf wgtnone /nonexistent/file" "addconf wgtnone /nonexistent/file" \
	"syncconf wgtnone /nonexistent/file" "setconf wgtnone $W/one-peer.conf" \
	"addconf wgtnone $W/one-peer.conf" "syncconf wgtnone $W/one-peer.conf" \
	"syncconf wgtnone /dev/null" "show wgtnone" "show wgtnone dump" "showconf wgtnone"; do
	# shellcheck disable=SC2086
	same "wg $args" $args
done
version=$(sed -n 's/^VERSION := //p' "$here/../../Makefile")
is "$("$OUR_WG" --version)" "wgkit v$version - wg compatible with wireguard-tools v1.0.20210914" \
	"--version names wgkit $version and the wireguard-tools version it matches"
for v in -v version; do
	is "$("$OUR_WG" $v)" "$("$OUR_WG" --version)" "$v is --version"
done

done_testing

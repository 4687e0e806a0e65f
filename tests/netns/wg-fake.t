#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# States a quiet test device never reaches: handshakes of every age (now, a
# minute, years ago, in the future), traffic counters at every unit boundary,
# keepalives up to 65535 s, peers to sort by handshake, devices without keys or
# peers. Fake UAPI sockets serve them; ours and Debian's wg must print every
# view identically, and `show all json` must equal contrib's wg-json.

here=$(cd "$(dirname "$0")" && pwd)
WGT_SELF=$here/$(basename "$0")
. "$here/../lib/wg-lib.sh"
wgt_private_run "$WGT_SELF" "$@"
T=wgt$$
. "$here/../lib/netns.sh"
need_root
need "$REF_WG" "$OUR_WG" "$WG_JSON" socat perl unshare
wgt_mount_run
W=$(mktemp -d /tmp/wgt-XXXXXX)
export W
at_exit 'kill $(jobs -p); [ -n "${WGT_KEEP:-}" ] || rm -rf "$W"'

# Nothing to show yet: the private socket folder is empty.
same "wg with no devices"
same "show all with no devices" show all
same "show interfaces with no devices" show interfaces
same "show all dump with no devices" show all dump
mkdir -p "$W/refbin" && ln -sf "$REF_WG" "$W/refbin/wg"
json_both "$W/empty-json"
is "$(cat "$W/empty-json.ours")" "$(cat "$W/empty-json.ref")" "show all json with no devices is wg-json's"

hex() { "$REF_WG" pubkey <<<"$1" >/dev/null && perl -MMIME::Base64 -e 'print unpack("H*", decode_base64($ARGV[0]))' "$1"; }
newkey() { hex "$("$REF_WG" genkey)"; }
ZERO=0000000000000000000000000000000000000000000000000000000000000000

# peer PUBHEX PSKHEX ENDPOINT HANDSHAKE NSEC RX TX KEEPALIVE [ALLOWED...]
peer() {
	local a
	printf 'public_key=%s\npreshared_key=%s\nprotocol_version=1\n' "$1" "$2"
	[ "$3" == - ] || printf 'endpoint=%s\n' "$3"
	printf 'last_handshake_time_sec=%s\nlast_handshake_time_nsec=%s\n' "$4" "$5"
	printf 'tx_bytes=%s\nrx_bytes=%s\npersistent_keepalive_interval=%s\n' "$7" "$6" "$8"
	shift 8
	for a; do printf 'allowed_ip=%s\n' "$a"; done
}

{
	printf 'private_key=%s\nlisten_port=51820\nfwmark=4294967295\n' "$(newkey)"
	peer "$(newkey)" "$ZERO" 192.0.2.1:51820 @NOW-65@ 500 1500000 1300 25 10.0.0.0/8 fd00::/64
	peer "$(newkey)" "$(newkey)" "[2001:db8::1]:51821" @NOW-40000000@ 0 5000000000000 \
		5000000000 3661
	peer "$(newkey)" "$ZERO" - 0 0 0 0 0 10.9.0.1/32
	peer "$(newkey)" "$ZERO" "[fd00::2]:1" @NOW@ 0 0 1023 1 0.0.0.0/0 ::/0
	peer "$(newkey)" "$ZERO" 198.51.100.9:9 @NOW-65@ 499 1024 1048575 65535
	peer "$(newkey)" "$ZERO" 198.51.100.10:10 @NOW-65@ 500 1048576 1073741823 60
	peer "$(newkey)" "$ZERO" - @NOW+100@ 0 1073741824 1099511627775 3600
	peer "$(newkey)" "$ZERO" - @NOW-86400@ 0 1099511627776 18446744073709551615 86
	peer "$(newkey)" "$ZERO" - 0 1 1 0 0
	peer "$(newkey)" "$ZERO" - @NOW-31536000@ 0 0 0 0 10.1.2.3/32 10.1.2.0/24 2001:db8::1/128
	printf 'errno=0\n\n'
} >"$W/busy.reply"
{
	printf 'listen_port=0\n'
	printf 'errno=0\n\n'
} >"$W/bare.reply"
{
	printf 'private_key=%s\nlisten_port=1\nfwmark=1\n' "$(newkey)"
	printf 'errno=0\n\n'
} >"$W/nopeers.reply"
{
	printf 'private_key=%s\nlisten_port=65535\n' "$(newkey)"
	for i in $(seq 1 40); do
		peer "$(newkey)" "$ZERO" "192.0.2.$i:$i" "@NOW-$((i % 7))@" $((i % 3)) $i $((i * 1000)) 0 \
			"10.$i.0.0/16"
	done
	printf 'errno=0\n\n'
} >"$W/many.reply"

printf 'errno=5\n\n' >"$W/eio.reply"
printf 'listen_port=1\nbogus\n\n' >"$W/junk.reply"
: >"$W/mute.reply"

# Absolute times are fixed now, so that every view of them is stable; only
# "ago" moves with the clock (and views_check retries those).
perl -pi -e 's/\@NOW([-+]\d+)?\@/time() + ($1 \/\/ 0)/ge' "$W"/*.reply

names=("${T}busy" "${T}bare" "${T}nopeer" "${T}many")
for n in busy bare nopeers many eio junk mute; do
	case $n in nopeers) i=${T}nopeer ;; *) i=$T$n ;; esac
	serve_reply "$i" "$W/$n.reply" || skip_all "socat could not serve $i"
done

views_run "$W/v" "${names[@]}"
views_check "$W/v" fake
# `show IFACE json` is that device's part of `show all json`.
for i in "${names[@]}"; do
	perl -MJSON::PP -e '
		my ($one, $all) = map { local $/; open(my $f, "-|", $_) or die; decode_json(<$f>) } @ARGV[1, 2];
		my $c = JSON::PP->new->canonical;
		exit($c->encode($one) eq $c->encode({ $ARGV[0] => $all->{$ARGV[0]} }) ? 0 : 1)' \
		"$i" "$OUR_WG show $i json" "$OUR_WG show all json" 2>/dev/null
	ok $? "show $i json is valid JSON and matches show all json"
done

# On a terminal (auto colour mode), through script(1)'s pseudo-terminal.
if command -v script >/dev/null; then
	for ((i = 0; i < 3; i++)); do
		script -qec "$OUR_WG show ${T}busy" /dev/null >"$W/tty.ours" 2>&1
		script -qec "$REF_WG show ${T}busy" /dev/null >"$W/tty.ref" 2>&1
		cmp -s "$W/tty.ours" "$W/tty.ref" && break
	done
	is "$(cat -A "$W/tty.ours")" "$(cat -A "$W/tty.ref")" "on a terminal, colours as the reference"
	grep -q $'\e\[' "$W/tty.ours"
	ok $? "and they are on"
fi

# "Now": a handshake stamped with the very second of the request.
{
	printf 'listen_port=2\n'
	peer "$(newkey)" "$ZERO" - @NOW@ 0 0 0 0
	printf 'errno=0\n\n'
} >"$W/now.reply"
serve_reply "${T}now" "$W/now.reply"
for ((i = 0; i < 3; i++)); do
	both "$W/now" show "${T}now"
	cmp -s "$W/now.ours" "$W/now.ref" && break
done
is "$(cat "$W/now.ours")" "$(cat "$W/now.ref")" "a handshake of this second prints as the reference does"
grep -q "latest handshake: Now" "$W/now.ours"
ok $? "and that is \"Now\""

# Devices whose get fails: an errno, a protocol error, no answer at all.
for i in eio junk mute; do
	same "show of a device answering $i" show "$T$i"
	same "showconf of a device answering $i" showconf "$T$i"
	same "dump of a device answering $i" show "$T$i" dump
done
# A set that fails: wireguard-go answers with a negative errno. (Debian's wg
# misreads a positive one, and a get that fails, in ways no server triggers.)
printf 'errno=-22\n\n' >"$W/einval.reply"
serve_reply "${T}einval" "$W/einval.reply"
for i in einval junk mute; do
	same "set of a device answering $i" set "$T$i" listen-port 1
done

same "show of a missing interface" show "${T}none"
same "showconf of a missing interface" showconf "${T}none"
same "dump of a missing interface" show "${T}none" dump

done_testing

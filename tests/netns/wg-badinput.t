#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input never half-applies: for every broken configuration file and every
# broken `wg set` argument, our wg exits non-zero, names the file and line (for
# files) and what it expected, and the wireguard-go device is left exactly as
# it was. Messages for `wg set` arguments are the reference's, byte for byte.

here=$(cd "$(dirname "$0")" && pwd)
WGT_SELF=$here/$(basename "$0")
. "$here/../lib/wg-lib.sh"
wgt_private_run "$WGT_SELF" "$@"
T=wgt$$
. "$here/../lib/netns.sh"
need_netns
need "$REF_WG" "$REF_GO" "$OUR_WG" socat perl unshare
wgt_mount_run
W=$(mktemp -d /tmp/wgt-XXXXXX)
export W
at_exit rm -rf "$W"

D=${T}d
ns_add "${T}n" || skip_all "cannot create a namespace"
go_start "${T}n" "$D" || skip_all "wireguard-go did not start"
umask 077
PRIV=$("$REF_WG" genkey)
P1=$("$REF_WG" genkey | "$REF_WG" pubkey)
P2=$("$REF_WG" genkey | "$REF_WG" pubkey)
cat >"$W/good.conf" <<EOF
[Interface]
PrivateKey = $PRIV
ListenPort = 51820
FwMark = 7

[Peer]
PublicKey = $P1
AllowedIPs = 10.1.0.0/16
Endpoint = 192.0.2.1:1
EOF
check "setconf of a good file" ours setconf "$D" "$W/good.conf"
state() { ref showconf "$D" | sort_blocks; }
before=$(state)

# bad CMD LINE TEMPLATE : writes TEMPLATE (with @P1@ replaced) to a file,
# runs `wg CMD IFACE FILE` and expects failure at FILE:LINE, state unchanged.
bad() {
	local cmd=$1 line=$2 f=$W/bad$tap_n.conf
	printf '%b' "${3//@P1@/$P1}" >"$f"
	ours "$cmd" "$D" "$f" >"$W/out" 2>"$W/err"
	local rc=$?
	ok $((rc == 0)) "$cmd ${3%%\\n*}...: exits non-zero"
	[ -z "${WGT_VERBOSE:-}" ] || sed 's/^/# /' "$W/err"
	grep -q "^$f:$line: " "$W/err"
	ok $? "$cmd: the message names $(basename "$f"):$line" || sed 's/^/#   /' "$W/err"
	is "$(state)" "$before" "$cmd: the device is unchanged"
}
peer="[Peer]\nPublicKey = @P1@\n"
bad setconf 3 "[Interface]\nListenPort = 1\nAllowedIPs = 10.0.0.0/8\n"
bad setconf 3 "${peer}AllowedIPs = 10.0.0.0/33\n"
bad setconf 3 "${peer}AllowedIPs = 10.0.0.0/8, fd00::/129\n"
bad setconf 2 "[Interface]\nPrivateKey = notakey\n"
bad setconf 2 "[Interface]\nListenPort = 70000\n"
bad addconf 2 "[Interface]\nFwMark = 0x1g\n"
bad addconf 5 "\n\n${peer}Endpoint = [fd00::1:51820\n"
bad syncconf 3 "${peer}PersistentKeepalive = 65536\n"
bad syncconf 1 "Foo = bar\n"
bad setconf 1 "[Nonsense]\n"
bad setconf 3 "${peer}PublicKey = short\n"
bad setconf 3 "${peer}PresharedKey = ${PRIV%?}!\n"
bad addconf 1 "[Peer]\nEndpoint = 192.0.2.1:1\n"
bad setconf 3 "${peer}Endpoint\n"

ours setconf "$D" "$W/nonexistent.conf" >"$W/out" 2>"$W/err"
ok $((! $?)) "setconf of a missing file fails"
is "$(cat "$W/err")" "fopen: No such file or directory" "with fopen's message, as the reference"
is "$(state)" "$before" "and the device is unchanged"

same "set on a missing interface" set "${T}none" listen-port 1
# Debian's wg takes 65536 for port 0 (getaddrinfo wraps it); we refuse it.
ours set "$D" listen-port 65536 >"$W/out" 2>&1
ok $((! $?)) "set listen-port 65536 fails" || cat "$W/out"
is "$(state)" "$before" "and the device is unchanged"
for args in "listen-port abc" "fwmark 0xfffffffff" "fwmark -1" \
	"private-key $W/nonexistent" "peer short" "peer $P1 allowed-ips 10.0.0.0/33" \
	"peer $P1 endpoint 192.0.2.1" "peer $P1 persistent-keepalive 65536" \
	"peer $P1 preshared-key $W/nonexistent" "peer $P1 nonsense" "nonsense 1" \
	"peer $P1 endpoint [fd00::1]" "peer $P2 remove peer"; do
	# shellcheck disable=SC2086
	same "set $args: the reference's message and exit status" set "$D" $args
	is "$(state)" "$before" "set $args: the device is unchanged"
done
WG_ENDPOINT_RESOLUTION_RETRIES=0 same "set endpoint of a host that does not exist" \
	set "$D" peer "$P1" endpoint nonexistent.invalid:1
is "$(state)" "$before" "and the device is unchanged"
printf '%s trailing\n' "$PRIV" >"$W/trailing.key"
# shellcheck disable=SC2086
same "set private-key of a file with trailing garbage" set "$D" private-key "$W/trailing.key"
is "$(state)" "$before" "and the device is unchanged"

# A big setconf that a second device refuses at its first line (the device
# above holds the port): wireguard-go answers and hangs up while we still
# write. Debian's wg dies of SIGPIPE without a word; ours says why.
go_start "${T}n" "${T}e" || skip_all "wireguard-go did not start"
perl -MMIME::Base64 -e 'print "[Interface]\nListenPort = 51820\n";
	printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24\n",
		encode_base64(pack("N8", $_, 1, 2, 3, 4, 5, 6, 7), ""), $_ >> 8, $_ & 255 for 0 .. 3999' \
	>"$W/busy.conf"
ours setconf "${T}e" "$W/busy.conf" >"$W/out" 2>&1
is "$?:$(cat "$W/out")" "1:Unable to modify interface: Address already in use" \
	"a refused big setconf reports why instead of dying of SIGPIPE"
is "$(state)" "$before" "and the device holding the port is unchanged"

# Beyond wireguard-tools 1.0.20210914: allowed-ips +A adds without replacing;
# -B needs a server that can remove one (wireguard-go 0.0.20220316 cannot).
check "set allowed-ips +prefix" ours set "$D" peer "$P1" allowed-ips +10.2.0.0/16,+fd00:2::/64
is "$(ref show "$D" allowed-ips)" "$P1	10.1.0.0/16 10.2.0.0/16 fd00:2::/64" "adds to the list"
before=$(state)
ours set "$D" peer "$P1" allowed-ips -10.1.0.0/16 >"$W/out" 2>&1
ok $((! $?)) "set allowed-ips -prefix fails on wireguard-go"
is "$(cat "$W/out")" "Unable to modify interface: Invalid argument" "with the device's answer"
is "$(state)" "$before" "and the device is unchanged"

done_testing

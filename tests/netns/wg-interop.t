#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Our wg and Debian's each drive a wireguard-go device (twins in their own
# namespaces) through the same steps: setconf, addconf, syncconf, set with
# removals, preshared keys, IPv6 endpoints, fwmark on and off, keepalive,
# listen port, key removal. After each step both devices must be in the same
# state, and every view ours prints must equal the reference's byte for byte.

here=$(cd "$(dirname "$0")" && pwd)
WGT_SELF=$here/$(basename "$0")
. "$here/../lib/wg-lib.sh"
wgt_private_run "$WGT_SELF" "$@"
T=wgt$$
. "$here/../lib/netns.sh"
[ -n "${WGT_VIEWS:-}" ] && views_child "$@"
need_netns
need "$REF_WG" "$REF_GO" "$OUR_WG" "$WG_JSON" socat perl unshare
wgt_mount_run
W=$(mktemp -d /tmp/wgt-XXXXXX)
export W
at_exit rm -rf "$W"

A=${T}a # wireguard-go driven by ours
B=${T}b # wireguard-go driven by the reference
C=${T}c # our wg-engine driven by ours, when it is built
ns_add "${T}na" && ns_add "${T}nb" || skip_all "cannot create namespaces"
go_start "${T}na" "$A" && go_start "${T}nb" "$B" || skip_all "wireguard-go did not start"
if [ -x "$OUR_ENGINE" ]; then
	ns_add "${T}nc" && REF_GO=$OUR_ENGINE go_start "${T}nc" "$C"
	ok $? "wg-engine starts"
else
	C=
fi

umask 077
key() { "$REF_WG" genkey; }
pub() { "$REF_WG" pubkey <<<"$1"; }
PRIV=$(key) && echo "$PRIV" >"$W/priv"
PSK1=$("$REF_WG" genpsk)
"$REF_WG" genpsk >"$W/psk2"
for i in 1 2 3 4 5; do eval "P$i=\$(pub \"\$(key)\")"; done

sort_aips() {
	perl -pe 's/^(AllowedIPs = )(.*)$/$1 . join(", ", sort split(m{, }, $2))/e'
}

# step NAME ARGS... : the same wg command on both twins, then compare.
step() {
	local name=$1
	shift
	local a=("${@//@IF@/$A}") b=("${@//@IF@/$B}")
	ours "${a[@]}" >"$W/step.ours" 2>&1
	local ro=$?
	ref "${b[@]}" >"$W/step.ref" 2>&1
	local rr=$?
	is "$ro $(cat "$W/step.ours")" "$rr $(cat "$W/step.ref")" "$name: same exit status and messages"
	is "$(ours showconf "$A" | sort_blocks)" "$(ref showconf "$B" | sort_blocks)" \
		"$name: both devices end in the same state"
	is "$(ours show "$A" dump | tail -n +2 | sort)" "$(ref show "$B" dump | tail -n +2 | sort)" \
		"$name: live dumps agree"
	if [ -n "$C" ]; then
		local c=("${@//@IF@/$C}")
		ours "${c[@]}" >"$W/step.eng" 2>&1
		is "$? $(cat "$W/step.eng")" "$rr $(cat "$W/step.ref")" "$name: wg-engine answers the same"
		# Allowed IPs compared as sets: each implementation lists them in its
		# own trie's order.
		is "$(ref showconf "$C" | sort_aips | sort_blocks)" \
			"$(ref showconf "$B" | sort_aips | sort_blocks)" \
			"$name: wg-engine ends in the state wireguard-go does"
	fi
	# Every view of A (and, once, of both devices side by side for `show all`).
	if [ -z "${views_both_done:-}" ]; then
		views_snapshot "$W/views" "$A" "$B"
		views_both_done=1
	else
		views_snapshot "$W/views" "$A"
	fi
	views_check "$W/views" "$name"
}

cat >"$W/c1.conf" <<EOF
[Interface]
PrivateKey = $PRIV
ListenPort = 51820
FwMark = 0x1234

[Peer]
PublicKey = $P1
PresharedKey = $PSK1
AllowedIPs = 10.1.0.0/16, fd00:1::/64
Endpoint = 192.0.2.1:51820
PersistentKeepalive = 25

[Peer]
PublicKey = $P2
AllowedIPs = 10.2.0.1/32
Endpoint = [2001:db8::2]:51821

[Peer]
PublicKey = $P3
EOF
step setconf setconf @IF@ "$W/c1.conf"

cat >"$W/c2.conf" <<EOF
[Interface]
ListenPort = 51821

[Peer]
PublicKey = $P4
AllowedIPs = 10.4.0.0/24, 2001:db8:4::/48
Endpoint = [2001:db8::4]:4

[Peer]
PublicKey = $P1
AllowedIPs = 10.11.0.0/16
EOF
step addconf addconf @IF@ "$W/c2.conf"

cat >"$W/c3.conf" <<EOF
[Interface]
PrivateKey = $PRIV
ListenPort = 51822

[Peer]
PublicKey = $P1
PresharedKey = $PSK1
AllowedIPs = 10.1.0.0/16
Endpoint = 192.0.2.1:51820
PersistentKeepalive = 60

[Peer]
PublicKey = $P4
AllowedIPs = 10.4.0.0/24

[Peer]
PublicKey = $P5
Endpoint = [2001:db8::5]:5
AllowedIPs = 10.5.0.0/16
EOF
step syncconf syncconf @IF@ "$W/c3.conf"

step "set remove, psk, v6 endpoint" set @IF@ peer "$P4" remove peer "$P5" \
	preshared-key "$W/psk2" endpoint "[2001:db8::55]:555" persistent-keepalive 0 \
	allowed-ips 10.5.0.0/16,fd00:5::/80
step "set fwmark off, listen-port" set @IF@ fwmark off listen-port 51999
step "set fwmark on, keepalive off, no allowed ips" set @IF@ fwmark 0x20 \
	peer "$P1" persistent-keepalive off allowed-ips ""
step "set keepalive, v4 endpoint" set @IF@ peer "$P2" persistent-keepalive 65535 \
	endpoint 198.51.100.7:65535 allowed-ips 0.0.0.0/0,::/0
step "set endpoint by host name" set @IF@ peer "$P2" endpoint localhost:1234
step "set awkward addresses" set @IF@ peer "$P2" \
	allowed-ips ::ffff:10.0.0.1/128,1::/16,fe80::1:2:0:0:3/128,2001:db8:0:0:1:0:0:1/128,10.0.0.0/8,::/0,0.0.0.0/0 \
	endpoint "[::ffff:192.0.2.5]:7"
step "set v4 endpoint with port 0" set @IF@ peer "$P2" endpoint 192.0.2.6:0 allowed-ips 255.255.255.255/32
# Debian's wg warns about host bits after the prefix (its patch, not upstream's
# 1.0.20210914), on stderr, quoting each address and prefix as typed.
ours set "$A" peer "$P2" allowed-ips 10.1.2.3/8,fd00::1/64 >"$W/hp.ours" 2>&1
ref set "$B" peer "$P2" allowed-ips 10.1.2.3/8,fd00::1/64 >"$W/hp.ref" 2>&1
[ -z "$C" ] || ours set "$C" peer "$P2" allowed-ips 10.1.2.3/8,fd00::1/64 >/dev/null 2>&1
is "$(cat "$W/hp.ours")" "$(cat "$W/hp.ref")" \
	"set warns about host bits as the reference does"
is "$(ours showconf "$A" | sort_blocks)" "$(ref showconf "$B" | sort_blocks)" \
	"and both devices hold the masked prefixes"
grep -qx "Warning: AllowedIP has nonzero host part: 10.1.2.3/8" "$W/hp.ref"
ok $? "the reference does warn, so the comparison means something"
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.9.8.7 / 016, FD00:9::1/48,10.9.0.0/16\n' "$P3" \
	>"$W/hp.conf"
step "addconf warns about host bits as typed" addconf @IF@ "$W/hp.conf"
step "set removes the private key" set @IF@ private-key /dev/null
step "set puts it back" set @IF@ private-key "$W/priv"
printf '[Interface]\nListenPort = 51823\n' >"$W/c4.conf"
step "syncconf without peers removes them all" syncconf @IF@ "$W/c4.conf"
step "setconf again" setconf @IF@ "$W/c1.conf"
printf '[Interface]\nPrivateKey = %s\nListenPort = 51830\n' "$PRIV" >"$W/c5.conf"
step "setconf without peers" setconf @IF@ "$W/c5.conf"

# Beyond wireguard-tools: the engine removes single allowed IPs (-prefix).
if [ -n "$C" ]; then
	check "wg-engine: setconf" ours setconf "$C" "$W/c1.conf"
	check "wg-engine: set allowed-ips -prefix,+prefix" ours set "$C" peer "$P1" \
		allowed-ips -10.1.0.0/16,+10.7.0.0/16
	is "$(ours show "$C" allowed-ips | grep "^$P1" | cut -f2 | tr ' ' '\n' | sort | xargs)" \
		"10.7.0.0/16 fd00:1::/64" "wg-engine: only the named prefixes changed"
fi

done_testing

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's third path: on a machine without the WireGuard kernel module,
# examples/wg-engine/wg-quick@.service.d/wg-engine.conf makes wg-quick start
# wg-engine instead of wireguard-go. The drop-in's Environment= lines are
# applied as systemd would, to Debian's wg-quick and to ours (with PATH
# holding only wg-engine besides the system's, so `wg' stays Debian's), with
# a wireguard-go peer on the other side: the interface is served by wg-engine,
# not wireguard-go, traffic flows, Debian's wg reads it, and down stops it.
T=dbeng$$
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
need_netns
need "$OUR_QUICK" "$OUR_ENGINE" "$OUR_WG" "$REF_QUICK" "$REF_GO" "$REF_WG"
[ -e /sys/module/wireguard ] && skip_all "the kernel has WireGuard: wg-quick would not start an engine"
dropin=$here/../../examples/wg-engine/wg-quick@.service.d/wg-engine.conf
A=${T}a B=${T}b
W=$(mktemp -d /tmp/dbeng.XXXXXX)
at_exit "rm -rf '$W'"
pinger=(ping)
command -v ping >/dev/null || pinger=(busybox ping)
png() {
	local try
	for try in 1 2 3 4 5 6 7 8; do
		ip netns exec "$1" "${pinger[@]}" -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}
gone() { for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }

# The drop-in as systemd reads it: [Service] Environment=NAME=VALUE lines.
env_of_dropin=($(sed -n 's/^Environment=//p' "$dropin"))
is "${env_of_dropin[*]}" "WG_QUICK_USERSPACE_IMPLEMENTATION=wg-engine" \
	"the drop-in names wg-engine for wg-quick"
mkdir "$W/bin" && ln -s "$OUR_ENGINE" "$W/bin/wg-engine"

ns_add $A && ns_add $B
ns_link $A ${T}x $B ${T}y
ip -n $A addr add 192.168.81.1/24 dev ${T}x
ip -n $B addr add 192.168.81.2/24 dev ${T}y
(umask 077 && $REF_WG genkey >"$W/ka" && $REF_WG genkey >"$W/kb")
PA=$($REF_WG pubkey <"$W/ka") PB=$($REF_WG pubkey <"$W/kb")

# The peer: wireguard-go, the implementation being replaced, set up by hand.
IB=${T}g
ip netns exec $B "$REF_GO" $IB >/dev/null 2>&1 && at_exit "ip -n $B link del $IB; rm -f /var/run/wireguard/$IB.sock"
ip netns exec $B $REF_WG set $IB private-key "$W/kb" listen-port 51821 peer "$PA" allowed-ips 10.81.0.0/24
ip -n $B addr add 10.81.0.100/24 dev $IB && ip -n $B link set $IB up

n=0
for quick in "$REF_QUICK" "$OUR_QUICK"; do
	n=$((n + 1))
	IA=${T}e$n
	cat >"$W/$IA.conf" <<-CONF
	[Interface]
	PrivateKey = $(cat "$W/ka")
	Address = 10.81.0.$n/24

	[Peer]
	PublicKey = $PB
	AllowedIPs = 10.81.0.100/32
	Endpoint = 192.168.81.2:51821
	CONF
	chmod 0600 "$W/$IA.conf"
	who=Debian\'s
	[ "$quick" == "$OUR_QUICK" ] && who=our
	at_exit "ip -n $A link del $IA; rm -f /var/run/wireguard/$IA.sock"
	check "$who wg-quick up with the drop-in's environment" ip netns exec $A \
		env "${env_of_dropin[@]}" PATH="$W/bin:$PATH" "$quick" up "$W/$IA.conf"
	pid=$(pgrep -f "wg-engine $IA\$" | head -1)
	[ -n "$pid" ]
	ok $? "$who wg-quick: wg-engine serves $IA"
	is "$(pgrep -f "wireguard-go $IA\$")" "" "$who wg-quick: wireguard-go does not"
	check "$who wg-quick: ping the wireguard-go peer through the tunnel" png $A 10.81.0.100
	is "$(ip netns exec $A $REF_WG show $IA peers)" "$PB" "$who wg-quick: Debian's wg reads the engine"
	check "$who wg-quick down" ip netns exec $A env "${env_of_dropin[@]}" PATH="$W/bin:$PATH" \
		"$quick" down "$W/$IA.conf"
	check "$who wg-quick: the engine exited" gone "$pid"
	check "$who wg-quick: its socket is gone" test ! -e /var/run/wireguard/$IA.sock
done
done_testing

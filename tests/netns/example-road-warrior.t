#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's first path, examples/road-warrior.yaml: planned by wg-mesh, the
# server brought up with our wg-quick and wg-engine, phone1 with Debian's
# wg-quick and wireguard-go (a foreign client, as a phone's app is) and the
# laptop with ours. Both clients send everything through the server (route:
# all): they reach its tunnel addresses over IPv4 and IPv6, and a host on the
# Internet sees their pings arrive from the server's address (masqueraded),
# never from their own.
T=dbrw$$
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
need_netns
need "$OUR_MESH" "$OUR_QUICK" "$OUR_ENGINE" "$REF_QUICK" "$REF_GO" nft iptables
S=${T}s I=${T}i P=${T}p L=${T}l
W=$(mktemp -d /tmp/dbrw.XXXXXX)
at_exit "rm -rf '$W'"
pinger=(ping)
command -v ping >/dev/null || pinger=(busybox ping)
png() { # png NS [-4|-6] DST : a few tries, the first handshake may take a moment
	local ns=$1 try
	shift
	for try in 1 2 3 4 5 6 7 8; do
		ip netns exec "$ns" "${pinger[@]}" -c 1 -W 1 "$@" >/dev/null 2>&1 && return 0
	done
	return 1
}

# The Internet ($I): the server on 203.0.113.0/24 (its example address), the
# clients on 198.51.100.0/24 behind it, and a "website" at 192.0.2.80.
for ns in $S $I $P $L; do ns_add $ns; done
ns_link $S ${T}si $I ${T}is
ns_link $P ${T}pi $I ${T}ip
ns_link $L ${T}li $I ${T}il
ip -n $I addr add 203.0.113.254/24 dev ${T}is
ip -n $I addr add 198.51.100.1/26 dev ${T}ip
ip -n $I addr add 198.51.100.65/26 dev ${T}il
ip -n $I addr add 192.0.2.80/32 dev lo
ip netns exec $I sysctl -qw net.ipv4.ip_forward=1
ip -n $S addr add 203.0.113.1/24 dev ${T}si && ip -n $S route add default via 203.0.113.254
ip -n $P addr add 198.51.100.2/26 dev ${T}pi && ip -n $P route add default via 198.51.100.1
ip -n $L addr add 198.51.100.66/26 dev ${T}li && ip -n $L route add default via 198.51.100.65
# Counts the pings the website gets, by source address.
ip netns exec $I nft -f - <<'NFT'
table inet dbrw {
	counter from_server {}
	counter from_clients {}
	chain input {
		type filter hook input priority 0;
		ip daddr 192.0.2.80 icmp type echo-request ip saddr 203.0.113.1 counter name from_server
		ip daddr 192.0.2.80 icmp type echo-request ip saddr 198.51.100.0/24 counter name from_clients
	}
}
NFT
count() { ip netns exec $I nft list counter inet dbrw "$1" | awk '/packets/ {print $2}'; }

cp "$here/../../examples/road-warrior.yaml" "$W/"
check "wg-mesh plan examples/road-warrior.yaml" "$OUR_MESH" plan "$W/road-warrior.yaml" -o "$W/out"
for c in server phone1 phone2 laptop; do
	[ -s "$W/out/$c/wg0.conf" ]
	ok $? "a config for $c"
done
check "phone1's config fits in a QR code" "$OUR_MESH" qr "$W/road-warrior.yaml" phone1 --png "$W/p1.png"

# Interface names carry the test's prefix: the configs are renamed, not edited.
install -m 0600 "$W/out/server/wg0.conf" "$W/${T}ws.conf"
# The phone's app sets DNS itself; the test namespaces have no resolvconf.
grep -v '^DNS = ' "$W/out/phone1/wg0.conf" >"$W/${T}wp.conf" && chmod 0600 "$W/${T}wp.conf"
install -m 0600 "$W/out/laptop/wg0.conf" "$W/${T}wl.conf"
up() { # up NS WG-QUICK ENGINE CONF
	at_exit "ip netns exec $1 env WG_QUICK_USERSPACE_IMPLEMENTATION=$3 timeout 30 $2 down $4; rm -f /var/run/wireguard/$(basename "$4" .conf).sock"
	ip netns exec "$1" env WG_QUICK_USERSPACE_IMPLEMENTATION="$3" timeout 60 "$2" up "$4"
}
check "the server up (our wg-quick, wg-engine)" up $S "$OUR_QUICK" "$OUR_ENGINE" "$W/${T}ws.conf"
check "phone1 up (Debian's wg-quick, wireguard-go)" up $P "$REF_QUICK" "$REF_GO" "$W/${T}wp.conf"
check "the laptop up (our wg-quick, wg-engine)" up $L "$OUR_QUICK" "$OUR_ENGINE" "$W/${T}wl.conf"

for ns in $P $L; do
	check "$ns: the server's tunnel address over IPv4" png $ns -4 10.8.0.1
	check "$ns: the server's tunnel address over IPv6" png $ns -6 fd08:8:8::1
done
check "phone1 reaches the website" png $P -4 192.0.2.80
check "the laptop reaches the website" png $L -4 192.0.2.80
[ "$(count from_server)" -ge 2 ]
ok $? "the website saw the pings from the server's address ($(count from_server))"
is "$(count from_clients)" 0 "and none from the clients' own addresses"
is "$(ip netns exec $S "$OUR_WG" show ${T}ws peers | wc -l)" 3 "the server has three client peers"
hs=$(ip netns exec $S "$OUR_WG" show ${T}ws latest-handshakes | awk '$2 > 0' | wc -l)
is "$hs" 2 "two of them (phone1, laptop) have shaken hands"

check "phone1 down" ip netns exec $P env WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO "$REF_QUICK" down "$W/${T}wp.conf"
check "the server down" ip netns exec $S "$OUR_QUICK" down "$W/${T}ws.conf"
is "$(ip netns exec $S iptables -t nat -S POSTROUTING | grep -c MASQUERADE)" 0 \
	"the server's masquerade rules are gone"
done_testing

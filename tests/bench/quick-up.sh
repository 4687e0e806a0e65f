#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `wg-quick up` then `down` of one config with 1,000 peers (each with an
# endpoint and a /32 outside the interface's subnet, so every peer costs a
# path-MTU lookup, a route check and a route add), ours against Debian's,
# both with wireguard-go, each in a fresh namespace. Prints wall times and
# the ratio. PEERS=N changes the count.
set -u
WG_BUILD=${WG_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
OURS=$WG_BUILD/wg-quick REF=/usr/bin/wg-quick GO=/usr/bin/wireguard-go
PEERS=${PEERS:-1000}
for f in "$OURS" "$REF" "$GO" /usr/bin/wg; do
	[ -x "$f" ] || { echo "skip: missing $f"; exit 0; }
done
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
DIR=$(mktemp -d /tmp/wqbn.XXXXXX)
trap 'for n in wqbno wqbnd; do ip netns pids $n 2>/dev/null | xargs -r kill; ip netns del $n 2>/dev/null; done; rm -rf "$DIR"' EXIT

# One config, written for both interface names.
{
	printf '[Interface]\nPrivateKey = %s\nListenPort = 51840\nAddress = 10.200.0.1/16\n' "$(/usr/bin/wg genkey)"
	for ((i = 0; i < PEERS; i++)); do
		printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 172.%d.%d.%d/32\nEndpoint = 198.51.%d.%d:51820\n' \
			"$(head -c 32 /dev/urandom | base64)" $((16 + i / 65536)) $((i / 256 % 256)) $((i % 256)) \
			$((100 + i / 250 % 2)) $((i % 250 + 1))
	done
} >"$DIR/wqbno0.conf"
cp "$DIR/wqbno0.conf" "$DIR/wqbnd0.conf"
chmod 600 "$DIR"/*.conf

ns() { # NAME : a namespace with an uplink and a default route
	ip netns add "$1" && ip -n "$1" link set lo up &&
		ip -n "$1" link add wqbnv0 type veth peer name wqbnv1 &&
		ip -n "$1" link set wqbnv0 up && ip -n "$1" link set wqbnv1 up &&
		ip -n "$1" addr add 198.51.100.254/23 dev wqbnv0
}
now() { date +%s.%N; }
run() { # NS PROGRAM IFACE -> "up down" seconds
	local t0 t1 t2
	t0=$(now)
	WG_QUICK_USERSPACE_IMPLEMENTATION=$GO ip netns exec "$1" "$2" up "$DIR/$3.conf" >/dev/null 2>"$DIR/$3.err" ||
		{ echo "FAILED: $2 up"; tail -5 "$DIR/$3.err"; exit 1; }
	t1=$(now)
	routes=$(ip -n "$1" route show dev "$3" | wc -l)
	ip netns exec "$1" "$2" down "$DIR/$3.conf" >/dev/null 2>>"$DIR/$3.err" ||
		{ echo "FAILED: $2 down"; exit 1; }
	t2=$(now)
	echo "$(echo "$t1 - $t0" | bc) $(echo "$t2 - $t1" | bc) $routes"
}
ns wqbno && ns wqbnd || { echo "skip: cannot create namespaces"; exit 0; }
read -r ou od oroutes < <(run wqbno "$OURS" wqbno0)
read -r du dd droutes < <(run wqbnd "$REF" wqbnd0)
printf 'wg-quick up+down, %d peers (wireguard-go), routes added: ours %s, Debian %s\n' "$PEERS" "$oroutes" "$droutes"
printf '  %-8s %9s %9s %9s\n' "" up down total
printf '  %-8s %8.3fs %8.3fs %8.3fs\n' ours "$ou" "$od" "$(echo "$ou + $od" | bc)"
printf '  %-8s %8.3fs %8.3fs %8.3fs\n' Debian "$du" "$dd" "$(echo "$du + $dd" | bc)"
printf '  ratio (Debian / ours): %.1fx\n' "$(echo "($du + $dd) / ($ou + $od)" | bc -l)"

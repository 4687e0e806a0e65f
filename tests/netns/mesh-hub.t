#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# examples/hub.yaml: tokyo and paris are hubs; osaka and lima (public) and
# branch and depot (behind NAT, no endpoint) are spokes; osaka-lima is an
# added link, depot-paris a removed one. Planned by wg-mesh, brought up with
# our wg-quick and wg-engine in network namespaces: every LAN host pings every
# other over IPv4 and IPv6, so branch reaches depot's LAN through a hub with
# neither having an endpoint, while `wg show' on the spokes lists only the
# hubs (and the added link), never another spoke. branch's WAN link has an
# MTU of 1460 (underlay-mtu: 1460): the planned tunnel MTU of 1400 fills it to
# the byte without a fragment, and a larger one is refused before the tunnel.
T=tp
P=tp
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=${MESH_WG_QUICK:-$OUR_QUICK}
MESH_USERSPACE=${MESH_USERSPACE:-$OUR_ENGINE}
. "$here/../lib/topology.sh"

need_netns
need "$OUR_MESH" "$OUR_WG" "$MESH_WG_QUICK" "$MESH_USERSPACE" nft
TOPO_TMP=$(mktemp -d /tmp/tp.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"

topo_plan_example hub.yaml
grep -q '^topology: hub (tokyo, paris), 2 link rules$' /tmp/$T.out
ok $? "the planner reports the hub topology"
sites=(tokyo paris osaka lima branch depot)
pub() { # pub NAME : a site's public key, from its own config
	sed -n 's/^PrivateKey = //p' "$TOPO_TMP/out/$1/wg0.conf" | "$OUR_WG" pubkey
}
peers_of() { # peers_of NAME... : their public keys, sorted
	local n
	for n; do pub "$n"; done | sort
}
check "six sites and the WAN in namespaces" topo_build 6
ip -n tps5 link set mshwan mtu 1460 && ip -n tpwan link set msh5 mtu 1460
ok $? "branch's WAN link is DS-Lite sized (MTU 1460)"
topo_up_sites "${sites[@]}"
check "branch really is behind NAT (tokyo cannot reach its WAN address)" \
	bash -c "! ip netns exec tps1 ${topo_pinger[*]} -c 1 -W 1 172.16.5.2"
# The NAT spokes first: nothing but the hub joins them.
for fam in 4 6; do
	check "LAN branch -> LAN depot over IPv$fam (both behind NAT, through tokyo)" topo_ping 5 6 "$fam"
	check "LAN depot -> LAN branch over IPv$fam" topo_ping 6 5 "$fam"
done
is "$(ip netns exec tps5 "$OUR_WG" show tpwg5 peers | sort)" "$(peers_of tokyo paris)" \
	"wg show on branch lists the two hubs only"
is "$(ip netns exec tps6 "$OUR_WG" show tpwg6 peers | sort)" "$(peers_of tokyo)" \
	"wg show on depot lists tokyo only (its link to paris is removed)"
is "$(ip netns exec tps3 "$OUR_WG" show tpwg3 peers | sort)" "$(peers_of tokyo paris lima)" \
	"wg show on osaka lists the hubs and lima (an added link), not branch or depot"
is "$(ip netns exec tps1 "$OUR_WG" show tpwg1 peers | wc -l)" 5 "the first hub peers with every site"
ip -n tps1 -4 route get 10.6.6.2 from 10.5.5.2 iif tpwg1 2>/dev/null | grep -q 'dev tpwg1'
ok $? "tokyo routes branch's traffic for depot's LAN back into the tunnel"
is "$(ip netns exec tps1 sysctl -n net.ipv4.ip_forward)" 1 "the relaying hub forwards"
rx_before=$(ip netns exec tps1 "$OUR_WG" show tpwg1 transfer | awk -v k="$(pub depot)" '$1 == k {print $3}')
topo_ping 5 6 4 >/dev/null
rx_after=$(ip netns exec tps1 "$OUR_WG" show tpwg1 transfer | awk -v k="$(pub depot)" '$1 == k {print $3}')
ok $([ "${rx_after:-0}" -gt "${rx_before:-0}" ] && echo 0 || echo 1) \
	"branch's ping to depot passes through tokyo (tokyo sends more to depot: $rx_before -> $rx_after bytes)"
mtu_lines=$(grep -h '^MTU = ' "$TOPO_TMP"/out/*/wg0.conf | sort -u)
is "$mtu_lines" "MTU = 1400" "every site is planned at MTU 1400 (1460 - 60 over IPv4)"
is "$(ip -n tps6 -o link show tpwg6 | grep -o 'mtu [0-9]*')" "mtu 1400" "wg-quick set it on depot's interface"
# Linux sets DF on a ping that fits the sender's own link (path MTU
# discovery), so a packet too big for a tunnel is refused by the router in
# front of it, and none on the way may be fragmented.
ip_stat() { # ip_stat NS FIELD : a counter of the namespace's Ip: line in /proc/net/snmp
	ip netns exec "$1" awk -v f="$2" '/^Ip:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == f) c = i } else print $c }' /proc/net/snmp
}
frags() { # frags NS... : IPv4 and IPv6 fragments the namespaces made, summed
	local ns n=0
	for ns; do
		n=$((n + $(ip_stat "$ns" FragCreates) + $(ip netns exec "$ns" awk '$1 == "Ip6FragCreates" { print $2 }' /proc/net/snmp6)))
	done
	echo "$n"
}
sized_ping() { # sized_ping FROM_K TO_K 4|6 SIZE [TRIES]
	local dst="10.$2.$2.2" try
	[ "$3" = 6 ] && dst="2001:db8:1:$2::2"
	for ((try = 0; try < ${5:-5}; try++)); do
		ip netns exec "tpl$1" "${topo_pinger[@]}" -"$3" -c 1 -W 1 -s "$4" "$dst" >/dev/null 2>&1 && return 0
	done
	return 1
}
for fam in 4 6; do
	size=$((fam == 4 ? 1372 : 1352))
	before=$(frags tps6 tps1 tpwan tps5)
	check "depot -> branch: a 1400-byte IPv$fam packet through tokyo" sized_ping 6 5 $fam $size
	is "$(frags tps6 tps1 tpwan tps5)" "$before" \
		"  fills branch's 1460-byte link without a fragment on the way (IPv$fam)"
done
before=$(ip_stat tps6 FragFails)
check "depot -> branch: a 1401-byte packet is refused" bash -c "! ip netns exec tpl6 ${topo_pinger[*]} -4 -c 1 -W 1 -s 1373 10.5.5.2"
ok $([ "$(ip_stat tps6 FragFails)" -gt "$before" ] && echo 0 || echo 1) \
	"  by depot's router, in front of its 1400-byte tunnel (frag needed)"
for from in 1 2 3 4 5 6; do
	for to in 1 2 3 4 5 6; do
		[ "$from" = "$to" ] && continue
		for fam in 4 6; do
			check "LAN ${sites[$((from - 1))]} -> LAN ${sites[$((to - 1))]} over IPv$fam" \
				topo_ping "$from" "$to" "$fam"
		done
	done
done
done_testing

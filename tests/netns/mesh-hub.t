#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# examples/hub.yaml: tokyo and paris are hubs; osaka and lima (public) and
# branch and depot (behind NAT, no endpoint) are spokes; osaka-lima is an
# added link, depot-paris a removed one. Planned by wg-mesh, brought up with
# our wg-quick and wg-engine in network namespaces: every LAN host pings every
# other over IPv4 and IPv6, so branch reaches depot's LAN through a hub with
# neither having an endpoint, while `wg show' on the spokes lists only the
# hubs (and the added link), never another spoke.
T=tp
P=tp
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=${MESH_WG_QUICK:-$OUR_QUICK}
MESH_USERSPACE=${MESH_USERSPACE:-$OUR_ENGINE}
. "$here/../../examples/demo/topology.sh"

need_netns
need "$OUR_MESH" "$OUR_WG" "$MESH_WG_QUICK" "$MESH_USERSPACE" nft
TOPO_TMP=$(mktemp -d /tmp/tp.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"

cp "$here/../../examples/hub.yaml" "$TOPO_TMP/hub.yaml"
check "plan examples/hub.yaml" "$OUR_MESH" plan "$TOPO_TMP/hub.yaml" -o "$TOPO_TMP/out"
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
for k in 1 2 3 4 5 6; do
	check "wg-quick up ${sites[$((k - 1))]}" topo_up "$TOPO_TMP/out" "${sites[$((k - 1))]}" "$k"
done
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

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# examples/access.yaml with traffic: the four sites in namespaces with our
# wg-quick and wg-engine, and their access rules in nftables. Headquarters
# (tokyo) and the branches ping each other's LANs; branch pairs that no rule
# allows cannot (and can once the receiving site's table is removed, so the
# rules, not the tunnel, stopped them); lima's icmp rule works one way only;
# wg-quick down removes the table.
T=tpa
P=tpa
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=${MESH_WG_QUICK:-$OUR_QUICK}
MESH_USERSPACE=${MESH_USERSPACE:-$OUR_ENGINE}
. "$here/../lib/topology.sh"

need_netns
need "$OUR_MESH" "$MESH_WG_QUICK" "$MESH_USERSPACE" nft
TOPO_TMP=$(mktemp -d /tmp/tpa.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"

topo_plan_example access.yaml
check "four sites and the WAN in namespaces" topo_build 4
sites=(tokyo paris osaka lima)
topo_up_sites "${sites[@]}"
check "osaka has its own table" ip netns exec tpas3 nft list table inet wg-mesh-tpawg3
denied() { # denied FROM_K TO_K 4|6 : two pings, neither answered
	local dst="10.$2.$2.2"
	[ "$3" = 6 ] && dst="2001:db8:1:$2::2"
	! ip netns exec "tpal$1" "${topo_pinger[@]}" -"$3" -c 2 -W 1 "$dst" >/dev/null 2>&1
}
name() { echo "${sites[$(($1 - 1))]}"; }
for fam in 4 6; do
	for k in 2 3 4; do
		check "LAN tokyo -> LAN $(name $k) over IPv$fam (hq -> branches)" topo_ping 1 "$k" "$fam"
		check "LAN $(name $k) -> LAN tokyo over IPv$fam (branches -> hq)" topo_ping "$k" 1 "$fam"
	done
	check "LAN lima -> LAN paris over IPv$fam (monitor -> branches, icmp)" topo_ping 4 2 "$fam"
	check "LAN lima -> LAN osaka over IPv$fam" topo_ping 4 3 "$fam"
	check "LAN paris -/-> LAN osaka over IPv$fam (no rule between branches)" denied 2 3 "$fam"
	check "LAN osaka -/-> LAN paris over IPv$fam" denied 3 2 "$fam"
	check "LAN paris -/-> LAN lima over IPv$fam (the icmp rule is one way)" denied 2 4 "$fam"
	check "LAN osaka -/-> LAN lima over IPv$fam" denied 3 4 "$fam"
done
drops=$(ip netns exec tpas3 nft list chain inet wg-mesh-tpawg3 allow | grep -c '^[[:space:]]*drop$')
is "$drops" 1 "osaka's allow chain ends in drop"
open_osaka() { ip netns exec tpas3 nft delete table inet wg-mesh-tpawg3 && topo_ping 2 3 4; }
check "without osaka's table, paris reaches osaka: the rules stopped it, not the tunnel" open_osaka
check "wg-quick down paris" ip netns exec tpas2 env WG_QUICK_USERSPACE_IMPLEMENTATION="$MESH_USERSPACE" \
	"$MESH_WG_QUICK" down "$TOPO_TMP/tpawg2.conf"
check "removes its table" bash -c "! ip netns exec tpas2 nft list table inet wg-mesh-tpawg2"
done_testing

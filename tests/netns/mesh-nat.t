#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# examples/nat.yaml: the four public sites plus branch and depot behind NAT
# (private WAN addresses, masqueraded, nothing let in). Every LAN host pings
# every other over IPv4 and IPv6: the NAT sites keep their paths to the public
# sites open with keepalives, and reach each other through the relay (tokyo).
T=msh2
P=msh2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
# Ours by default; MESH_WG_QUICK=/usr/bin/wg-quick MESH_USERSPACE=/usr/bin/wireguard-go runs the reference.
MESH_WG_QUICK=${MESH_WG_QUICK:-$OUR_QUICK}
MESH_USERSPACE=${MESH_USERSPACE:-$OUR_ENGINE}
. "$here/../lib/topology.sh"

need_netns
need "$OUR_MESH" "$MESH_WG_QUICK" "$MESH_USERSPACE" nft
TOPO_TMP=$(mktemp -d /tmp/msh2.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"

topo_plan_example nat.yaml
grep -q 'relayed:  1 pair (branch <-> depot via tokyo)' /tmp/$T.out
ok $? "the planner relays branch and depot through tokyo"
check "six sites and the WAN in namespaces" topo_build 6
sites=(tokyo paris osaka lima branch depot)
topo_up_sites "${sites[@]}"
check "the NAT sites really are behind NAT (tokyo cannot reach branch's WAN)" \
	bash -c "! ip netns exec msh2s1 ${topo_pinger[*]} -c 1 -W 1 172.16.5.2"
for from in 1 2 3 4 5 6; do
	for to in 1 2 3 4 5 6; do
		[ "$from" = "$to" ] && continue
		for fam in 4 6; do
			check "LAN ${sites[$((from - 1))]} -> LAN ${sites[$((to - 1))]} over IPv$fam" \
				topo_ping "$from" "$to" "$fam"
		done
	done
done
# The laptop (route: all via tokyo) on the WAN: the "Internet" is an address
# of the WAN router, which has no route back to the tunnel pools, so an
# answer proves tokyo masqueraded the laptop.
ip -n msh2wan addr add 203.0.113.1/32 dev lo && ip -n msh2wan addr add 2001:db8:ffff::1/128 dev lo
check "a road warrior's namespace" topo_roadwarrior
check "wg-quick up laptop (AllowedIPs 0.0.0.0/0, ::/0)" topo_up_conf msh2c "$TOPO_TMP/out/laptop/wg0.conf" msh2wgc
is "$(ip netns exec msh2s1 iptables -t nat -S POSTROUTING | grep -c 'MASQUERADE')" 1 "tokyo masquerades the laptop (IPv4)"
ip -n msh2c route get 203.0.113.1 | grep -q 'dev msh2wgc'
ok $? "the laptop's route to the Internet is the tunnel, not its own WAN"
for fam in 4 6; do
	dst=203.0.113.1
	[ $fam = 6 ] && dst=2001:db8:ffff::1
	check "laptop -> the Internet over IPv$fam, through tokyo" \
		ip netns exec msh2c "${topo_pinger[@]}" -$fam -c 1 -W 2 $dst
done
check "laptop -> LAN branch (behind NAT) through tokyo" topo_ping_from msh2c 5 4
seen=$(ip netns exec msh2s1 "$OUR_WG" show msh2wg1 endpoints | grep -c '192\.0\.2\.2:')
is "$seen" 2 "tokyo sees both NAT sites from the NAT router's address"
done_testing

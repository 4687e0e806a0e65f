#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The site-to-site example (examples/sites.yaml: tokyo and paris with IPv4 and
# IPv6 public addresses, osaka and lima IPv6 only, each with an IPv4 and an
# IPv6 LAN) planned by wg-mesh, brought up with wg-quick in network
# namespaces, and every LAN host pinging every other over IPv4 and IPv6; then
# the phone, a client via tokyo, pinging every LAN from outside.
T=msh1
P=msh1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
# Ours by default; MESH_WG_QUICK=/usr/bin/wg-quick MESH_USERSPACE=/usr/bin/wireguard-go runs the reference.
MESH_WG_QUICK=${MESH_WG_QUICK:-$OUR_QUICK}
MESH_USERSPACE=${MESH_USERSPACE:-$OUR_ENGINE}
. "$here/../lib/topology.sh"

need_netns
need "$OUR_MESH" "$MESH_WG_QUICK" "$MESH_USERSPACE" nft
TOPO_TMP=$(mktemp -d /tmp/msh1.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"

topo_plan_example sites.yaml
check "four sites and the WAN in namespaces" topo_build 4
sites=(tokyo paris osaka lima)
topo_up_sites "${sites[@]}"
is "$(ip netns exec msh1s1 iptables -t mangle -S FORWARD | grep -c 'o msh1wg1 .*TCPMSS')" 1 "PostUp clamps the TCP MSS"
check "forwarding enabled by PostUp" test "$(ip netns exec msh1s3 sysctl -n net.ipv6.conf.all.forwarding)" = 1
for from in 1 2 3 4; do
	for to in 1 2 3 4; do
		[ "$from" = "$to" ] && continue
		for fam in 4 6; do
			check "LAN ${sites[$((from - 1))]} -> LAN ${sites[$((to - 1))]} over IPv$fam" \
				topo_ping "$from" "$to" "$fam"
		done
	done
done
# The phone (route: mesh via tokyo) as a road warrior on the WAN. Its DNS
# line is dropped here: this namespace has no resolvconf to hand it to.
check "a road warrior's namespace" topo_roadwarrior
sed '/^DNS = /d' "$TOPO_TMP/out/phone/wg0.conf" >"$TOPO_TMP/phone.conf"
check "wg-quick up phone" topo_up_conf msh1c "$TOPO_TMP/phone.conf" msh1wgc
for to in 1 2 3 4; do
	for fam in 4 6; do
		check "phone -> LAN ${sites[$((to - 1))]} over IPv$fam (through tokyo)" topo_ping_from msh1c "$to" "$fam"
	done
done
endpoint=$(ip netns exec msh1s1 "$OUR_WG" show msh1wg1 endpoints | grep -c '\[2001:db8:1234:[34]::1\]')
is "$endpoint" 2 "tokyo talks to the IPv6-only sites over IPv6"
check "wg-quick down tokyo restores forwarding" bash -c \
	"ip netns exec msh1s1 env WG_QUICK_USERSPACE_IMPLEMENTATION=$MESH_USERSPACE $MESH_WG_QUICK down $TOPO_TMP/msh1wg1.conf && test \$(ip netns exec msh1s1 sysctl -n net.ipv4.ip_forward) = 0"
is "$(ip netns exec msh1s1 iptables -S FORWARD | grep -c msh1wg1; ip netns exec msh1s1 iptables -t mangle -S FORWARD | grep -c msh1wg1)" $'0\n0' \
	"PostDown removes the firewall rules it added"
done_testing

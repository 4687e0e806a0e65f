#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Outer datagrams larger than the path: a tunnel MTU of 1500 over a 1500-byte
# veth. A full-size inner packet needs 1560 bytes outside, and Linux's
# WireGuard lets the kernel fragment it (no DF on the outer packet); ours must
# do the same, over outer IPv4 and IPv6, for single pings of 1472/1452 bytes
# with DF set inside and for a TCP transfer (which the TUN hands over as
# super-packets sent in UDP GSO trains). The hosts talk through a router, R:
# when R's link to B shrinks to 1400, R must fragment outer IPv4 packets of
# 1460 bytes, which it can only because they carry no DF (with DF the first
# ones would be lost to PMTU discovery). Then wireguard-go takes one end's
# place at the 1500-byte MTUs.
T=ecp$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" "$REF_GO" socat
NA=${T}a NB=${T}b NR=${T}r IA=wgec$$a IB=wgec$$b IG=wgec$$g

full_ping() { # full_ping NS ADDR SIZE : three pings whose packets are exactly 1500 bytes, DF set
	local ns=$1 addr=$2 size=$3
	if command -v ping >/dev/null && ping -V >/dev/null 2>&1; then
		ip netns exec "$ns" ping -M do -s "$size" -c 3 -i 0.2 -W 2 "$addr"
	else
		ip netns exec "$ns" busybox ping -s "$size" -c 3 -W 2 "$addr"
	fi
}
lossless_ping() { # lossless_ping NS ADDR SIZE : five pings of SIZE data bytes, every one answered
	if command -v ping >/dev/null && ping -V >/dev/null 2>&1; then
		ip netns exec "$1" ping -M do -s "$3" -c 5 -i 0.2 -W 2 "$2"
	else
		ip netns exec "$1" busybox ping -s "$3" -c 5 -W 2 "$2"
	fi | tee /dev/stderr | grep -q ' 0% packet loss'
}
tunnel() { # tunnel NS IFACE N : addresses and MTU 1500
	ip -n $1 addr add 10.92.0.$3/24 dev $2 &&
		ip -n $1 addr add fd92::$3/64 dev $2 nodad &&
		ip -n $1 link set $2 mtu 1500 up
}
endpoints() { # endpoints IFACE_A IFACE_B PORT_B FAMILY : point A and B at each other
	if [ "$4" = 6 ]; then
		ip netns exec $NA $REF_WG set $1 peer "$PB" endpoint "[fd94::2]:$3" &&
			ip netns exec $NB $REF_WG set $2 peer "$PA" endpoint "[fd93::1]:51820"
	else
		ip netns exec $NA $REF_WG set $1 peer "$PB" endpoint "192.168.94.2:$3" &&
			ip netns exec $NB $REF_WG set $2 peer "$PA" endpoint "192.168.92.1:51820"
	fi
}
full_size() { # full_size WHO OUTER IFACE_B : the checks at one outer family
	local before
	before=$(($(frag_creates $NA) + $(frag_creates $NB)))
	# B first: after a swap of B's engine, B starts the new session.
	check "$1, outer IPv$2: IPv6 ping of 1500 bytes B->A" full_ping $NB fd92::1 1452
	check "$1, outer IPv$2: IPv4 ping of 1500 bytes A->B" full_ping $NA 10.92.0.2 1472
	check "$1, outer IPv$2: 20 MB A->B, sha256 equal" transfer $NA $NB 10.92.0.2
	check "$1, outer IPv$2: 20 MB B->A, sha256 equal" transfer $NB $NA fd92::1
	ok $(($(frag_creates $NA) + $(frag_creates $NB) > before ? 0 : 1)) \
		"$1, outer IPv$2: the kernel fragmented the outer datagrams"
}

at_exit "rm -f /tmp/$T.*"
make_blob 20
(umask 077 && $REF_WG genkey >/tmp/$T.ka && $REF_WG genkey >/tmp/$T.kb)
PA=$($REF_WG pubkey </tmp/$T.ka) PB=$($REF_WG pubkey </tmp/$T.kb)

ns_add $NA && ns_add $NB && ns_add $NR
ns_link $NA ${T}va $NR ${T}ra
ns_link $NR ${T}rb $NB ${T}vb
ip -n $NA addr add 192.168.92.1/24 dev ${T}va
ip -n $NR addr add 192.168.92.254/24 dev ${T}ra
ip -n $NR addr add 192.168.94.254/24 dev ${T}rb
ip -n $NB addr add 192.168.94.2/24 dev ${T}vb
ip -n $NA addr add fd93::1/64 dev ${T}va nodad
ip -n $NR addr add fd93::fe/64 dev ${T}ra nodad
ip -n $NR addr add fd94::fe/64 dev ${T}rb nodad
ip -n $NB addr add fd94::2/64 dev ${T}vb nodad
ip -n $NA route add default via 192.168.92.254
ip -n $NB route add default via 192.168.94.254
ip -n $NA -6 route add default via fd93::fe
ip -n $NB -6 route add default via fd94::fe
ip netns exec $NR sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
is "$(ip -n $NA -o link show ${T}va | grep -o 'mtu [0-9]*')" "mtu 1500" "the veths' MTU is 1500"

check "ours starts in A" ip netns exec $NA "$OUR_ENGINE" $IA
check "ours starts in B" ip netns exec $NB "$OUR_ENGINE" $IB
at_exit "rm -f $SOCK/$IA.sock $SOCK/$IB.sock $SOCK/$IG.sock"
ip netns exec $NA $REF_WG set $IA private-key /tmp/$T.ka listen-port 51820 \
	peer "$PB" allowed-ips 10.92.0.2/32,fd92::2/128
ip netns exec $NB $REF_WG set $IB private-key /tmp/$T.kb listen-port 51821 \
	peer "$PA" allowed-ips 10.92.0.1/32,fd92::1/128
check "tunnel MTU 1500 in A" tunnel $NA $IA 1
check "tunnel MTU 1500 in B" tunnel $NB $IB 2

for fam in 4 6; do
	endpoints $IA $IB 51821 $fam
	full_size ours-ours $fam
done

# R's link to B shrinks: 1460-byte outer IPv4 packets must be fragmented by R.
endpoints $IA $IB 51821 4
ip -n $NR link set ${T}rb mtu 1400
ip -n $NB link set ${T}vb mtu 1400
before=$(frag_creates $NR)
check "ours-ours via a 1400-byte hop: IPv4 pings of 1400 bytes A->B, none lost" \
	lossless_ping $NA 10.92.0.2 1372
ok $(($(frag_creates $NR) > before ? 0 : 1)) "the router fragmented them (no DF outside)"
ip -n $NR link set ${T}rb mtu 1500
ip -n $NB link set ${T}vb mtu 1500

# wireguard-go in B's place, the same key on a new port.
rm -f $SOCK/$IB.sock
check "ours in B exits" sock_gone $IB
check "wireguard-go starts in B" ip netns exec $NB $REF_GO $IG
check "wireguard-go's socket appears" wait_sock $IG
ip netns exec $NB $REF_WG set $IG private-key /tmp/$T.kb listen-port 51822 \
	peer "$PA" allowed-ips 10.92.0.1/32,fd92::1/128
check "wireguard-go takes MTU 1500" tunnel $NB $IG 2
for fam in 4 6; do
	endpoints $IA $IG 51822 $fam
	full_size ours-go $fam
done
done_testing

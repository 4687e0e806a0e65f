#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Jumbo frames: two of our engines over a veth with MTU 9100 and a tunnel MTU
# of 9000 carry 8,9xx-byte pings (IPv4 and IPv6, unfragmented inside and out)
# and a TCP transfer checked with sha256; then wireguard-go takes one end's
# place at the same MTU.
T=engm$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" "$REF_GO" socat
NA=${T}a NB=${T}b IA=${T}w IB=${T}x IG=${T}g

big_ping() { # big_ping NS ADDR : three pings of 8900 data bytes, within the MTU
	local ns=$1
	shift
	if command -v ping >/dev/null && ping -V >/dev/null 2>&1; then
		ip netns exec "$ns" ping -M do -s 8900 -c 3 -i 0.2 -W 2 "$@"
	else
		# busybox ping has no -M: the packets are below the MTU, so nothing fragments
		# them at the source, and frag_creates() checks that nothing did.
		ip netns exec "$ns" busybox ping -s 8900 -c 3 -W 2 "$@"
	fi
}
tunnel() { # tunnel NS IFACE N : addresses and MTU 9000
	ip -n $1 addr add 10.91.0.$3/24 dev $2 &&
		ip -n $1 addr add fd91::$3/64 dev $2 nodad &&
		ip -n $1 link set $2 mtu 9000 up
}

at_exit "rm -f /tmp/$T.*"
make_blob 50
(umask 077 && $REF_WG genkey >/tmp/$T.ka && $REF_WG genkey >/tmp/$T.kb)
PA=$($REF_WG pubkey </tmp/$T.ka) PB=$($REF_WG pubkey </tmp/$T.kb)

ns_add $NA && ns_add $NB
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA link set ${T}va mtu 9100
ip -n $NB link set ${T}vb mtu 9100
ip -n $NA addr add 192.168.91.1/24 dev ${T}va
ip -n $NB addr add 192.168.91.2/24 dev ${T}vb

check "ours starts in A" ip netns exec $NA "$OUR_ENGINE" $IA
check "ours starts in B" ip netns exec $NB "$OUR_ENGINE" $IB
at_exit "rm -f $SOCK/$IA.sock $SOCK/$IB.sock $SOCK/$IG.sock"
ip netns exec $NA $REF_WG set $IA private-key /tmp/$T.ka listen-port 51820 \
	peer "$PB" allowed-ips 10.91.0.2/32,fd91::2/128 endpoint 192.168.91.2:51821
ip netns exec $NB $REF_WG set $IB private-key /tmp/$T.kb listen-port 51821 \
	peer "$PA" allowed-ips 10.91.0.1/32,fd91::1/128 endpoint 192.168.91.1:51820
check "tunnel MTU 9000 in A" tunnel $NA $IA 1
check "tunnel MTU 9000 in B" tunnel $NB $IB 2

check "ours-ours: IPv4 ping -s 8900" big_ping $NA 10.91.0.2
check "ours-ours: IPv6 ping -s 8900" big_ping $NB fd91::1
check "ours-ours: 50 MB A->B, sha256 equal" transfer $NA $NB 10.91.0.2
check "ours-ours: 50 MB B->A over IPv6 inside, sha256 equal" transfer $NB $NA fd91::1
is "$(frag_creates $NA) $(frag_creates $NB)" "0 0" "ours-ours: nothing was fragmented"

# wireguard-go in B's place, the same key on a new port.
rm -f $SOCK/$IB.sock
check "ours in B exits" sock_gone $IB
check "wireguard-go starts in B" ip netns exec $NB $REF_GO $IG
check "wireguard-go's socket appears" wait_sock $IG
ip netns exec $NA $REF_WG set $IA peer "$PB" endpoint 192.168.91.2:51822
ip netns exec $NB $REF_WG set $IG private-key /tmp/$T.kb listen-port 51822 \
	peer "$PA" allowed-ips 10.91.0.1/32,fd91::1/128 endpoint 192.168.91.1:51820
check "wireguard-go takes MTU 9000" tunnel $NB $IG 2
# A still holds a session with B's old engine: wireguard-go speaks first.
check "ours-go: IPv6 ping -s 8900 (go initiates)" big_ping $NB fd91::1
check "ours-go: IPv4 ping -s 8900" big_ping $NA 10.91.0.2
check "ours-go: 50 MB A->B, sha256 equal" transfer $NA $NB 10.91.0.2
check "ours-go: 50 MB B->A, sha256 equal" transfer $NB $NA 10.91.0.1
is "$(frag_creates $NA) $(frag_creates $NB)" "0 0" "ours-go: nothing was fragmented"
done_testing

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Sticky source address: the server has two addresses on its link and the
# client talks to the second. The client sits behind a stateful firewall (as
# behind a NAT) that only lets in replies from the address it sent to, so the
# server must answer from the address it was reached on, for IPv4 and IPv6
# outside. When that address disappears, the server falls back to the
# kernel's choice instead of failing to send.
T=engs$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" nft
NS=${T}s NC=${T}c IS=${T}w IC=${T}x

endpoint() { ip netns exec $1 $REF_WG show $2 endpoints | cut -f2; }

at_exit "rm -f /tmp/$T.*"
(umask 077 && $REF_WG genkey >/tmp/$T.ks && $REF_WG genkey >/tmp/$T.kc)
PS=$($REF_WG pubkey </tmp/$T.ks) PC=$($REF_WG pubkey </tmp/$T.kc)

ns_add $NS && ns_add $NC
ns_link $NS ${T}vs $NC ${T}vc
# The first address of each family is the one the kernel picks as a source.
ip -n $NS addr add 10.92.0.1/24 dev ${T}vs
ip -n $NS addr add 10.92.0.2/24 dev ${T}vs
ip -n $NS addr add fd92::1/64 dev ${T}vs nodad
ip -n $NS addr add fd92::2/64 dev ${T}vs nodad preferred_lft 0
ip -n $NC addr add 10.92.0.9/24 dev ${T}vc
ip -n $NC addr add fd92::9/64 dev ${T}vc nodad
# Only replies from the address and port the client sent to get in.
check "the client's stateful firewall" ip netns exec $NC nft -f - <<NFT
table inet $T {
	chain input {
		type filter hook input priority 0;
		udp sport 51820 ct state new counter drop
	}
}
NFT

check "ours starts in the server" ip netns exec $NS "$OUR_ENGINE" $IS
check "ours starts in the client" ip netns exec $NC "$OUR_ENGINE" $IC
at_exit "rm -f $SOCK/$IS.sock $SOCK/$IC.sock"
ip netns exec $NS $REF_WG set $IS private-key /tmp/$T.ks listen-port 51820 \
	peer "$PC" allowed-ips 10.93.0.9/32
ip netns exec $NC $REF_WG set $IC private-key /tmp/$T.kc listen-port 51821 \
	peer "$PS" allowed-ips 10.93.0.1/32 endpoint 10.92.0.2:51820
ip -n $NS addr add 10.93.0.1/24 dev $IS && ip -n $NS link set $IS up
ip -n $NC addr add 10.93.0.9/24 dev $IC && ip -n $NC link set $IC up

check "IPv4 outside: handshake and ping to the second address" png $NC 10.93.0.1
check "the server pings back" png $NS 10.93.0.9
is "$(endpoint $NC $IC)" "10.92.0.2:51820" "the client's endpoint stayed the second address"

ip netns exec $NC $REF_WG set $IC peer "$PS" endpoint "[fd92::2]:51820"
check "IPv6 outside: ping to the second (deprecated) address" png $NC 10.93.0.1
is "$(endpoint $NS $IS)" "[fd92::9]:51821" "the server roamed to the client's IPv6 address"
check "the server pings back over IPv6" png $NS 10.93.0.9
is "$(endpoint $NC $IC)" "[fd92::2]:51820" "the client's endpoint stayed the second address"

# The sticky address goes away: the server must fall back, not go silent.
ip netns exec $NC $REF_WG set $IC peer "$PS" endpoint 10.92.0.2:51820
png $NC 10.93.0.1 >/dev/null
ip netns exec $NC nft delete table inet $T
ip -n $NS addr del 10.92.0.2/24 dev ${T}vs
check "after its sticky address is deleted, the server still reaches the client" png $NS 10.93.0.9
is "$(endpoint $NC $IC)" "10.92.0.1:51820" "and the client roamed to the server's other address"
done_testing

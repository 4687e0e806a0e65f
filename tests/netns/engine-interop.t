#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-engine against Debian's wireguard-go, each in its own namespace joined by
# a veth: each side initiating in turn, ping with IPv4 and IPv6 inside and
# outside, and 100 MB TCP transfers both ways with sha256 checksums.
T=engi$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" "$REF_GO" socat
NA=${T}a NB=${T}b


at_exit "rm -f /tmp/$T.*"
make_blob 100
(umask 077 && $REF_WG genkey >/tmp/$T.ka && $REF_WG genkey >/tmp/$T.kb)
PA=$($REF_WG pubkey </tmp/$T.ka) PB=$($REF_WG pubkey </tmp/$T.kb)

ns_add $NA && ns_add $NB
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA addr add 192.168.78.1/24 dev ${T}va
ip -n $NB addr add 192.168.78.2/24 dev ${T}vb
ip -n $NA addr add fd78::1/64 dev ${T}va nodad
ip -n $NB addr add fd78::2/64 dev ${T}vb nodad

# up ROUND OUTER_A OUTER_B : ours in A (ROUND names the interfaces), wireguard-go in B
up() {
	local ia=${T}o$1 ib=${T}g$1
	ip netns exec $NA "$OUR_ENGINE" $ia && at_exit "rm -f $SOCK/$ia.sock" || return 1
	ip netns exec $NB "$REF_GO" $ib && at_exit "rm -f $SOCK/$ib.sock" || return 1
	wait_sock $ia && wait_sock $ib || return 1
	ip netns exec $NA $REF_WG set $ia private-key /tmp/$T.ka listen-port 51820 \
		peer "$PB" allowed-ips 10.8.0.2/32,fd08::2/128 endpoint "$3:51821" || return 1
	ip netns exec $NB $REF_WG set $ib private-key /tmp/$T.kb listen-port 51821 \
		peer "$PA" allowed-ips 10.8.0.1/32,fd08::1/128 endpoint "$2:51820" || return 1
	ip -n $NA addr add 10.8.0.1/24 dev $ia && ip -n $NA addr add fd08::1/64 dev $ia nodad &&
		ip -n $NA link set $ia mtu 1420 up || return 1
	ip -n $NB addr add 10.8.0.2/24 dev $ib && ip -n $NB addr add fd08::2/64 dev $ib nodad &&
		ip -n $NB link set $ib mtu 1420 up
}
down() {
	ip -n $NA link del ${T}o$1
	ip -n $NB link del ${T}g$1
	sleep 0.5
}

check "round 1: ours and wireguard-go up, IPv4 outside" up 1 192.168.78.1 192.168.78.2
check "ours initiates: IPv4 ping" png $NA 10.8.0.2
check "IPv6 ping" png $NA fd08::2
sleep 0.5
ours=$(ip netns exec $NA $REF_WG show ${T}o1 transfer | cut -f2-)
theirs=$(ip netns exec $NB $REF_WG show ${T}g1 transfer | awk -F'\t' '{print $3 "\t" $2}')
is "$ours" "$theirs" "rx/tx bytes: ours mirror wireguard-go's"
check "100 MB ours->wireguard-go, sha256 equal" transfer $NA $NB 10.8.0.2
check "100 MB wireguard-go->ours, sha256 equal" transfer $NB $NA 10.8.0.1
is "$(ip netns exec $NB $REF_WG show ${T}g1 latest-handshakes | cut -f2 | grep -c '^0$')" "0" \
	"wireguard-go saw the handshake"
down 1

check "round 2: up again, IPv6 outside" up 2 "[fd78::1]" "[fd78::2]"
check "wireguard-go initiates: IPv4 ping" png $NB 10.8.0.1
check "IPv6 ping" png $NB fd08::1
check "100 MB wireguard-go->ours over IPv6, sha256 equal" transfer $NB $NA fd08::1
check "100 MB ours->wireguard-go over IPv6, sha256 equal" transfer $NA $NB fd08::2
hs=$(ip netns exec $NA $REF_WG show ${T}o2 latest-handshakes | cut -f2)
check "ours reports the handshake" test "$hs" -gt 0
down 2
done_testing

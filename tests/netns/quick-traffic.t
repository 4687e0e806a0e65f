#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Traffic through a full tunnel. Three namespaces: a client, a server (also the
# client's uplink) and a remote host that only knows the way back to tunnel
# addresses. The client with 0.0.0.0/0 reaches the remote only through the
# tunnel, while the server's endpoint address stays reachable outside it (no
# loop). Run with our wg-quick, then Debian's as the control.
T=wqtf
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_QUICK" "$REF_QUICK" "$REF_GO" "$REF_WG" nft socat

DIR=$(mktemp -d /tmp/wqtf.XXXXXX)
at_exit "rm -rf $DIR"
export WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO
C=wqtfc S=wqtfs R=wqtfr
ns_add $C && ns_add $S && ns_add $R || skip_all "cannot create namespaces"
ns_link $C wqtfc0 $S wqtfs0 && ns_link $S wqtfs1 $R wqtfr0 || skip_all "cannot link namespaces"
ip -n $C addr add 192.168.77.2/24 dev wqtfc0
ip -n $C route add default via 192.168.77.1
ip -n $S addr add 192.168.77.1/24 dev wqtfs0
ip -n $S addr add 192.168.78.1/24 dev wqtfs1
ip netns exec $S sysctl -qw net.ipv4.ip_forward=1
ip -n $R addr add 192.168.78.2/24 dev wqtfr0
# The remote answers tunnel addresses only: a reply to 192.168.77.2 has no route.
ip -n $R route add 10.77.0.0/24 via 192.168.78.1
# Small TCP services: on the remote, and on the server's endpoint address.
ip netns exec $R socat TCP-LISTEN:7777,bind=192.168.78.2,fork,reuseaddr SYSTEM:'echo pong' &
ip netns exec $S socat TCP-LISTEN:7778,bind=192.168.77.1,fork,reuseaddr SYSTEM:'echo pong' &
sleep 0.3

SK=$($REF_WG genkey) CK=$($REF_WG genkey)
SP=$(echo "$SK" | $REF_WG pubkey) CP=$(echo "$CK" | $REF_WG pubkey)
printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 10.77.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.2/32\n' \
	"$SK" "$CP" >"$DIR/wqtfsw.conf"
chmod 600 "$DIR/wqtfsw.conf"
check "server up (Debian's wg-quick)" ip netns exec $S "$REF_QUICK" up "$DIR/wqtfsw.conf"

ask() { # ADDR PORT : "pong" when a TCP connection there works both ways
	local got
	got=$(ip netns exec $C timeout 5 socat -T 3 - "TCP:$1:$2,connect-timeout=${TO:-3}" </dev/null 2>&1)
	[ "$got" = pong ] || { echo "got: $got"; return 1; }
}
ping_remote() { ask 192.168.78.2 7777; }
dev_of() { ip -n $C route get "$@" | grep -o 'dev [^ ]*' | head -1; }

client() { # NAME PROGRAM IFACE
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.77.0.2/32\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 0.0.0.0/0\nEndpoint = 192.168.77.1:51820\n' \
		"$CK" "$SP" >"$DIR/$3.conf"
	chmod 600 "$DIR/$3.conf"
	! TO=1 ping_remote >/dev/null 2>&1
	ok $? "$1: without the tunnel the remote does not answer"
	check "$1: up" ip netns exec $C "$2" up "$DIR/$3.conf" || return
	check "$1: the remote answers through the tunnel" ping_remote
	is "$(dev_of 192.168.78.2)" "dev $3" "$1: the remote is routed into the tunnel"
	is "$(dev_of 192.168.77.1 mark 51820)" "dev wqtfc0" "$1: the tunnel's own packets (fwmark) go outside it"
	is "$(dev_of 192.168.77.1)" "dev wqtfc0" "$1: the endpoint stays reachable outside the tunnel"
	check "$1: a connection to the endpoint's address works" ask 192.168.77.1 7778
	local rx
	rx=$(ip netns exec $C $REF_WG show "$3" transfer | awk '{print $2}')
	ok $(( ${rx:-0} > 0 ? 0 : 1 )) "$1: bytes came back through the tunnel ($rx)"
	check "$1: down" ip netns exec $C "$2" down "$DIR/$3.conf"
	! TO=1 ping_remote >/dev/null 2>&1
	ok $? "$1: after down the remote no longer answers"
}
client "ours" "$OUR_QUICK" wqtfco
client "Debian's" "$REF_QUICK" wqtfcd

ip netns exec $S "$REF_QUICK" down "$DIR/wqtfsw.conf" >/dev/null 2>&1
done_testing

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-engine against itself, each host a namespace joined by a veth: ping and a
# 100 MB TCP transfer (sha256) with IPv4 and IPv6 inside and outside, bursts
# of UDP datagrams (coalesced on the TUN write) whole and in order, roaming
# to a new outer address, wg and our wg driving it, `wg show dump` equal to
# wireguard-go's for the same config, malformed UAPI requests, and exit on
# socket deletion and on link deletion.
T=engo$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" "$REF_GO" socat
NA=${T}a NB=${T}b NC=${T}c ND=${T}d IA=${T}w IB=${T}x IC=${T}y ID=${T}z

engine_pid() { pgrep -f "wg-engine $1\$" | head -1; }
start_ours() { # start_ours NS IFACE
	ip netns exec "$1" "$OUR_ENGINE" "$2" && at_exit "rm -f $SOCK/$2.sock"
}
uapi() { ip netns exec "$1" socat -t2 - "UNIX-CONNECT:$SOCK/$2.sock"; }
# udp_bursts FROM_NS TO_NS TO_ADDR : the blob's first MiB as bursts of 47 datagrams
# of 1392 bytes (the last one shorter), which the receiving engine writes to its
# TUN coalesced (USO); they must arrive whole and in order.
udp_bursts() {
	local to=$3 rx f
	[[ $to == *:* ]] && to="[$to]"
	rm -f /tmp/$T.up.* /tmp/$T.u2
	head -c 1M /tmp/$T.blob >/tmp/$T.u1 && split -b $((47 * 1392)) /tmp/$T.u1 /tmp/$T.up.
	ip netns exec "$2" timeout 30 socat -u UDP6-RECV:5599,ipv6only=0 OPEN:/tmp/$T.u2,creat &
	rx=$!
	sleep 0.3
	for f in /tmp/$T.up.*; do
		ip netns exec "$1" socat -u -b 1392 "OPEN:$f" "UDP:$to:5599" || return 1
		sleep 0.05
	done
	sleep 1
	kill $rx 2>/dev/null
	wait $rx
	cmp -s /tmp/$T.u1 /tmp/$T.u2
}

at_exit "rm -f /tmp/$T.*"
make_blob 100
KA=$($REF_WG genkey) KB=$($REF_WG genkey)
PA=$(echo "$KA" | $REF_WG pubkey) PB=$(echo "$KB" | $REF_WG pubkey)
echo "$KA" >/tmp/$T.ka
echo "$KB" >/tmp/$T.kb

ns_add $NA && ns_add $NB && ns_add $NC && ns_add $ND
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA addr add 192.168.77.1/24 dev ${T}va
ip -n $NB addr add 192.168.77.2/24 dev ${T}vb
ip -n $NA addr add fd77::1/64 dev ${T}va nodad
ip -n $NB addr add fd77::2/64 dev ${T}vb nodad

check "ours starts in A" start_ours $NA $IA
check "ours starts in B" start_ours $NB $IB
check "socket is 0600" test "$(stat -c %a $SOCK/$IA.sock)" == 600
check "wg configures A" ip netns exec $NA $REF_WG set $IA private-key /tmp/$T.ka listen-port 51820 \
	peer "$PB" allowed-ips 10.9.0.2/32,fd09::2/128 endpoint 192.168.77.2:51821
check "wg configures B" ip netns exec $NB $REF_WG set $IB private-key /tmp/$T.kb listen-port 51821 \
	peer "$PA" allowed-ips 10.9.0.1/32,fd09::1/128
for x in "$NA $IA 1" "$NB $IB 2"; do
	set -- $x
	ip -n $1 addr add 10.9.0.$3/24 dev $2
	ip -n $1 addr add fd09::$3/64 dev $2 nodad
	ip -n $1 link set $2 mtu 1420 up
done

check "IPv4 ping over IPv4 (A initiates)" png $NA 10.9.0.2
check "IPv6 ping over IPv4" png $NA fd09::2
check "B knows A's endpoint by roaming" test "$(ip netns exec $NB $REF_WG show $IB endpoints | cut -f2)" == "192.168.77.1:51820"
check "100 MB A->B over IPv4, sha256 equal" transfer $NA $NB 10.9.0.2
check "100 MB B->A over IPv6 inner, sha256 equal" transfer $NB $NA fd09::1
check "1 MiB as UDP bursts A->B, whole and in order" udp_bursts $NA $NB 10.9.0.2
check "1 MiB as UDP bursts B->A over IPv6 inner, whole and in order" udp_bursts $NB $NA fd09::1
hs=$(ip netns exec $NA $REF_WG show $IA latest-handshakes | cut -f2)
check "latest handshake is recent" test $(($(date +%s) - hs)) -lt 60
tx=$(ip netns exec $NA $REF_WG show $IA transfer | cut -f3)
check "tx_bytes counts the transfer" test "$tx" -gt 100000000

# IPv6 outside.
ip netns exec $NA $REF_WG set $IA peer "$PB" endpoint "[fd77::2]:51821"
check "IPv4 ping over IPv6" png $NA 10.9.0.2
check "IPv6 ping over IPv6" png $NA fd09::2
check "B roamed to A's IPv6 address" test "$(ip netns exec $NB $REF_WG show $IB endpoints | cut -f2)" == "[fd77::1]:51820"
check "100 MB A->B over IPv6 outer, sha256 equal" transfer $NA $NB 10.9.0.2

# Roaming: B moves to a new outer address and speaks first.
ip netns exec $NA $REF_WG set $IA peer "$PB" endpoint 192.168.77.2:51821
png $NA 10.9.0.2 >/dev/null
ip -n $NB addr del 192.168.77.2/24 dev ${T}vb
ip -n $NB addr add 192.168.77.3/24 dev ${T}vb
ip netns exec $NB $REF_WG set $IB peer "$PA" endpoint 192.168.77.1:51820
check "B pings from its new address" png $NB 10.9.0.1
check "A's endpoint followed B" test "$(ip netns exec $NA $REF_WG show $IA endpoints | cut -f2)" == "192.168.77.3:51821"
check "A reaches B at the new address" png $NA 10.9.0.2

# Malformed UAPI requests change nothing.
before=$(printf 'get=1\n\n' | uapi $NA $IA)
is "$(printf 'set=1\nprivate_key=zz\n\n' | uapi $NA $IA)" "errno=-22" "bad private key: errno=-22"
is "$(printf 'set=1\nlisten_port=99999\n\n' | uapi $NA $IA)" "errno=-22" "bad port: errno=-22"
is "$(printf 'set=1\nlisten_port=4000\npublic_key=zz\n\n' | uapi $NA $IA)" "errno=-22" "bad peer key: errno=-22"
is "$(printf 'set=1\nallowed_ip=10.0.0.0/8\n\n' | uapi $NA $IA)" "errno=-22" "allowed_ip without a peer: errno=-22"
is "$(printf 'bogus=1\n\n' | uapi $NA $IA)" "" "unknown operation: no reply"
after=$(printf 'get=1\n\n' | uapi $NA $IA | grep -v -e _bytes= -e last_handshake)
is "$after" "$(echo "$before" | grep -v -e _bytes= -e last_handshake)" "nothing changed"

# fwmark, a new listen port, a port that is taken, and port 0 picking one.
ip netns exec $NA $REF_WG set $IA fwmark 0x42
sleep 0.5
is "$(ip netns exec $NA ss -uaneH "sport = :51820" 2>/dev/null | grep -c 'fwmark:0x42')" "2" "fwmark is SO_MARK on both sockets"
ip netns exec $NA $REF_WG set $IA listen-port 51830
ip netns exec $NB $REF_WG set $IB peer "$PA" endpoint 192.168.77.1:51830
check "traffic after a listen-port change" png $NB 10.9.0.1
is "$(ip netns exec $NA ss -uanH "sport = :51830" 2>/dev/null | wc -l)" "2" "the new port is bound (v4 and v6)"
check "back and forth between two ports at once" bash -c "ip netns exec $NA $REF_WG set $IA listen-port 51820 &&
	ip netns exec $NA $REF_WG set $IA listen-port 51830"
ip netns exec $NB socat -u UDP-RECV:51999 /dev/null &
sleep 0.3
is "$(printf 'set=1\nlisten_port=51999\n\n' | uapi $NB $IB)" "errno=-98" "a port in use: errno=-98"
is "$(ip netns exec $NB $REF_WG show $IB listen-port)" "51821" "and the port did not change"
ip netns exec $NA $REF_WG set $IA listen-port 0
port=$(ip netns exec $NA $REF_WG show $IA listen-port)
check "listen-port 0 picks a free port ($port)" test "$port" -gt 0 -a "$port" != 51830
ip netns exec $NB $REF_WG set $IB peer "$PA" endpoint 192.168.77.1:$port
check "traffic on the picked port" png $NB 10.9.0.1

# The same config in ours and in wireguard-go: `wg show dump` must agree.
check "wireguard-go starts in C" ip netns exec $NC $REF_GO $IC
at_exit "rm -f $SOCK/$IC.sock"
check "wireguard-go's socket appears" wait_sock $IC
check "ours starts in D" start_ours $ND $ID
cat >/tmp/$T.conf <<CONF
[Interface]
PrivateKey = $KA
ListenPort = 41000
FwMark = 0x42

[Peer]
PublicKey = $PB
PresharedKey = $($REF_WG genpsk)
AllowedIPs = 10.1.0.0/16, fd01::/64, 10.2.3.4/32
Endpoint = [fd77::9]:5000

[Peer]
PublicKey = $($REF_WG genkey | $REF_WG pubkey)
AllowedIPs = 0.0.0.0/0
PersistentKeepalive = 25
CONF
norm() { # sorts the lines and each peer's allowed IPs (wireguard-go keeps peers in a map)
	local line f
	while IFS= read -r line; do
		IFS=$'\t' read -r -a f <<<"$line"
		[ ${#f[@]} -gt 4 ] && f[3]=$(tr ',' '\n' <<<"${f[3]}" | sort | paste -sd,)
		(IFS=$'\t' && echo "${f[*]}")
	done | sort
}
ip netns exec $NC $REF_WG setconf $IC /tmp/$T.conf
ip netns exec $ND $REF_WG setconf $ID /tmp/$T.conf
ref=$(ip netns exec $NC $REF_WG show $IC dump | norm)
check "wireguard-go shows the config" test "$(echo "$ref" | wc -l)" -eq 3
is "$(ip netns exec $ND $REF_WG show $ID dump | norm)" "$ref" "wg show dump: ours equals wireguard-go"
if [ -x "$OUR_WG" ]; then
	is "$(ip netns exec $ND $OUR_WG show $ID dump | norm)" "$ref" "our wg show dump: ours equals wireguard-go"
	check "our wg set drives ours" ip netns exec $ND $OUR_WG set $ID peer "$PB" remove
	is "$(ip netns exec $ND $REF_WG show $ID peers | grep -c "$PB")" "0" "the peer is gone"
fi

# Exit on socket deletion and on link deletion.
pid=$(engine_pid $IB)
rm -f $SOCK/$IB.sock
check "exits when its socket is deleted" gone "$pid"
check "and its interface went with it" bash -c "! ip -n $NB link show $IB"
pid=$(engine_pid $IA)
ip -n $NA link del $IA
check "exits when its link is deleted" gone "$pid"
check "and removed its socket" test ! -e $SOCK/$IA.sock

# A WG_ENGINE_AEAD it cannot honour is said at start, and the default runs.
ip netns exec $NC env WG_ENGINE_AEAD=bogus LOG_LEVEL=verbose "$OUR_ENGINE" -f ${T}e \
	>/tmp/$T.aead 2>&1 &
epid=$!
check "starts with WG_ENGINE_AEAD=bogus" wait_sock ${T}e
at_exit "rm -f $SOCK/${T}e.sock"
ip -n $NC link del ${T}e
wait $epid
check "and says it ignores it" grep -q 'Ignoring WG_ENGINE_AEAD=bogus: .*; using ' /tmp/$T.aead
check "and which AEAD it uses" grep -Eq 'ChaCha20-Poly1305: (builtin|openssl|sodium)$' /tmp/$T.aead
done_testing

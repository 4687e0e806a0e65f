#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The engine's drop counters as a user sees them: garbage on the UDP port and
# a packet routed to no peer are counted by reason, logged at LOG_LEVEL=verbose
# with reason and peer, and totalled in `wg show IFACE json` under "drops".
# The UAPI get reply carries them as drop_NAME=N lines; Debian's wg must still
# read our engine and print exactly what ours prints (show, dump, showconf).
T=ecd$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$OUR_WG" "$REF_WG" socat
NA=${T}a IA=wgec$$d

at_exit "rm -f /tmp/$T.*"
(umask 077 && $REF_WG genkey >/tmp/$T.ka)
PB=$($REF_WG genkey | $REF_WG pubkey)
ns_add $NA
LOG_LEVEL=verbose WG_PROCESS_FOREGROUND=1 ip netns exec $NA "$OUR_ENGINE" $IA 2>/tmp/$T.log &
engine=$!
at_exit "kill $engine; rm -f $SOCK/$IA.sock"
check "ours starts, logging at verbose" wait_sock $IA
ip netns exec $NA $REF_WG set $IA private-key /tmp/$T.ka listen-port 51830 \
	peer "$PB" allowed-ips 10.93.0.2/32
ip -n $NA addr add 10.93.0.1/24 dev $IA
ip -n $NA link set $IA up

for _ in 1 2 3; do
	printf '\011\000\000\000not wireguard' | ip netns exec $NA socat -u - UDP:127.0.0.1:51830
done
ip netns exec $NA ping -c 1 -W 1 10.93.0.9 >/dev/null 2>&1
sleep 0.5

json=$(ip netns exec $NA "$OUR_WG" show $IA json)
check "wg show json has a drops object" grep -q '^		"drops": {$' <<<"$json"
check "three datagrams of type 9 counted as rx_bad_type" grep -q '^			"rx_bad_type": 3,$' <<<"$json"
check "the ping to an address no peer owns as tx_no_peer" grep -Eq '^			"tx_no_peer": [1-9][0-9]*,$' <<<"$json"
check "the log names reason and peer for the garbage" \
	grep -q 'unknown peer: dropped 1 packet: not a WireGuard message (rx_bad_type)' /tmp/$T.log
check "and for the ping" grep -q 'dropped 1 packet: no peer for the destination (tx_no_peer)' /tmp/$T.log

check "Debian's wg reads our engine (show)" ip netns exec $NA $REF_WG show $IA
for what in "" dump "peers" "listen-port"; do
	is "$(ip netns exec $NA $REF_WG show $IA $what 2>&1)" \
		"$(ip netns exec $NA "$OUR_WG" show $IA $what 2>&1)" \
		"wg show $what: Debian's and ours print the same"
done
is "$(ip netns exec $NA $REF_WG showconf $IA 2>&1)" "$(ip netns exec $NA "$OUR_WG" showconf $IA 2>&1)" \
	"wg showconf: Debian's and ours print the same"
done_testing

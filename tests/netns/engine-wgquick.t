#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's wg-quick brings wg-engine up and down as its userspace
# implementation (WG_QUICK_USERSPACE_IMPLEMENTATION), with traffic through the
# tunnel to an engine configured by hand in a second namespace.
T=engq$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" "$REF_QUICK"
NA=${T}a NB=${T}b IA=${T}w IB=${T}x


mkdir -m 0700 /tmp/$T.d
at_exit "rm -rf /tmp/$T.d"
(umask 077 && $REF_WG genkey >/tmp/$T.d/ka && $REF_WG genkey >/tmp/$T.d/kb)
PA=$($REF_WG pubkey </tmp/$T.d/ka) PB=$($REF_WG pubkey </tmp/$T.d/kb)
ns_add $NA && ns_add $NB
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA addr add 192.168.79.1/24 dev ${T}va
ip -n $NB addr add 192.168.79.2/24 dev ${T}vb

ip netns exec $NB "$OUR_ENGINE" $IB && at_exit "rm -f $SOCK/$IB.sock"
ip netns exec $NB $REF_WG set $IB private-key /tmp/$T.d/kb listen-port 51821 peer "$PA" \
	allowed-ips 10.7.0.1/32
ip -n $NB addr add 10.7.0.2/24 dev $IB
ip -n $NB link set $IB up

cat >/tmp/$T.d/$IA.conf <<CONF
[Interface]
PrivateKey = $(cat /tmp/$T.d/ka)
Address = 10.7.0.1/24
ListenPort = 51820
MTU = 1400

[Peer]
PublicKey = $PB
AllowedIPs = 10.7.0.2/32
Endpoint = 192.168.79.2:51821
CONF
chmod 600 /tmp/$T.d/$IA.conf
at_exit "rm -f $SOCK/$IA.sock"
check "wg-quick up starts wg-engine" ip netns exec $NA env WG_QUICK_USERSPACE_IMPLEMENTATION="$OUR_ENGINE" \
	"$REF_QUICK" up /tmp/$T.d/$IA.conf
check "its socket exists" test -S $SOCK/$IA.sock
is "$(ip -n $NA -o link show $IA | grep -o 'mtu [0-9]*')" "mtu 1400" "wg-quick set the MTU"
is "$(ip netns exec $NA $REF_WG show $IA listen-port)" "51820" "wg-quick configured it"
check "ping through the tunnel" png $NA 10.7.0.2
pid=$(pgrep -f "wg-engine $IA\$" | head -1)
check "wg-quick down" ip netns exec $NA env WG_QUICK_USERSPACE_IMPLEMENTATION="$OUR_ENGINE" \
	"$REF_QUICK" down /tmp/$T.d/$IA.conf
check "wg-engine exited" gone "$pid"
check "its socket is gone" test ! -e $SOCK/$IA.sock
check "its interface is gone" bash -c "! ip -n $NA link show $IA 2>/dev/null"
done_testing

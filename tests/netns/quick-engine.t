#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Our wg-quick with WG_QUICK_USERSPACE_IMPLEMENTATION unset on a kernel without
# WireGuard: it falls back to our own wg-engine, found beside build/wg-quick,
# prints the script's warning, and the tunnel carries traffic to a
# wireguard-go peer brought up by Debian's wg-quick.
T=wqen
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_QUICK" "$OUR_ENGINE" "$REF_QUICK" "$REF_GO" "$REF_WG" socat
[ -e /sys/module/wireguard ] && skip_all "the kernel has WireGuard: no fallback to test"

DIR=$(mktemp -d /tmp/wqen.XXXXXX)
at_exit "rm -rf $DIR"
A=wqena B=wqenb
ns_add $A && ns_add $B && ns_link $A wqena0 $B wqenb0 || skip_all "cannot create namespaces"
ip -n $A addr add 192.168.76.1/24 dev wqena0
ip -n $B addr add 192.168.76.2/24 dev wqenb0
KA=$($REF_WG genkey) KB=$($REF_WG genkey)
PA=$(echo "$KA" | $REF_WG pubkey) PB=$(echo "$KB" | $REF_WG pubkey)
printf '[Interface]\nPrivateKey = %s\nListenPort = 51830\nAddress = 10.76.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.76.0.2/32\nEndpoint = 192.168.76.2:51831\n' \
	"$KA" "$PB" >"$DIR/wqena9.conf"
printf '[Interface]\nPrivateKey = %s\nListenPort = 51831\nAddress = 10.76.0.2/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.76.0.1/32\nEndpoint = 192.168.76.1:51830\n' \
	"$KB" "$PA" >"$DIR/wqenb9.conf"
chmod 600 "$DIR"/*.conf

check "wireguard-go peer up (Debian's wg-quick)" \
	env WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO ip netns exec $B "$REF_QUICK" up "$DIR/wqenb9.conf"
ip netns exec $B socat TCP-LISTEN:7779,bind=10.76.0.2,fork,reuseaddr SYSTEM:'echo pong' &
at_exit "kill $! 2>/dev/null"

env -u WG_QUICK_USERSPACE_IMPLEMENTATION PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	ip netns exec $A "$OUR_QUICK" up "$DIR/wqena9.conf" >"$DIR/up.out" 2>"$DIR/up.err"
ok $? "up with our engine"
[ $? -eq 0 ] || sed 's/^/#   /' "$DIR/up.err"
grep -qx '\[!\] Missing WireGuard kernel module. Falling back to slow userspace implementation.' "$DIR/up.err"
ok $? "prints the script's fallback warning"
grep -qx '\[#\] wg-engine wqena9' "$DIR/up.err"
ok $? "runs wg-engine (found beside wg-quick)"
pgrep -f "wg-engine wqena9" >/dev/null
ok $? "the engine runs"
got=$(ip netns exec $A timeout 8 socat -T 3 - TCP:10.76.0.2:7779,connect-timeout=5 </dev/null 2>&1)
is "$got" pong "traffic through our engine to wireguard-go"
check "down" ip netns exec $A "$OUR_QUICK" down "$DIR/wqena9.conf"
! ip -n $A link show wqena9 >/dev/null 2>&1
ok $? "the link is gone after down"
env WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO ip netns exec $B "$REF_QUICK" down "$DIR/wqenb9.conf" >/dev/null 2>&1
done_testing

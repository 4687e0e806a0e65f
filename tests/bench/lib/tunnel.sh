# SPDX-License-Identifier: GPL-2.0
# Sourced by the tunnel benchmarks after tests/lib/netns.sh: two namespaces
# ${T}a and ${T}b joined by a veth (192.168.NET.1 and .2), a tunnel between
# them run by one engine binary on both ends (10.6.0.1 and .2, MTU 1420), and
# the CPU time and memory of the engine processes.
# tunnel_setup NET, then tunnel_up BINARY ... tunnel_down for each engine.
# SOCK and wait_sock come from tests/lib/netns.sh.

tunnel_setup() {
	NA=${T}a NB=${T}b IA=${T}w IB=${T}x
	VA=192.168.$1.1 VB=192.168.$1.2
	ns_add $NA && ns_add $NB || return 1
	ns_link $NA ${T}va $NB ${T}vb || return 1
	ip -n $NA addr add $VA/24 dev ${T}va
	ip -n $NB addr add $VB/24 dev ${T}vb
	mkdir -m 0700 /tmp/$T.d
	at_exit "rm -rf /tmp/$T.d"
	(umask 077 && $REF_WG genkey >/tmp/$T.d/ka && $REF_WG genkey >/tmp/$T.d/kb)
	PA=$($REF_WG pubkey </tmp/$T.d/ka) PB=$($REF_WG pubkey </tmp/$T.d/kb)
}

tunnel_up() { # tunnel_up BINARY : both ends run BINARY; 0 once a ping goes through
	ip netns exec $NA "$1" $IA >/dev/null 2>&1 && ip netns exec $NB "$1" $IB >/dev/null 2>&1 ||
		return 1
	at_exit "rm -f $SOCK/$IA.sock $SOCK/$IB.sock"
	wait_sock $IA && wait_sock $IB || return 1
	ip netns exec $NA $REF_WG set $IA private-key /tmp/$T.d/ka listen-port 51820 \
		peer "$PB" allowed-ips 10.6.0.2/32 endpoint $VB:51821
	ip netns exec $NB $REF_WG set $IB private-key /tmp/$T.d/kb listen-port 51821 \
		peer "$PA" allowed-ips 10.6.0.1/32 endpoint $VA:51820
	ip -n $NA addr add 10.6.0.1/24 dev $IA && ip -n $NA link set $IA mtu 1420 up
	ip -n $NB addr add 10.6.0.2/24 dev $IB && ip -n $NB link set $IB mtu 1420 up
	ip netns exec $NA ping -c 1 -W 3 10.6.0.2 >/dev/null 2>&1 ||
		ip netns exec $NA busybox ping -c 1 -W 3 10.6.0.2 >/dev/null 2>&1
}

tunnel_down() {
	ip -n $NA link del $IA 2>/dev/null
	ip -n $NB link del $IB 2>/dev/null
	sleep 1
}

# The engine processes (wg-engine or wireguard-go) in namespace $1.
engine_pids() {
	local p
	for p in $(ip netns pids "$1"); do
		case $(cat /proc/$p/comm 2>/dev/null) in
		wg-engine | wireguard-go) echo "$p" ;;
		esac
	done
}

# CPU ticks (user+system) of the engine processes in both namespaces.
engine_ticks() {
	local t=0 p
	for p in $(engine_pids $NA) $(engine_pids $NB); do
		t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo $t
}

# rss_kib PID : resident set size in KiB
rss_kib() { awk '/^VmRSS:/ {print $2}' /proc/$1/status 2>/dev/null; }

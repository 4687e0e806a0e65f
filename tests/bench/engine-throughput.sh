#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# TCP throughput (iperf3) between two namespaces joined by a veth: the plain
# veth, wg-engine on both ends, and wireguard-go on both ends, in one run,
# one stream and four, both directions; prints each figure, the CPU time the
# tunnel processes spent per GB (robust when other work shares the machine),
# the ratios ours/wireguard-go and the crypto ceiling measured on the spot.
# SECS=5 by default; IMPLS="ours go" to choose.
set -u
T=engb$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need iperf3 "$OUR_ENGINE" "$REF_GO" "$REF_WG"
SECS=${SECS:-5}
NA=${T}a NB=${T}b IA=${T}w IB=${T}x
AEAD=$WG_BUILD/tests/bench/engine-io-aead

ns_add $NA && ns_add $NB
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA addr add 192.168.80.1/24 dev ${T}va
ip -n $NB addr add 192.168.80.2/24 dev ${T}vb
mkdir -m 0700 /tmp/$T.d
at_exit "rm -rf /tmp/$T.d"
(umask 077 && $REF_WG genkey >/tmp/$T.d/ka && $REF_WG genkey >/tmp/$T.d/kb)
PA=$($REF_WG pubkey </tmp/$T.d/ka) PB=$($REF_WG pubkey </tmp/$T.d/kb)

up() { # up BINARY : both ends run BINARY
	ip netns exec $NA "$1" $IA >/dev/null 2>&1 && ip netns exec $NB "$1" $IB >/dev/null 2>&1 ||
		return 1
	at_exit "rm -f $SOCK/$IA.sock $SOCK/$IB.sock"
	wait_sock $IA && wait_sock $IB || return 1
	ip netns exec $NA $REF_WG set $IA private-key /tmp/$T.d/ka listen-port 51820 \
		peer "$PB" allowed-ips 10.6.0.2/32 endpoint 192.168.80.2:51821
	ip netns exec $NB $REF_WG set $IB private-key /tmp/$T.d/kb listen-port 51821 \
		peer "$PA" allowed-ips 10.6.0.1/32 endpoint 192.168.80.1:51820
	ip -n $NA addr add 10.6.0.1/24 dev $IA && ip -n $NA link set $IA mtu 1420 up
	ip -n $NB addr add 10.6.0.2/24 dev $IB && ip -n $NB link set $IB mtu 1420 up
	ip netns exec $NA ping -c 1 -W 3 10.6.0.2 >/dev/null 2>&1 ||
		ip netns exec $NA busybox ping -c 1 -W 3 10.6.0.2 >/dev/null 2>&1
}
down() {
	ip -n $NA link del $IA 2>/dev/null
	ip -n $NB link del $IB 2>/dev/null
	sleep 1
}
# CPU ticks (user+system) of the tunnel processes in both namespaces.
engine_ticks() {
	local t=0 p
	for p in $(ip netns pids $NA) $(ip netns pids $NB); do
		case $(cat /proc/$p/comm 2>/dev/null) in
		wg-engine | wireguard-go) t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))) ;;
		esac
	done
	echo $t
}
# gbit ADDR ARGS... : iperf3 from A to a server in B: "Gbit/s CPU-seconds-per-GB"
gbit() {
	local addr=$1 json c0 c1
	shift
	ip netns exec $NB iperf3 -s -1 -D -B "$addr" >/dev/null 2>&1
	sleep 0.3
	c0=$(engine_ticks)
	json=$(ip netns exec $NA iperf3 -c "$addr" -t "$SECS" -J "$@" 2>/dev/null)
	c1=$(engine_ticks)
	echo "$json" | grep -A8 '"sum_received"' | grep -E '"(bytes|bits_per_second)"' | head -2 |
		sed 's/.*:[[:space:]]*\([0-9.e+]*\).*/\1/' | paste -sd' ' |
		awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '{
			if ($1 > 0 && t > 0) printf "%.2f %.2f", $2 / 1e9, t / hz / ($1 / 1e9);
			else printf "%.2f n/a", $2 / 1e9 }'
}
declare -A R C
run_one() { # run_one NAME KEY ADDR ARGS...
	local out
	out=$(gbit "${@:3}")
	R[$1,$2]=${out% *}
	C[$1,$2]=${out#* }
}
run_set() { # run_set NAME ADDR
	run_one "$1" 1f "$2" -P 1
	run_one "$1" 1r "$2" -P 1 -R
	run_one "$1" 4f "$2" -P 4
	run_one "$1" 4r "$2" -P 4 -R
	printf '%-14s 1 stream A->B %6s  B->A %6s   4 streams A->B %6s  B->A %6s Gbit/s\n' "$1" \
		"${R[$1,1f]}" "${R[$1,1r]}" "${R[$1,4f]}" "${R[$1,4r]}"
	[ "$1" == veth ] ||
		printf '%-14s CPU-s per GB   %6s        %6s                  %6s        %6s\n' "" \
			"${C[$1,1f]}" "${C[$1,1r]}" "${C[$1,4f]}" "${C[$1,4r]}"
}

if [ -x "$AEAD" ]; then
	"$AEAD" 1420 1 2 | tee /tmp/$T.d/aead
	CEIL=$(sed -n 's/ceiling_gbit=//p' /tmp/$T.d/aead)
else
	echo "no $AEAD (make benches): ceiling unknown"
	CEIL=
fi
run_set veth 192.168.80.2
up "$OUR_ENGINE" && run_set wg-engine 10.6.0.2 || echo "wg-engine did not come up"
down
up "$REF_GO" && run_set wireguard-go 10.6.0.2 || echo "wireguard-go did not come up"
down
for k in 1f 1r 4f 4r; do
	o=${R[wg-engine,$k]:-0} g=${R[wireguard-go,$k]:-0}
	ratio=$(awk -v o="$o" -v g="$g" 'BEGIN { if (g > 0) printf "%.2f", o / g; else print "n/a" }')
	eff=$(awk -v o="${C[wg-engine,$k]:-0}" -v g="${C[wireguard-go,$k]:-0}" \
		'BEGIN { if (o > 0) printf "%.2f", g / o; else print "n/a" }')
	ceil=$(awk -v o="$o" -v c="${CEIL:-0}" 'BEGIN { if (c > 0) printf "%.0f%%", 100 * o / c; else print "n/a" }')
	echo "ratio $k (streams, direction): wg-engine/wireguard-go = $ratio (CPU per byte: $eff x less), wg-engine/ceiling = $ceil"
done

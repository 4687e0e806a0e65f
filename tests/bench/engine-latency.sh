#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Round-trip time through the tunnel: COUNT pings 10 ms apart through the
# idle tunnel, then the same while one iperf3 TCP stream saturates it (the
# queueing our batches and rings add: bufferbloat), for the plain veth,
# wg-engine and each wireguard-go reference (tests/bench/refs), in one run.
# Prints the median and the 90th percentile in ms.
# COUNT=200 by default; IMPLS="ours sid" to choose rows.
set -u
T=pfbl$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
. "$(dirname "$0")/lib/tunnel.sh"
need_netns
need iperf3 "$OUR_ENGINE" "$REF_WG"
COUNT=${COUNT:-200}
PING=(ping)
command -v ping >/dev/null || PING=(busybox ping)
impls_load
tunnel_setup 84

# rtt ADDR : "median p90" in ms of COUNT pings from A to ADDR
rtt() {
	ip netns exec $NA timeout $((COUNT / 10 + 10)) "${PING[@]}" -c "$COUNT" -i 0.01 -W 2 "$1" \
		2>/dev/null | sed -n 's/.*time=\([0-9.]*\) *ms.*/\1/p' | sort -g |
		awk '{ v[NR] = $1 } END {
			if (NR < 3) { print "n/a n/a"; exit }
			printf "%.3f %.3f\n", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)] }'
}
# loaded ADDR : rtt ADDR while one TCP stream from A to B fills the path
loaded() {
	local secs=$((COUNT / 50 + 4)) out
	ip netns exec $NB iperf3 -s -1 -D -B "$1" >/dev/null 2>&1
	sleep 0.3
	ip netns exec $NA timeout $((secs + 10)) iperf3 -c "$1" -t $secs >/dev/null 2>&1 &
	sleep 2
	out=$(rtt "$1")
	wait
	echo "$out"
}
declare -A IDLE LOADED
row() { # row NAME LABEL ADDR
	local i l
	i=$(rtt "$3") l=$(loaded "$3")
	IDLE[$1]=${i% *} LOADED[$1]=${l% *}
	printf '%-56s idle median %7s p90 %7s ms   saturated median %7s p90 %7s ms\n' "$2" \
		"${i% *}" "${i#* }" "${l% *}" "${l#* }"
	result latency rtt-idle-median-ms "$1" "${i% *}" ms
	result latency rtt-idle-p90-ms "$1" "${i#* }" ms
	result latency rtt-saturated-median-ms "$1" "${l% *}" ms
	result latency rtt-saturated-p90-ms "$1" "${l#* }" ms
}

row veth veth $VB
for impl in "${IMPL_LIST[@]}"; do
	if tunnel_up "${IMPL_BIN[$impl]}"; then
		row "$impl" "${IMPL_LABEL[$impl]}" 10.6.0.2
	else
		echo "${IMPL_LABEL[$impl]} did not come up"
	fi
	tunnel_down
done
print_ratios "RTT idle (lower wins)" IDLE
print_ratios "RTT saturated (lower wins)" LOADED

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# UDP through the tunnel: the highest rate iperf3 -u can offer with under
# 0.1% of the datagrams lost, for the plain veth (what the sender itself can
# do), wg-engine and each wireguard-go reference (tests/bench/refs), in one
# run. The search doubles from 250 Mbit/s until a rate fails, then halves
# the gap ITER times, each trial SECS long, so each row takes about
# (5 + ITER) * SECS seconds; the sender's
# own limit (the veth row) caps every row. Datagrams of 1392 bytes fill the 1420 MTU.
# SECS=2 ITER=4 by default; IMPLS="ours sid" to choose rows.
set -u
T=pfbu$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
. "$(dirname "$0")/lib/tunnel.sh"
need_netns
need iperf3 "$OUR_ENGINE" "$REF_WG"
SECS=${SECS:-2} ITER=${ITER:-4}
START=250 MAX=16000 LOSS=0.1
impls_load
tunnel_setup 83

# trial ADDR MBIT : "LOST% SENT RECEIVED" (Mbit/s) with MBIT Mbit/s asked of the
# sender; 4 MB socket buffers on both iperf3 ends, so that iperf3's own
# receive buffer is not what drops. A failed run is "100 0 0".
trial() {
	local json
	ip netns exec $NB iperf3 -s -1 -D -B "$1" >/dev/null 2>&1
	sleep 0.3
	json=$(ip netns exec $NA timeout $((SECS + 20)) iperf3 -u -c "$1" -t "$SECS" -l 1392 \
		-w 4M -b "${2}M" -J 2>/dev/null)
	echo "$json" | awk '/"sum_sent":/ { b = "s" } /"sum_received":/ { b = "r" }
		/"cpu_utilization_percent":/ { b = "" }
		b && /"bits_per_second"/ { gsub(/[^0-9.e+-]/, "", $2); bps[b] = $2 }
		b == "r" && /"lost_percent"/ { gsub(/[^0-9.e+-]/, "", $2); lost = $2 }
		END { if (lost == "" || bps["r"] == "") print "100 0 0";
			else printf "%s %.0f %.0f\n", lost, bps["s"] / 1e6, bps["r"] / 1e6 }'
}
# pass ADDR MBIT : under LOSS% lost, and the sender really offered 95% of MBIT
# (past that the sender, not the tunnel, is the limit). Keeps the trial in
# LAST_RECV when it passes.
pass() {
	local t
	t=$(trial "$1" "$2")
	awk -v t="$t" -v m=$LOSS -v want="$2" \
		'BEGIN { split(t, a, " "); exit !(a[1] < m && a[2] >= 0.95 * want) }' || return 1
	LAST_RECV=${t##* }
}
# search ADDR : the highest passing rate in Mbit/s (0 when even START fails)
# and, after a space, what the receiver got at that rate.
search() {
	local good=0 bad=$START mid i recv=0
	while pass "$1" "$bad"; do
		good=$bad bad=$((bad * 2)) recv=$LAST_RECV
		[ $bad -le $MAX ] || break
	done
	for ((i = 0; i < ITER && bad <= MAX; i++)); do
		mid=$(((good + bad) / 2))
		if pass "$1" "$mid"; then good=$mid recv=$LAST_RECV; else bad=$mid; fi
	done
	echo "$good $recv"
}
row() { # row NAME LABEL ADDR
	local out
	out=$(search "$3")
	UDP[$1]=${out% *}
	printf '%-56s %6s Mbit/s offered with under %s%% lost (%s Mbit/s received)\n' "$2" \
		"${out% *}" $LOSS "${out#* }"
	result udp offered-mbit-under-0.1pct-loss "$1" "${out% *}" Mbit/s
}

declare -A UDP
row veth "veth (the sender's own limit)" $VB
for impl in "${IMPL_LIST[@]}"; do
	if tunnel_up "${IMPL_BIN[$impl]}"; then
		row "$impl" "${IMPL_LABEL[$impl]}" 10.6.0.2
	else
		echo "${IMPL_LABEL[$impl]} did not come up"
	fi
	tunnel_down
done
print_ratios "UDP Mbit/s under 0.1% loss" UDP

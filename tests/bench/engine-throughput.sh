#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# TCP throughput (iperf3) between two namespaces joined by a veth: the plain
# veth, then wg-engine on both ends and each wireguard-go reference on both
# ends (tests/bench/refs), in one run, one stream and four, both directions;
# prints each figure, the CPU time the tunnel processes spent per GB (robust
# when other work shares the machine), the ratios ours/reference and the
# crypto ceiling measured on the spot.
# SECS=5 by default; IMPLS="ours sid" to choose rows.
set -u
T=pfbt$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
. "$(dirname "$0")/lib/tunnel.sh"
need_netns
need iperf3 "$OUR_ENGINE" "$REF_WG"
SECS=${SECS:-5}
AEAD=$WG_BUILD/tests/bench/engine-io-aead
impls_load
tunnel_setup 80

# gbit ADDR ARGS... : iperf3 from A to a server in B: "Gbit/s CPU-seconds-per-GB"
gbit() {
	local addr=$1 json c0 c1
	shift
	ip netns exec $NB iperf3 -s -1 -D -B "$addr" >/dev/null 2>&1
	sleep 0.3
	c0=$(engine_ticks)
	json=$(ip netns exec $NA timeout $((SECS + 20)) iperf3 -c "$addr" -t "$SECS" -J "$@" 2>/dev/null)
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
	[ -z "${out% *}" ] || result throughput "tcp-gbit-$2" "$1" "${out% *}" Gbit/s
	[ "$1" == veth ] || [ "${out#* }" == n/a ] || result throughput "cpu-s-per-gb-$2" "$1" "${out#* }" s/GB
}
run_set() { # run_set NAME ADDR
	run_one "$1" 1f "$2" -P 1
	run_one "$1" 1r "$2" -P 1 -R
	run_one "$1" 4f "$2" -P 4
	run_one "$1" 4r "$2" -P 4 -R
	printf '%-56s 1 stream A->B %6s  B->A %6s   4 streams A->B %6s  B->A %6s Gbit/s\n' \
		"${IMPL_LABEL[$1]:-$1}" "${R[$1,1f]}" "${R[$1,1r]}" "${R[$1,4f]}" "${R[$1,4r]}"
	[ "$1" == veth ] ||
		printf '%-56s CPU-s per GB   %6s        %6s                  %6s        %6s\n' "" \
			"${C[$1,1f]}" "${C[$1,1r]}" "${C[$1,4f]}" "${C[$1,4r]}"
}

if [ -x "$AEAD" ]; then
	"$AEAD" 1420 1 2 | tee /tmp/$T.d/aead
	CEIL=$(sed -n 's/^seam_ceiling_gbit=//p' /tmp/$T.d/aead)
else
	echo "no $AEAD (make benches): ceiling unknown"
	CEIL=
fi
run_set veth $VB
for impl in "${IMPL_LIST[@]}"; do
	tunnel_up "${IMPL_BIN[$impl]}" && run_set "$impl" 10.6.0.2 ||
		echo "${IMPL_LABEL[$impl]} did not come up"
	tunnel_down
done
for k in 1f 1r 4f 4r; do
	declare -A tput=() cpu=()
	for impl in "${IMPL_LIST[@]}"; do
		tput[$impl]=${R[$impl,$k]:-} cpu[$impl]=${C[$impl,$k]:-}
	done
	print_ratios "TCP Gbit/s $k" tput
	print_ratios "CPU-s per GB $k (lower wins)" cpu
	[ -z "${CEIL:-}" ] || [ -z "${R[ours,$k]:-}" ] ||
		echo "ratio TCP Gbit/s $k                 wg-engine/AEAD ceiling = $(ratio "${R[ours,$k]}" "$CEIL")"
done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Control-plane speed of the engines themselves: `wg setconf` of N peers
# (two allowed IPs each) into a fresh wg-engine and into each fresh
# wireguard-go reference (tests/bench/refs), then `wg show IFACE dump` of
# them, with Debian's wg as the one client for every row. Prints the wall
# time the user waits and the CPU the engine spent (user+system), each at
# most LIMIT seconds (a row past that says "timeout").
# wireguard-go refuses more than 65,536 peers on one interface (MaxPeers,
# "too many peers"): for larger N a reference gets the same N peers as the
# fewest interfaces of at most 65,536 each (two of 50,000 for 100,000), one
# engine after the other, and its figures are the sums; ours always takes
# all N on one interface.
# Then the CPU the engine spends in IDLE seconds up with those peers and no
# traffic (its timers' upkeep).
# PEERS="60000 100000" (the sizes N) LIMIT=120 IDLE=10 by default; IMPLS="ours sid"
# to choose rows.
set -u
T=pfbc$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
. "$(dirname "$0")/lib/tunnel.sh"
. "$(dirname "$0")/lib/peers.sh"
need_netns
need perl "$OUR_ENGINE" "$REF_WG"
PEERS=${PEERS:-60000 100000} LIMIT=${LIMIT:-120} IDLE=${IDLE:-10}
impls_load
peers_setup

ticks() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null || echo 0; }
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }

# timed_dump NS IFACE LIMIT : wall seconds of `wg show IFACE dump`, "timeout"
# or "failed"; the number of peer lines it printed goes to W/lines.
timed_dump() {
	local t0 t1 rc
	t0=$(date +%s.%N)
	timeout "$3" ip netns exec "$1" $REF_WG show "$2" dump >$W/dump 2>/dev/null
	rc=$? t1=$(date +%s.%N)
	echo $(($(wc -l <$W/dump) - 1)) >$W/lines
	case $rc in
	0) awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' ;;
	124) echo timeout ;;
	*) echo failed ;;
	esac
}

# part IMPL CONF N : one engine of IMPL set with CONF and dumped, then up and
# idle for IDLE seconds; prints "set set-cpu dump dump-cpu lines idle-cpu"
# (seconds, or timeout/failed).
part() {
	local pid c0 c1 c2 c3 c4 set dump
	pid=$(engine_start $NS $IF "${IMPL_BIN[$1]}") || { echo "no-start no-start - - 0 -"; return; }
	c0=$(ticks $pid)
	set=$(timed_setconf $NS $IF "$2" "$LIMIT")
	c1=$(ticks $pid)
	dump=$(timed_dump $NS $IF "$LIMIT")
	c2=$(ticks $pid)
	ip -n $NS link set $IF up 2>/dev/null
	sleep 1
	c3=$(ticks $pid)
	sleep "$IDLE"
	c4=$(ticks $pid)
	engine_stop $NS $IF "$pid"
	echo "$set $(cpu_s "$c0" "$c1") $dump $(cpu_s "$c1" "$c2") $(cat $W/lines) $(cpu_s "$c3" "$c4")"
}

# sum A B : A + B, or A (or B) when it is not a number (timeout, failed)
sum() {
	case $1$2 in
	*[!0-9.]*) case $1 in *[!0-9.]*) echo "$1" ;; *) echo "$2" ;; esac ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }' ;;
	esac
}

declare -A SET SETCPU DUMP DUMPCPU IDLECPU
row() { # row IMPL N
	local k j s sc d dc l ic lines=0 set=0 setcpu=0 dump=0 dumpcpu=0 idlecpu=0
	k=$(ref_parts "$1" "$2")
	if [ $k -eq 1 ]; then
		read -r set setcpu dump dumpcpu lines idlecpu <<<"$(part "$1" $W/conf "$2")"
	else
		echo "${IMPL_LABEL[$1]} takes at most $REF_MAX_PEERS peers an interface:" \
			"$k interfaces of $(($2 / k)), one after the other; figures are their sums"
		split_conf $W/conf $k
		for j in $(seq $k); do
			read -r s sc d dc l ic <<<"$(part "$1" $W/conf.$j "$2")"
			set=$(sum $set "$s") setcpu=$(sum $setcpu "$sc") dump=$(sum $dump "$d")
			dumpcpu=$(sum $dumpcpu "$dc") idlecpu=$(sum $idlecpu "$ic") lines=$((lines + l))
		done
	fi
	[ "$set" == no-start ] && { echo "${IMPL_LABEL[$1]} did not start"; return; }
	SET[$1]=$set SETCPU[$1]=$setcpu DUMP[$1]=$dump DUMPCPU[$1]=$dumpcpu IDLECPU[$1]=$idlecpu
	# The CPU of a set that failed or ran out of time is not a figure to compare.
	case ${SET[$1]} in failed | timeout) SETCPU[$1]="n/a(${SET[$1]})" ;; esac
	[ "${DUMP[$1]}" == timeout ] || [ "$lines" -eq "$2" ] ||
		echo "warning: ${IMPL_LABEL[$1]} dumped $lines peers, not $2"
	printf '%-56s setconf %8s s wall %8s s engine CPU   dump %8s s wall %8s s engine CPU   idle %ss %6s s CPU\n' \
		"${IMPL_LABEL[$1]} $2 peers" "${SET[$1]}" "${SETCPU[$1]}" "${DUMP[$1]}" "${DUMPCPU[$1]}" \
		"$IDLE" "${IDLECPU[$1]}"
	result control "setconf-${2}-peers-wall-s" "$1" "${SET[$1]}" s
	result control "setconf-${2}-peers-engine-cpu-s" "$1" "${SETCPU[$1]}" s
	result control "dump-${2}-peers-wall-s" "$1" "${DUMP[$1]}" s
	result control "dump-${2}-peers-engine-cpu-s" "$1" "${DUMPCPU[$1]}" s
	result control "idle-${IDLE}s-${2}-peers-engine-cpu-s" "$1" "${IDLECPU[$1]}" s
}

for n in $PEERS; do
	peers_conf $W/conf "$n" 2
	SET=() SETCPU=() DUMP=() DUMPCPU=() IDLECPU=()
	for impl in "${IMPL_LIST[@]}"; do
		row "$impl" "$n"
	done
	print_ratios "setconf $n wall (lower wins)" SET
	print_ratios "setconf $n engine CPU (lower wins)" SETCPU
	print_ratios "dump $n wall (lower wins)" DUMP
	print_ratios "dump $n engine CPU (lower wins)" DUMPCPU
	print_ratios "idle $n engine CPU (lower wins)" IDLECPU
done

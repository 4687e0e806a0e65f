#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Resident memory (VmRSS) of wg-engine and each wireguard-go reference
# (tests/bench/refs), in one run: idle with a key and no peers; per peer at
# 10,000 and 100,000 peers with two allowed IPs each, set with `wg setconf`
# (each size in a fresh engine, less its idle RSS); 1,000,000 allowed IPs
# (10,000 peers of 100); and a tunnel before a TCP load, at its end and
# LINGER seconds after it ended (memory that load grew should go back). The
# tunnels linger side by side, so the whole takes about LINGER plus a load
# per row. RSS does not depend on how busy the machine is.
# A configuration that takes over SETCONF_LIMIT seconds to set is a row
# "n/a(timeout)". wireguard-go takes at most 65,536 peers an interface: its
# 100,000 go into two engines of 50,000 at once, and its figure is their
# RSS less two idle engines', per peer. LINGER=60 LOADSECS=5 SETCONF_LIMIT=120 by default; IMPLS="ours sid" to choose rows.
set -u
T=pfbm$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
. "$(dirname "$0")/lib/tunnel.sh"
. "$(dirname "$0")/lib/peers.sh"
need_netns
need iperf3 perl "$OUR_ENGINE" "$REF_WG"
LINGER=${LINGER:-60} LOADSECS=${LOADSECS:-5} SETCONF_LIMIT=${SETCONF_LIMIT:-120}
impls_load
peers_setup
(umask 077 && $REF_WG genkey >$W/key)
peers_conf $W/p10k 10000 2
peers_conf $W/p100k 100000 2
peers_conf $W/a1m 10000 100

# rss_with IMPL [CONF] : RSS in KiB of a fresh engine, up, with a key or CONF
# (set in at most SETCONF_LIMIT seconds); "n/a(timeout)" or "n/a(failed)" when
# the configuration did not go in.
rss_with() {
	local pid rss st=ok
	pid=$(engine_start $NS $IF "${IMPL_BIN[$1]}") || { echo "n/a(no-start)"; return; }
	if [ -n "${2:-}" ]; then
		st=$(timed_setconf $NS $IF "$2" "$SETCONF_LIMIT")
	else
		ip netns exec $NS $REF_WG set $IF private-key $W/key listen-port 51830
	fi
	ip -n $NS link set $IF up 2>/dev/null
	sleep 2
	rss=$(rss_kib "$pid")
	engine_stop $NS $IF "$pid"
	case $st in timeout | failed) echo "n/a($st)" ;; *) echo "$rss" ;; esac
}
# rss_parts IMPL CONF N : as rss_with, but for a reference that refuses N
# peers on one interface, the sum over ref_parts engines with a part of CONF
# each, all running at once (interfaces IF1, IF2, ...).
rss_parts() {
	local k j pid st rss=0 pids=() bad=
	k=$(ref_parts "$1" "$3")
	[ "$k" -eq 1 ] && { rss_with "$1" "$2"; return; }
	split_conf "$2" "$k"
	for j in $(seq "$k"); do
		pid=$(engine_start $NS $IF$j "${IMPL_BIN[$1]}") || { bad=no-start; break; }
		pids+=("$pid")
		st=$(timed_setconf $NS $IF$j "$2.$j" "$SETCONF_LIMIT")
		case $st in timeout | failed) bad=$st ;; esac
		ip -n $NS link set $IF$j up 2>/dev/null
	done
	sleep 2
	for j in "${!pids[@]}"; do
		rss=$((rss + $(rss_kib "${pids[$j]}")))
		engine_stop $NS $IF$((j + 1)) "${pids[$j]}"
	done
	if [ -n "$bad" ]; then echo "n/a($bad)"; else echo "$rss"; fi
}
# per_peer RSS IDLE N [K] : bytes per peer of RSS less K (1) idle engines, or RSS itself when it is n/a
per_peer() {
	case $1 in n/a*) echo "$1" ;; *) awk -v r="$1" -v i="$2" -v n="$3" -v k="${4:-1}" \
		'BEGIN { printf "%.0f", (r - k * i) * 1024 / n }' ;; esac
}
mib() { case $1 in n/a*) echo "$1" ;; *) awk -v r="$1" 'BEGIN { printf "%.1f", r / 1024 }' ;; esac; }

declare -A IDLE P10K P100K A1M BEFORE LOADED AFTER
static_rows() {
	local impl i a b c
	for impl in "${IMPL_LIST[@]}"; do
		i=$(rss_with "$impl") a=$(rss_with "$impl" $W/p10k) b=$(rss_parts "$impl" $W/p100k 100000)
		c=$(rss_with "$impl" $W/a1m)
		IDLE[$impl]=$(mib "$i") P10K[$impl]=$(per_peer "$a" "$i" 10000)
		P100K[$impl]=$(per_peer "$b" "$i" 100000 "$(ref_parts "$impl" 100000)") A1M[$impl]=$(mib "$c")
		printf '%-56s idle %6s MiB  per peer %6s B (10k) %6s B (100k)  1M allowed IPs %6s MiB\n' \
			"${IMPL_LABEL[$impl]}" "${IDLE[$impl]}" "${P10K[$impl]}" "${P100K[$impl]}" "${A1M[$impl]}"
		result memory idle-rss-mib "$impl" "${IDLE[$impl]}" MiB
		result memory rss-per-peer-10k-2ips-bytes "$impl" "${P10K[$impl]}" B
		result memory rss-per-peer-100k-2ips-bytes "$impl" "${P100K[$impl]}" B
		result memory rss-1m-allowed-ips-mib "$impl" "${A1M[$impl]}" MiB
	done
}

# linger IMPL N : a tunnel in its own namespaces (prefix ${T}N); takes the
# load lock for RSS before, a TCP load, RSS at its end; then LINGER seconds
# later RSS again. Writes "before loaded after" (KiB, both ends) to W/linger.N.
linger() {
	local before loaded after
	(
		flock 9
		before=$(both_rss)
		ip netns exec $NB iperf3 -s -1 -D -B 10.6.0.2 >/dev/null 2>&1
		sleep 0.3
		ip netns exec $NA timeout $((LOADSECS + 20)) iperf3 -c 10.6.0.2 -t "$LOADSECS" -P 4 \
			>/dev/null 2>&1
		loaded=$(both_rss)
		echo "$before $loaded" >$W/linger.$2
	) 9>$W/load.lock
	sleep "$LINGER"
	after=$(both_rss)
	echo "$(cat $W/linger.$2) $after" >$W/linger.$2
}
both_rss() {
	local t=0 p
	for p in $(engine_pids $NA) $(engine_pids $NB); do t=$((t + $(rss_kib $p))); done
	echo $t
}
linger_rows() {
	local impl n=0 base=$T
	for impl in "${IMPL_LIST[@]}"; do
		n=$((n + 1))
		T=${base}$n
		tunnel_setup $((90 + n)) || continue
		tunnel_up "${IMPL_BIN[$impl]}" || { echo "${IMPL_LABEL[$impl]} did not come up"; continue; }
		linger "$impl" $n &
		sleep 0.5
	done
	T=$base
	wait
	n=0
	for impl in "${IMPL_LIST[@]}"; do
		n=$((n + 1))
		[ -s $W/linger.$n ] || continue
		read -r b l a <$W/linger.$n
		BEFORE[$impl]=$(awk -v r="$b" 'BEGIN { printf "%.1f", r / 1024 }')
		LOADED[$impl]=$(awk -v r="$l" 'BEGIN { printf "%.1f", r / 1024 }')
		AFTER[$impl]=$(awk -v r="$a" 'BEGIN { printf "%.1f", r / 1024 }')
		printf '%-56s tunnel, both ends: before load %6s MiB  at its end %6s MiB  %ss later %6s MiB\n' \
			"${IMPL_LABEL[$impl]}" "${BEFORE[$impl]}" "${LOADED[$impl]}" "$LINGER" "${AFTER[$impl]}"
		result memory tunnel-rss-before-load-mib "$impl" "${BEFORE[$impl]}" MiB
		result memory tunnel-rss-end-of-load-mib "$impl" "${LOADED[$impl]}" MiB
		result memory tunnel-rss-after-idle-mib "$impl" "${AFTER[$impl]}" MiB
	done
}

static_rows
linger_rows
print_ratios "idle RSS (lower wins)" IDLE
print_ratios "RSS per peer, 10k (lower wins)" P10K
print_ratios "RSS per peer, 100k (lower wins)" P100K
print_ratios "RSS, 1M allowed IPs (lower wins)" A1M
print_ratios "tunnel RSS after idle (lower wins)" AFTER

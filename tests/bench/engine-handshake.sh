#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Handshake responses per second, and per core of responder CPU time, for
# wg-engine and each wireguard-go reference (tests/bench/refs) in the same run: 1000 initiator identities (the
# engine-io-handshake generator) keep WINDOW initiations in flight against a
# responder that knows them all, so it stays below its under-load threshold.
# PEERS=1000 SECS=3 WINDOW=64 by default; IMPLS="ours sid" to choose rows.
set -u
T=pfbh$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
need_netns
GEN=$WG_BUILD/tests/bench/engine-io-handshake
need "$OUR_ENGINE" "$REF_WG" "$GEN"
impls_load
PEERS=${PEERS:-1000} SECS=${SECS:-3} WINDOW=${WINDOW:-64}
NA=${T}a NB=${T}b IB=${T}x
SOCK=/var/run/wireguard

ns_add $NA && ns_add $NB
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA addr add 192.168.82.1/24 dev ${T}va
ip -n $NB addr add 192.168.82.2/24 dev ${T}vb
mkdir -m 0700 /tmp/$T.d
at_exit "rm -rf /tmp/$T.d"
(
	umask 077
	$REF_WG genkey >/tmp/$T.d/resp
	echo "[Interface]" >/tmp/$T.d/conf
	echo "PrivateKey = $(cat /tmp/$T.d/resp)" >>/tmp/$T.d/conf
	echo "ListenPort = 51820" >>/tmp/$T.d/conf
	for ((i = 0; i < PEERS; i++)); do
		k=$($REF_WG genkey)
		echo "$k" >>/tmp/$T.d/keys
		printf '[Peer]\nPublicKey = %s\n' "$(echo "$k" | $REF_WG pubkey)" >>/tmp/$T.d/conf
	done
)
PUB=$($REF_WG pubkey </tmp/$T.d/resp)

cpu_ticks() { # total user+system ticks of every process in namespace $NB
	local t=0 p
	for p in $(ip netns pids $NB); do
		t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo $t
}
measure() { # measure IMPL
	ip netns exec $NB "${IMPL_BIN[$1]}" $IB >/dev/null 2>&1 || return 1
	at_exit "rm -f $SOCK/$IB.sock"
	for _ in $(seq 50); do [ -S $SOCK/$IB.sock ] && break; sleep 0.1; done
	ip netns exec $NB $REF_WG setconf $IB /tmp/$T.d/conf || return 1
	ip -n $NB link set $IB up
	local c0 c1 out hz
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks)
	out=$(ip netns exec $NA timeout $((SECS + 60)) "$GEN" "$PUB" 192.168.82.2 51820 /tmp/$T.d/keys "$SECS" "$WINDOW")
	c1=$(cpu_ticks)
	ip -n $NB link del $IB
	sleep 0.5
	local rate=${out##*rate=}
	local per_core
	per_core=$(awk -v r="${out#*responses=}" -v t=$((c1 - c0)) -v hz="$hz" -v s="${out#*seconds=}" \
		'BEGIN { split(r, a, " "); split(s, b, " "); if (t > 0) printf "%.0f", a[1] / (t / hz); else print "n/a" }')
	printf '%-56s %s  cpu=%.2fs  per_core=%s/s\n' "${IMPL_LABEL[$1]}" "$out" \
		"$(echo "$((c1 - c0)) $hz" | awk '{print $1 / $2}')" "$per_core"
	RATE[$1]=${rate%% *} PERCORE[$1]=$per_core
	result handshake responses-per-s "$1" "${RATE[$1]}" /s
	[ "$per_core" == n/a ] || result handshake responses-per-core-s "$1" "$per_core" /s
}
declare -A RATE PERCORE
for impl in "${IMPL_LIST[@]}"; do
	measure "$impl" || echo "${IMPL_LABEL[$impl]} failed"
done
print_ratios "responses/s" RATE
print_ratios "responses per core-second" PERCORE

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Handshake responses per second, and per core of responder CPU time, for
# wg-engine and each wireguard-go reference (tests/bench/refs) in the same run: 1000 initiator identities (the
# engine-io-handshake generator) keep WINDOW initiations in flight against a
# responder that knows them all, so it stays below its under-load threshold.
# Then the cookie path: the same responder flooded with FLOOD_RATE initiations
# a second without mac2, more than it can answer with handshakes, goes under
# load and answers with cookie replies; their rate per core beside the full
# handshake's, and the ratio cookie/full for each engine.
# PEERS=1000 SECS=3 WINDOW=64 FLOOD_RATE=100000 by default (FLOOD_RATE=0: no
# flood); IMPLS="ours sid" to choose rows.
set -u
T=pfbh$$
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/lib/impls.sh"
need_netns
GEN=$WG_BUILD/tests/bench/engine-io-handshake
need "$OUR_ENGINE" "$REF_WG" "$GEN"
impls_load
PEERS=${PEERS:-1000} SECS=${SECS:-3} WINDOW=${WINDOW:-64} FLOOD_RATE=${FLOOD_RATE:-100000}
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
# field NAME OUTPUT : the value of NAME=VALUE in the generator's output line
field() {
	local v=${2#*"$1"=}
	echo "${v%% *}"
}
# per_core COUNT TICKS : COUNT per second of responder CPU time
per_core() {
	awk -v n="$1" -v t="$2" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { if (t > 0) printf "%.0f", n / (t / hz); else print "n/a" }'
}
# generate ARGS... : runs the generator (ARGS after SECONDS) against the responder; sets OUT and TICKS
generate() {
	local c0 c1
	c0=$(cpu_ticks)
	OUT=$(ip netns exec $NA timeout $((SECS + 60)) "$GEN" "$PUB" 192.168.82.2 51820 /tmp/$T.d/keys "$SECS" "$@")
	c1=$(cpu_ticks)
	TICKS=$((c1 - c0))
}
cpu_s() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }
# flood IMPL : the cookie path of the responder that is running
flood() {
	local n
	generate flood "$FLOOD_RATE"
	n=$(field cookies "$OUT")
	COOKIE[$1]=$(per_core "$n" "$TICKS")
	printf '%-56s flood %s  cpu=%ss  cookies_per_core=%s/s  cookie/full=%s\n' "${IMPL_LABEL[$1]}" \
		"$OUT" "$(cpu_s $TICKS)" "${COOKIE[$1]}" "$(ratio "${COOKIE[$1]}" "${PERCORE[$1]}")"
	result handshake cookie-replies-per-core-s "$1" "${COOKIE[$1]}" /s
}
measure() { # measure IMPL
	ip netns exec $NB "${IMPL_BIN[$1]}" $IB >/dev/null 2>&1 || return 1
	at_exit "rm -f $SOCK/$IB.sock"
	for _ in $(seq 50); do [ -S $SOCK/$IB.sock ] && break; sleep 0.1; done
	ip netns exec $NB $REF_WG setconf $IB /tmp/$T.d/conf || return 1
	ip -n $NB link set $IB up
	generate "$WINDOW"
	RATE[$1]=$(field rate "$OUT")
	PERCORE[$1]=$(per_core "$(field responses "$OUT")" "$TICKS")
	printf '%-56s %s  cpu=%ss  per_core=%s/s\n' "${IMPL_LABEL[$1]}" "$OUT" "$(cpu_s $TICKS)" \
		"${PERCORE[$1]}"
	result handshake responses-per-s "$1" "${RATE[$1]}" /s
	[ "${PERCORE[$1]}" == n/a ] || result handshake responses-per-core-s "$1" "${PERCORE[$1]}" /s
	[ "$FLOOD_RATE" == 0 ] || flood "$1"
	ip -n $NB link del $IB
	sleep 0.5
}
declare -A RATE PERCORE COOKIE
for impl in "${IMPL_LIST[@]}"; do
	measure "$impl" || echo "${IMPL_LABEL[$impl]} failed"
done
print_ratios "responses/s" RATE
print_ratios "responses per core-second" PERCORE
[ "$FLOOD_RATE" == 0 ] || print_ratios "cookie replies per core-second" COOKIE

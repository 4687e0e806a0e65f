#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The engine's soak for `make check-long`: two of our engines, built with
# LeakSanitizer (WG_SOAK_ENGINE, build/lsan/wg-engine), in two namespaces over
# a veth, carry sha256-checked TCP transfers in both directions at once for
# WG_SOAK_SECONDS (600). Their protocol clocks run six times as fast
# (WG_ENGINE_TEST_CLOCK_SCALE=6), so REKEY_AFTER_TIME forces a rekey every
# 20 s; meanwhile each side adds and removes 20 throwaway peers every 5 s and A
# removes and re-adds its real peer every 60 s. Checked: every transfer, the
# rekeys, no leak when the engines exit (LSan), and each engine's RSS after
# the warm-up (WG_SOAK_WARMUP, 120 s) staying within WG_SOAK_RSS_KB (4096 kB)
# of where it was at the warm-up's end.
T=essk$$
. "$(dirname "$0")/../lib/netns.sh"
[ -n "${WG_SOAK_ENGINE:-}" ] || skip_all "run it through make check-long (WG_SOAK_ENGINE: an LSan build)"
need_netns
need "$WG_SOAK_ENGINE" "$REF_WG" socat
SECS=${WG_SOAK_SECONDS:-600}
WARM=${WG_SOAK_WARMUP:-120}
RSS_KB=${WG_SOAK_RSS_KB:-4096}
SCALE=6
NA=${T}a NB=${T}b IA=${T}x IB=${T}y
W=/tmp/$T.d
mkdir -m 0700 "$W"
at_exit "rm -rf $W; rm -f /tmp/$T.*"

start() { # start NS IFACE : our LSan engine in the foreground of a background job
	ip netns exec "$1" env WG_ENGINE_TEST_CLOCK_SCALE=$SCALE LOG_LEVEL=error \
		LSAN_OPTIONS=exitcode=23 "$WG_SOAK_ENGINE" -f "$2" 2>"$W/$2.log" &
}
real_peer() { # real_peer : A's peer B, as configured at the start
	ip netns exec $NA "$OUR_WG" set $IA peer "$PB" allowed-ips 10.66.0.2/32 \
		endpoint 192.168.66.2:51821
}
throwaway() { # throwaway NS IFACE N : add N peers (every other one with a PSK), later remove them
	local i add=() del=()
	for ((i = 1; i <= $3; i++)); do
		add+=(peer "${KEYS[$i]}" allowed-ips "10.200.$i.0/24,fd20:$i::/64")
		((i % 2)) && add+=(preshared-key "$W/psk")
		del+=(peer "${KEYS[$i]}" remove)
	done
	ip netns exec "$1" "$OUR_WG" set "$2" "${add[@]}" || return 1
	sleep 5
	ip netns exec "$1" "$OUR_WG" set "$2" "${del[@]}"
}
churn() { # churn : peers come and go on both sides until the stop file appears
	local round=0
	while [ ! -e "$W/stop" ]; do
		throwaway $NA $IA 20 & throwaway $NB $IB 20
		wait $!
		round=$((round + 1))
		if ((round % 12 == 0)); then
			ip netns exec $NA "$OUR_WG" set $IA peer "$PB" remove && real_peer &&
				echo >>"$W/readds"
		fi
		echo >>"$W/churns"
	done
}
traffic() { # traffic FROM TO ADDR TAG : back-to-back transfers until the stop file appears
	while [ ! -e "$W/stop" ]; do
		if transfer "$1" "$2" "$3" "$4"; then echo >>"$W/$4.ok"; else echo >>"$W/$4.bad"; fi
	done
}
sample() { # sample : every 5 s, seconds since start, both RSS in kB, A's latest handshake
	local t0=$SECONDS
	while [ ! -e "$W/stop" ]; do
		echo "$((SECONDS - t0)) $(awk '/^VmRSS/ {print $2}' /proc/$pid_a/status)" \
			"$(awk '/^VmRSS/ {print $2}' /proc/$pid_b/status)" \
			"$(ip netns exec $NA "$OUR_WG" show $IA latest-handshakes | awk -v p="$PB" '$1 == p {print $2}')" \
			>>"$W/samples"
		sleep 5
	done
}
lines() { [ -e "$1" ] && wc -l <"$1" || echo 0; }

(umask 077 && $REF_WG genkey >$W/ka && $REF_WG genkey >$W/kb && $REF_WG genpsk >$W/psk)
PA=$($REF_WG pubkey <$W/ka) PB=$($REF_WG pubkey <$W/kb)
KEYS=(none)
for i in $(seq 20); do KEYS+=("$($REF_WG genkey | $REF_WG pubkey)"); done
make_blob 20

ns_add $NA && ns_add $NB
ns_link $NA ${T}va $NB ${T}vb
ip -n $NA addr add 192.168.66.1/24 dev ${T}va
ip -n $NB addr add 192.168.66.2/24 dev ${T}vb
start $NA $IA
pid_a=$!
start $NB $IB
pid_b=$!
at_exit "kill $pid_a $pid_b; rm -f $SOCK/$IA.sock $SOCK/$IB.sock"
check "engine A starts" wait_sock $IA
check "engine B starts" wait_sock $IB
ip netns exec $NA "$OUR_WG" set $IA private-key $W/ka listen-port 51820
real_peer
ip netns exec $NB "$OUR_WG" set $IB private-key $W/kb listen-port 51821 \
	peer "$PA" allowed-ips 10.66.0.1/32 endpoint 192.168.66.1:51820
for x in "$NA $IA 1" "$NB $IB 2"; do
	set -- $x
	ip -n $1 addr add 10.66.0.$3/24 dev $2
	ip -n $1 link set $2 mtu 1420 up
done
check "A reaches B through the tunnel" png $NA 10.66.0.2

echo "# soaking for $SECS s (protocol clock x$SCALE)"
traffic $NA $NB 10.66.0.2 ab &
traffic $NB $NA 10.66.0.1 ba &
churn &
sample &
sleep "$SECS"
touch "$W/stop"
wait $(jobs -p | grep -v -e "^$pid_a\$" -e "^$pid_b\$")

ab_ok=$(lines "$W/ab.ok") ab_bad=$(lines "$W/ab.bad")
ba_ok=$(lines "$W/ba.ok") ba_bad=$(lines "$W/ba.bad")
ok $((!(ab_ok > 0 && ab_bad == 0))) "A->B: $ab_ok transfers of 20 MB, $ab_bad failed or corrupted"
ok $((!(ba_ok > 0 && ba_bad == 0))) "B->A: $ba_ok transfers of 20 MB, $ba_bad failed or corrupted"
churns=$(lines "$W/churns") readds=$(lines "$W/readds")
ok $((!(churns >= SECS / 6 && readds >= SECS / 70))) \
	"peers churned: $churns rounds of 20 added and removed on each side, the real peer re-added $readds times"
# A's view of the latest handshake: every new value is one handshake (the
# initiator rekeys at REKEY_AFTER_TIME, 120 s of the engines' clock = 20 s).
rekeys=$(awk '$4 > 0 {print $4}' "$W/samples" | uniq | wc -l)
ok $((!(rekeys >= SECS / 20 * 3 / 4))) "handshakes seen: $rekeys in $SECS s (one per 20 s expected)"
for side in "A 2" "B 3"; do
	set -- $side
	read -r base peak <<<"$(awk -v w="$WARM" -v c="$2" '$1 >= w && $c > 0 {
		if (!n++) base = $c; if ($c > peak) peak = $c } END { print base + 0, peak + 0 }' "$W/samples")"
	first=$(awk -v c="$2" '$c > 0 {print $c; exit}' "$W/samples")
	ok $((!(base > 0 && peak - base <= RSS_KB))) \
		"engine $1 RSS flat after warm-up: ${first:-?} kB at start, $base kB at ${WARM} s, peak $peak kB (bound +$RSS_KB kB)"
done

kill -TERM $pid_a $pid_b
wait $pid_a
rc_a=$?
wait $pid_b
rc_b=$?
is "$rc_a:$rc_b" "0:0" "both engines exit 0 on SIGTERM (LSan exits 23 on a leak)"
for i in $IA $IB; do
	if grep -q "LeakSanitizer" "$W/$i.log"; then
		ok 1 "no leak in $i"
		grep -A12 "LeakSanitizer" "$W/$i.log" | sed 's/^/#   /' | head -40
	else
		ok 0 "no leak in $i"
	fi
done
done_testing

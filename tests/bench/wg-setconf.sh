#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Control-plane speed: `wg setconf` of 10,000 peers (each with an allowed IP,
# every fourth with an endpoint, every tenth with a preshared key) into a
# wireguard-go device, `wg show IFACE dump` of the result, and `wg syncconf`
# of the same file (a read, the diff, a set), ours and Debian's wg alternating
# in the same run. Prints medians and ours/ref ratios.
# PEERS=N and REPS=N change the size and the number of repetitions.
set -u
if [ -z "${WGT_UNSHARED:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
	mkdir -p /run/wireguard
	WGT_UNSHARED=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
WG_BUILD=${WG_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
OURS=$WG_BUILD/wg REF=/usr/bin/wg GO=/usr/bin/wireguard-go
PEERS=${PEERS:-10000} REPS=${REPS:-7}
for f in "$OURS" "$REF" "$GO"; do [ -x "$f" ] || { echo "skip: missing $f"; exit 0; }; done

NS=wgtb$$ IF=wgtb$$ W=$(mktemp -d /tmp/wgt-bench-XXXXXX)
cleanup() {
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
mount -t tmpfs -o mode=0755 wgtbench /run/wireguard || exit 1
ip netns add "$NS" || exit 1
ip netns exec "$NS" env WG_PROCESS_FOREGROUND=1 "$GO" "$IF" >"$W/go.log" 2>&1 &
for ((i = 0; i < 100; i++)); do [ -S "/run/wireguard/$IF.sock" ] && break; sleep 0.05; done

umask 077
perl -MMIME::Base64 -e '
	sub key { my $k = ""; $k .= chr(int(rand(256))) for 1..32; encode_base64($k, "") }
	srand(42);
	print "[Interface]\nPrivateKey = ", key(), "\nListenPort = 51820\n";
	for my $i (0 .. $ARGV[0] - 1) {
		print "\n[Peer]\nPublicKey = ", key(), "\n";
		print "PresharedKey = ", key(), "\n" if $i % 10 == 0;
		printf "AllowedIPs = 10.%d.%d.%d/32\n", $i >> 16, ($i >> 8) & 255, $i & 255;
		printf "Endpoint = 192.0.2.%d:%d\n", $i % 250 + 1, 1024 + $i if $i % 4 == 0;
	}' "$PEERS" >"$W/peers.conf"

# run WHAT WHO CMD... : appends "wall user+sys" seconds of one run to W/WHAT.WHO
run() {
	local what=$1 who=$2 TIMEFORMAT='%R %U %S'
	shift 2
	{ time "$@" >/dev/null 2>"$W/err" || cat "$W/err" >&2; } 2>&1 |
		awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' >>"$W/$what.$who"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

"$REF" setconf "$IF" "$W/peers.conf" # warm-up: the device holds PEERS peers from now on
for ((r = 0; r < REPS; r++)); do
	# Alternate who goes first, so neither always meets a freshly loaded device.
	if ((r % 2)); then order="ours ref"; else order="ref ours"; fi
	for who in $order; do
		bin=$OURS
		[ "$who" == ref ] && bin=$REF
		run setconf "$who" "$bin" setconf "$IF" "$W/peers.conf"
		run dump "$who" "$bin" show "$IF" dump
		run syncconf "$who" "$bin" syncconf "$IF" "$W/peers.conf"
	done
done
[ "$("$OURS" show "$IF" peers | wc -l)" -eq "$PEERS" ] || echo "warning: the device does not hold $PEERS peers"
cmp -s <("$OURS" show "$IF" dump | sort) <("$REF" show "$IF" dump | sort) ||
	echo "warning: the two dumps differ"

# Instructions of the wg process alone (callgrind), a figure that other
# engineers' load on the shared cores cannot blur. INSTR=0 skips it.
instr() { # instr CMD... : instructions executed by one run
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
if [ "${INSTR:-1}" != 0 ] && command -v valgrind >/dev/null; then
	for who in ours ref; do
		bin=$OURS
		[ "$who" == ref ] && bin=$REF
		instr "$bin" setconf "$IF" "$W/peers.conf" >"$W/isetconf.$who"
		instr "$bin" show "$IF" dump >"$W/idump.$who"
	done
fi

ratio() { awk -v o="$1" -v r="$2" 'BEGIN { if (r) printf "%.2f", o / r; else print "n/a" }'; }
echo "wg $PEERS peers, median of $REPS runs (wall: what the user waits, wireguard-go included;"
echo "cpu: user+sys of the wg process itself, the part wg's own code decides)"
for what in setconf dump syncconf; do
	for col in 1 2; do
		o=$(cut -d' ' -f$col "$W/$what.ours" | median)
		r=$(cut -d' ' -f$col "$W/$what.ref" | median)
		printf '%-8s %-5s ours %6d ms  ref %6d ms  ours/ref %s\n' "$what" \
			"$([ $col = 1 ] && echo wall || echo cpu)" "$o" "$r" "$(ratio "$o" "$r")"
	done
	[ -s "$W/i$what.ours" ] || continue
	o=$(cat "$W/i$what.ours") r=$(cat "$W/i$what.ref")
	printf '%-8s %-5s ours %6d M   ref %6d M   ours/ref %s\n' "$what" instr $((o / 1000000)) \
		$((r / 1000000)) "$(ratio "$o" "$r")"
done

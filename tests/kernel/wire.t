#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Wire interop: our wg-engine in a host namespace and the kernel's WireGuard in
# the guest, joined by a tap. Each side initiates (the kernel over outer IPv4,
# the engine over outer IPv6), pings and 20 MB transfers (sha256 compared) run
# over inner IPv4 and IPv6 both ways, and each side's private key is replaced
# with `wg set` while the other learns the new public key. Debian's wg
# configures both ends, so only the engine is ours. KVMWG_ENGINE=/usr/bin/wireguard-go
# runs the same checks against the reference engine.
T=kvmwire
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/kernel/vm.sh"

umask 077
vm_need
need_netns
ENGINE=${KVMWG_ENGINE:-$OUR_ENGINE}
command -v socat >/dev/null || { echo "Bail out! socat is missing (make deps)"; exit 1; }
if [ ! -x "$ENGINE" ]; then
	ok 1 "wg-engine is built ($ENGINE)"
	done_testing
fi
vm_prepare
vm_net_setup

IF=kvmwg$$
HPORT=51820
GPORT=51821
MB=20
dir=$(mktemp -d /tmp/kvmwire.XXXXXX)
at_exit "rm -rf '$dir'"
for k in kh kh2 kg kg2; do
	$REF_WG genkey >"$dir/$k"
	eval "${k}_pub=\$($REF_WG pubkey <\"\$dir/\$k\")"
done
in_ns() { ip netns exec "$VM_NS" "$@"; }
hwg() { in_ns "$REF_WG" "$@"; }

# The engine, in the foreground so that its pid is ours to stop.
in_ns env WG_PROCESS_FOREGROUND=1 "$ENGINE" -f "$IF" >"$dir/engine.log" 2>&1 &
epid=$!
at_exit "kill $epid; wait $epid; rm -f /var/run/wireguard/$IF.sock"
for _ in $(seq 50); do [ -S /var/run/wireguard/$IF.sock ] && break; sleep 0.1; done
check "the engine starts and serves /var/run/wireguard/$IF.sock" test -S /var/run/wireguard/$IF.sock ||
	sed 's/^/#   engine| /' "$dir/engine.log"
check "Debian's wg configures the engine" hwg set "$IF" private-key "$dir/kh" listen-port $HPORT \
	peer "$kg_pub" allowed-ips 10.98.0.2/32,fd98::2/128
ip -n "$VM_NS" addr add 10.98.0.1/24 dev "$IF"
ip -n "$VM_NS" addr add fd98::1/64 dev "$IF" nodad
ip -n "$VM_NS" link set "$IF" up
# Without wg-quick nobody sets the MTU: the engine must start at wireguard-go's
# 1420, or full-size packets outgrow the 1500-byte path once wrapped.
is "$(ip -n "$VM_NS" -o link show "$IF" | grep -o 'mtu [0-9]*')" "mtu 1420" \
	"the engine's interface starts with MTU 1420, as wireguard-go's does"

listen() { # listen PORT BIND FILE : a background receiver; its pid in lpid
	local fam=4
	[[ $2 == *:* ]] && fam=6
	in_ns timeout 400 socat -T 15 -u "TCP$fam-LISTEN:$1,bind=$2,reuseaddr" "OPEN:$3,creat,trunc" &
	lpid=$!
	for _ in $(seq 50); do
		in_ns ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
}
send() { # send FILE HOST PORT
	local t0 rc
	t0=$(date +%s.%N)
	in_ns timeout 30 socat -T 10 -u "FILE:$1" "TCP:$2:$3" 2>&1 | sed "s/^/#   /"
	rc=${PIPESTATUS[0]}
	echo "# sent $MB MB to $2 in $(vm_since "$t0") s"
	return $rc
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }
received() { # received PID FILE WANT_SHA DESCRIPTION : the sender is done; give the receiver 15 s
	local i
	for ((i = 0; i < 150; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill "$1" 2>/dev/null
	wait "$1"
	echo "# received $(wc -c <"$2") bytes"
	is "$(sha "$2")" "$3" "$4"
	rm -f "$2"
}
handshake() { hwg show "$IF" latest-handshakes | awk -v k="$1" '$1 == k { print $2 }'; }

VM_ENV="KH_PUB=$kh_pub
KH2_PUB=$kh2_pub
KG_PRIV=$(cat "$dir/kg")
KG2_PRIV=$(cat "$dir/kg2")
HPORT=$HPORT
GPORT=$GPORT
MB=$MB
H4=$VM_HOST4
H6=$VM_HOST6"

listen 5001 10.98.0.1 "$dir/r1"
l1=$lpid
vm_start "$(dirname "$0")/guest/wire.sh"

# A: the kernel initiates over outer IPv4; 20 MB each way.
if vm_sync_wait A 150; then
	hs=$(handshake "$kg_pub")
	ok $((${hs:-0} == 0)) "A: the engine shows a handshake with the kernel in wg show"
	is "$(hwg show "$IF" endpoints | cut -f2)" "$VM_GUEST4:$GPORT" \
		"A: the engine learned the kernel's outer IPv4 endpoint (the kernel initiated)"
	received $l1 "$dir/r1" "$(vm_sync_read A)" "A: $MB MB kernel -> engine over inner IPv4 arrive intact"
	dd if=/dev/urandom of="$dir/s2" bs=1M count=$MB status=none
	send "$dir/s2" "[fd98::2]" 5002
	ok $? "A: $MB MB engine -> kernel over inner IPv6 sent"
	vm_sync_post A "$(sha "$dir/s2")"
	rm -f "$dir/s2"
fi

# B: the guest starts afresh with no endpoint; the engine initiates over outer IPv6.
if vm_sync_wait B0 90; then
	hwg set "$IF" peer "$kg_pub" remove
	hwg set "$IF" peer "$kg_pub" allowed-ips 10.98.0.2/32,fd98::2/128 endpoint "[$VM_GUEST6]:$GPORT"
	check "B: engine -> kernel ping over inner IPv6, outer IPv6 (the engine initiates)" \
		in_ns busybox ping -c 2 -w 20 fd98::2
	check "B: engine -> kernel ping over inner IPv4" in_ns busybox ping -c 2 -w 10 10.98.0.2
	hs=$(handshake "$kg_pub")
	ok $((${hs:-0} == 0)) "B: the engine shows the new handshake in wg show"
	listen 5003 "[fd98::1]" "$dir/r3"
	l3=$lpid
	vm_sync_post B1
fi
if vm_sync_wait B2 90; then
	received $l3 "$dir/r3" "$(vm_sync_read B2)" "B: $MB MB kernel -> engine over inner IPv6 arrive intact"
	dd if=/dev/urandom of="$dir/s4" bs=1M count=$MB status=none
	send "$dir/s4" 10.98.0.2 5004
	ok $? "B: $MB MB engine -> kernel over inner IPv4 sent"
	vm_sync_post B3 "$(sha "$dir/s4")"
	rm -f "$dir/s4"
fi

# C: the kernel's private key changes; the engine is told its new public key.
if vm_sync_wait C0 90; then
	check "C: the engine swaps the kernel's public key" hwg set "$IF" peer "$kg_pub" remove \
		peer "$kg2_pub" allowed-ips 10.98.0.2/32,fd98::2/128
	vm_sync_post C1
fi
if vm_sync_wait C2 90; then
	hs=$(handshake "$kg2_pub")
	ok $((${hs:-0} == 0)) "C: the engine shows a handshake with the kernel's new key"
	check "C: engine -> kernel ping after the kernel's rekey" in_ns busybox ping -c 2 -w 10 10.98.0.2
	# D: the engine's private key changes; the kernel is told its new public key.
	sleep 1
	check "D: the engine takes a new private key" hwg set "$IF" private-key "$dir/kh2"
	is "$(hwg show "$IF" public-key)" "$kh2_pub" "D: the engine reports the new public key"
	vm_sync_post D0
fi
if vm_sync_wait D1 90; then
	hs2=$(handshake "$kg2_pub")
	ok $((${hs2:-0} <= ${hs:-0})) "D: the engine shows a newer handshake after its rekey ($hs -> $hs2)"
	check "D: engine -> kernel ping over inner IPv6 after the engine's rekey" in_ns busybox ping -c 2 -w 10 fd98::2
	hwg show "$IF" | sed 's/^/# host| /'
	check "D: the engine's wg show prints the handshake" eval "hwg show '$IF' | grep -q 'latest handshake:'"
	vm_sync_post D2
fi
vm_wait
done_testing

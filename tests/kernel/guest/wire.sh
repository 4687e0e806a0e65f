# SPDX-License-Identifier: GPL-2.0
# Guest side of wire.t: the kernel's WireGuard as kvm0, configured by Debian's wg.
. /lib/kvmwg-guest.sh

setup() { # setup [ENDPOINT] : a fresh kvm0 whose only peer is the engine
	ip link del kvm0 2>/dev/null
	ip link add kvm0 type wireguard &&
		$REF_WG set kvm0 private-key <(echo "$KG_PRIV") listen-port "$GPORT" \
			peer "$KH_PUB" allowed-ips 10.98.0.1/32,fd98::1/128 ${1:+endpoint "$1"} &&
		ip addr add 10.98.0.2/24 dev kvm0 &&
		ip addr add fd98::2/64 dev kvm0 nodad &&
		ip link set kvm0 up
}
listen() { # listen PORT BIND FILE : a background receiver; its pid in lpid
	local fam=4
	[[ $2 == *:* ]] && fam=6
	timeout 400 socat -T 15 -u "TCP$fam-LISTEN:$1,bind=$2,reuseaddr" "OPEN:$3,creat,trunc" &
	lpid=$!
	for _ in $(seq 50); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
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
send() { # send FILE HOST:PORT
	local t0 rc
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout 30 socat -T 10 -u "FILE:$1" "TCP:$2" 2>&1 | sed "s/^/#   /"
	rc=${PIPESTATUS[0]}
	echo "# sent $MB MB to $2 in $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }') s (guest clock)"
	return $rc
}
handshake() { $REF_WG show kvm0 latest-handshakes | awk -v k="$1" '$1 == k { print $2 }'; }

# A: the kernel initiates over outer IPv4.
check "the kernel's kvm0 is configured by Debian's wg" setup "$H4:$HPORT"
check "A: kernel -> engine ping over inner IPv4, outer IPv4 (the kernel initiates)" ping -c 2 -w 20 10.98.0.1
check "A: kernel -> engine ping over inner IPv6" ping -c 2 -w 10 fd98::1
hs=$(handshake "$KH_PUB")
ok $((${hs:-0} == 0)) "A: the kernel shows the handshake in wg show"
dd if=/dev/urandom of=/tmp/a bs=1M count=$MB 2>/dev/null
send /tmp/a 10.98.0.1:5001
ok $? "A: $MB MB kernel -> engine over inner IPv4 sent"
listen 5002 "[fd98::2]" /tmp/b
l2=$lpid
sync_post A "$(sha /tmp/a)"
rm -f /tmp/a
sync_wait A 120 && received $l2 /tmp/b "$(sync_read A)" "A: $MB MB engine -> kernel over inner IPv6 arrive intact"

# B: a fresh kvm0 with no endpoint, so only the engine can initiate.
check "B: kvm0 recreated without an endpoint" setup
listen 5004 10.98.0.2 /tmp/d
l4=$lpid
sync_post B0
if sync_wait B1 90; then
	is "$($REF_WG show kvm0 endpoints | cut -f2)" "[$H6]:$HPORT" \
		"B: the kernel learned the engine's outer IPv6 endpoint (the engine initiated)"
	hs=$(handshake "$KH_PUB")
	ok $((${hs:-0} == 0)) "B: the kernel shows the engine's handshake in wg show"
	dd if=/dev/urandom of=/tmp/c bs=1M count=$MB 2>/dev/null
	send /tmp/c [fd98::1]:5003
	ok $? "B: $MB MB kernel -> engine over inner IPv6 sent"
	sync_post B2 "$(sha /tmp/c)"
	rm -f /tmp/c
fi
sync_wait B3 120 && received $l4 /tmp/d "$(sync_read B3)" "B: $MB MB engine -> kernel over inner IPv4 arrive intact"

# C: the kernel's private key changes.
hs0=$(handshake "$KH_PUB")
sleep 1
check "C: the kernel takes a new private key" $REF_WG set kvm0 private-key <(echo "$KG2_PRIV")
sync_post C0
if sync_wait C1 90; then
	check "C: kernel -> engine ping after the kernel's rekey" ping -c 2 -w 15 10.98.0.1
	hs1=$(handshake "$KH_PUB")
	ok $((${hs1:-0} <= ${hs0:-0})) "C: the kernel shows a newer handshake after its rekey ($hs0 -> $hs1)"
	sync_post C2
fi

# D: the engine's private key changed; swap its public key here.
if sync_wait D0 90; then
	check "D: the kernel learns the engine's new public key" $REF_WG set kvm0 peer "$KH_PUB" remove \
		peer "$KH2_PUB" allowed-ips 10.98.0.1/32,fd98::1/128 endpoint "$H4:$HPORT"
	check "D: kernel -> engine ping over inner IPv4 after the engine's rekey" ping -c 2 -w 15 10.98.0.1
	hs=$(handshake "$KH2_PUB")
	ok $((${hs:-0} == 0)) "D: the kernel shows a handshake with the engine's new key"
	$REF_WG show kvm0 | sed 's/^/# guest| /'
	check "D: the kernel's wg show prints the handshake" eval "$REF_WG show kvm0 | grep -q 'latest handshake:'"
	sync_post D1
fi
sync_wait D2 90

# Our wg reading a device with live handshakes and counters: the same views
# as Debian's, taken between two identical reads so no second ticked over.
for view in "show kvm0 dump" "show kvm0" "show kvm0 latest-handshakes" "show kvm0 transfer"; do
	for _ in 1 2 3; do
		a=$($REF_WG $view 2>&1)
		b=$(timeout 30 $OUR_WG $view 2>&1)
		c=$($REF_WG $view 2>&1)
		[ "$a" = "$c" ] && break
	done
	is "$b" "$a" "our \`wg $view' of the live kernel device prints as Debian's"
done
done_testing

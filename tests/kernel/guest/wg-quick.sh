# SPDX-License-Identifier: GPL-2.0
# Guest side of wg-quick.t. The guest gets an uplink (a dummy link with MTU
# 1400 and default routes) so that wg-quick's MTU and routing choices matter.
. /lib/kvmwg-guest.sh

ip link add kvmd0 type dummy
ip link set kvmd0 mtu 1400 up
ip addr add 10.99.0.2/24 dev kvmd0
ip addr add fd99::2/64 dev kvmd0 nodad
ip route add default via 10.99.0.1
ip -6 route add default via fd99::1
has_nft=0
command -v nft >/dev/null && has_nft=1
note "nft in the guest: $has_nft"

ks=$($REF_WG genkey)
kc=$($REF_WG genkey)
kx=$($REF_WG genkey)
mkdir -p /etc/wireguard
cat >/etc/wireguard/kvmq0.conf <<CONF
[Interface]
Address = 10.77.0.1/24, fd77::1/64
ListenPort = 51820
PrivateKey = $ks
PostUp = echo "up %i" > /tmp/hook-%i
PostDown = echo "down %i" >> /tmp/hook-%i

[Peer]
PublicKey = $(echo "$kc" | $REF_WG pubkey)
AllowedIPs = 10.77.0.2/32, fd77::2/128

[Peer]
PublicKey = $(echo "$kx" | $REF_WG pubkey)
AllowedIPs = 10.78.0.0/16, fd78::/48
Endpoint = 10.99.0.9:51820
CONF
cat >/etc/wireguard/kvmq1.conf <<CONF
[Interface]
PrivateKey = $kc
Address = 10.77.0.2/32, fd77::2/128

[Peer]
PublicKey = $(echo "$ks" | $REF_WG pubkey)
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 10.99.0.1:51820
CONF
# Custom table, MTU, fwmark, every hook, and SaveConfig (down writes the live
# state back into the file).
cat >/etc/wireguard/kvmq2.conf <<CONF
[Interface]
Address = 10.66.0.1/24, fd66::1/64
ListenPort = 51866
PrivateKey = $kx
MTU = 1300
Table = 1234
FwMark = 0x4d2
PreUp = echo "pre-up %i" >> /tmp/hook-%i
PostUp = echo "post-up %i" >> /tmp/hook-%i
PreDown = echo "pre-down %i" >> /tmp/hook-%i
PostDown = echo "post-down %i" >> /tmp/hook-%i
SaveConfig = true

[Peer]
PublicKey = $(echo "$ks" | $REF_WG pubkey)
AllowedIPs = 10.67.0.0/16, fd67::/48
Endpoint = [fd99::1]:51820
PersistentKeepalive = 25
CONF
chmod 0600 /etc/wireguard/*.conf
mkdir -p /tmp/pristine
cp -p /etc/wireguard/*.conf /tmp/pristine/

state() { # state IFACE : everything wg-quick may touch, without interface indexes
	echo "== links"
	ip -d -o link show | sed -E 's/^[0-9]+: //; s/ +$//'
	echo "== addresses"
	ip -o addr show | sed -E 's/^[0-9]+: //'
	echo "== IPv4 routes, all tables"
	ip -4 route show table all
	echo "== IPv6 routes, all tables"
	ip -6 route show table all
	echo "== IPv4 rules"
	ip -4 rule show
	echo "== IPv6 rules"
	ip -6 rule show
	if [ $has_nft = 1 ]; then
		echo "== nft ruleset"
		nft list ruleset
	fi
	echo "== sysctl"
	sysctl net.ipv4.conf.all.src_valid_mark
	echo "== device"
	# Without ListenPort the kernel picks a random port each time.
	if grep -q '^ListenPort' "/etc/wireguard/$1.conf"; then
		$REF_WG showconf "$1" 2>&1
	else
		$REF_WG showconf "$1" 2>&1 | sed 's/^ListenPort = [0-9]*$/ListenPort = (random)/'
	fi
	echo "== hook"
	cat "/tmp/hook-$1" 2>&1
	echo "== config file"
	cat "/etc/wireguard/$1.conf"
}
# run TOOL ACTION IFACE OUT : the command's output, then its exit status.
run() {
	if [ "$1" = ours ]; then
		PATH=/wgkit/bin:$PATH timeout 30 "$OUR_QUICK" "$2" "$3" >"$4" 2>&1
	else
		timeout 30 "$REF_QUICK" "$2" "$3" >"$4" 2>&1
	fi
	echo "exit status $?" >>"$4"
}

for ifc in kvmq0:server kvmq1:full-tunnel kvmq2:custom; do
	name=${ifc#*:}
	ifc=${ifc%:*}
	rm -f "/tmp/hook-$ifc"
	cp -p "/tmp/pristine/$ifc.conf" /etc/wireguard/
	# Each up starts from src_valid_mark=0, so that setting it is seen.
	sysctl -qw net.ipv4.conf.all.src_valid_mark=0
	run ref up "$ifc" /tmp/ref.up
	state "$ifc" >/tmp/ref.upstate
	run ref down "$ifc" /tmp/ref.down
	state "$ifc" >/tmp/ref.downstate
	grep -q '^exit status 0$' /tmp/ref.up && grep -q '^exit status 0$' /tmp/ref.down ||
		{ ok 1 "$name: Debian's wg-quick works here (fixture)"; cat /tmp/ref.up /tmp/ref.down | sed 's/^/#   /'; }
	if [ $ifc = kvmq2 ]; then
		! cmp -s /etc/wireguard/kvmq2.conf /tmp/pristine/kvmq2.conf
		ok $? "$name: Debian's wg-quick down rewrote the config file (SaveConfig, fixture)"
	fi
	if [ $ifc = kvmq1 ]; then
		check "$name: Debian's wg-quick routes everything through table 51820 here (fixture)" \
			grep -q 'default dev kvmq1 table 51820' /tmp/ref.upstate
		[ $has_nft = 1 ] && check "$name: Debian's wg-quick adds its nft table here (fixture)" \
			grep -q 'table ip wg-quick-kvmq1' /tmp/ref.upstate
	fi
	rm -f "/tmp/hook-$ifc"
	cp -p "/tmp/pristine/$ifc.conf" /etc/wireguard/
	sysctl -qw net.ipv4.conf.all.src_valid_mark=0

	run ours up "$ifc" /tmp/our.up
	state "$ifc" >/tmp/our.upstate
	check "$name: our wg-quick up $ifc succeeds" grep -q '^exit status 0$' /tmp/our.up ||
		sed 's/^/#   /' /tmp/our.up | head -20
	if grep -qi 'falling back\|userspace implementation' /tmp/our.up; then
		ok 1 "$name: our wg-quick up uses the kernel module, no userspace fallback"
		grep -i 'falling back\|userspace' /tmp/our.up | sed 's/^/#   /'
	else
		ok 0 "$name: our wg-quick up uses the kernel module, no userspace fallback"
	fi
	check "$name: $ifc is a kernel WireGuard link" eval "ip -d link show $ifc | grep -qw wireguard"
	is_file /tmp/our.upstate /tmp/ref.upstate "$name: after up, links, addresses, routes, rules, nft, device and hooks match Debian's"
	is_file /tmp/our.up /tmp/ref.up "$name: our wg-quick up prints the same [#] steps as Debian's"

	run ours down "$ifc" /tmp/our.down
	state "$ifc" >/tmp/our.downstate
	check "$name: our wg-quick down $ifc succeeds" grep -q '^exit status 0$' /tmp/our.down ||
		sed 's/^/#   /' /tmp/our.down | head -20
	is_file /tmp/our.downstate /tmp/ref.downstate "$name: after down, the same state as after Debian's down"
	is_file /tmp/our.down /tmp/ref.down "$name: our wg-quick down prints the same [#] steps as Debian's"
	# Whatever ours left behind must not leak into the next config.
	ip link del "$ifc" 2>/dev/null
done
done_testing

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A failed `up` undoes everything: ours and Debian's on a full-tunnel config
# whose PostUp fails, each in its own namespace, print the same lines and
# leave no link, route, rule or nft table. Bad input gives FILE:LINE and
# changes nothing.
T=wqrb
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_QUICK" "$REF_QUICK" "$REF_GO" "$REF_WG" nft

DIR=$(mktemp -d /tmp/wqrb.XXXXXX)
at_exit "rm -rf $DIR"
export WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO
KEY=$($REF_WG genkey)
PUB=$($REF_WG genkey | $REF_WG pubkey)

state() { # NS
	{
		ip -n "$1" -o link show | sed 's/\\.*//'
		ip -n "$1" -o addr show | sed 's/\\.*//'
		ip -n "$1" -4 route show table all
		ip -n "$1" -6 route show table all
		ip -n "$1" -4 rule show
		ip -n "$1" -6 rule show
		ip netns exec "$1" nft list ruleset
	} 2>&1
}

ns_add wqrbo || skip_all "cannot create a namespace"
ns_add wqrbd
base=$(state wqrbo)

conf() { # IFACE TEXT
	printf '%s\n' "$2" >"$DIR/$1.conf"
	chmod 600 "$DIR/$1.conf"
}
FAILING="[Interface]
PrivateKey = $KEY
ListenPort = 51821
Address = 10.40.0.2/32, fd40::2/128
PostUp = echo post-up %i; false

[Peer]
PublicKey = $PUB
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 192.0.2.9:51820"
conf wqrbo0 "$FAILING"
conf wqrbd0 "$FAILING"

ip netns exec wqrbo "$OUR_QUICK" up "$DIR/wqrbo0.conf" >"$DIR/o.out" 2>"$DIR/o.err"
rc_o=$?
ip netns exec wqrbd "$REF_QUICK" up "$DIR/wqrbd0.conf" >"$DIR/d.out" 2>"$DIR/d.err"
rc_d=$?
ok $((rc_o == 0 ? 1 : 0)) "a failing PostUp makes up fail"
is "$rc_o" "$rc_d" "exit status as Debian's"
norm() { sed -e "s/\b$1\b/IF/g" -e '/[│┌└]/d' "$2"; }
is "$(norm wqrbo0 "$DIR/o.err")" "$(norm wqrbd0 "$DIR/d.err")" "rollback prints the same lines as Debian's"
is "$(norm wqrbo0 "$DIR/o.out")" "$(norm wqrbd0 "$DIR/d.out")" "hook output"
is "$(state wqrbo)" "$base" "no link, address, route, rule or nft table left behind"
grep -q 'nft -f' "$DIR/o.err"
ok $? "the firewall was set up before the failure, so it was torn down"

# Bad input: FILE:LINE (ours only: Debian's passes these to ip and wg).
bad() { # DESCRIPTION EXPECTED-LINE TEXT
	local before after
	conf wqrbb0 "$3"
	before=$(state wqrbo)
	ip netns exec wqrbo "$OUR_QUICK" up "$DIR/wqrbb0.conf" >/dev/null 2>"$DIR/bad.err"
	local rc=$?
	after=$(state wqrbo)
	ok $((rc == 0 ? 1 : 0)) "$1: up fails"
	grep -q "^$DIR/wqrbb0.conf:$2: " "$DIR/bad.err"
	ok $? "$1: says $DIR/wqrbb0.conf:$2"
	[ $? -eq 0 ] || sed 's/^/#   /' "$DIR/bad.err"
	! grep -q '^\[#\]' "$DIR/bad.err"
	ok $? "$1: runs nothing"
	is "$after" "$before" "$1: changes nothing"
}
HEAD="[Interface]
PrivateKey = $KEY"
bad "unknown key" 3 "$HEAD
Adress = 10.0.0.1/24"
bad "malformed Address" 4 "$HEAD
ListenPort = 51822
Address = 10.0.0.1/24, 10.0.0.300/24"
bad "bad MTU" 3 "$HEAD
MTU = 12x"
bad "MTU out of range" 3 "$HEAD
MTU = 70000"
bad "bad Table" 3 "$HEAD
Table = nosuchtable"
bad "bad SaveConfig" 3 "$HEAD
SaveConfig = yes"
bad "bad DNS server" 3 "$HEAD
DNS = 1.2.3.456"
bad "bad peer key" 5 "$HEAD

[Peer]
PublicKey = notakey"
bad "Address in a peer section" 7 "$HEAD

[Peer]
PublicKey = $PUB
AllowedIPs = 10.0.0.0/24
Address = 10.0.0.1/24"

ip netns exec wqrbo "$OUR_QUICK" up "$DIR/wqrbnone0.conf" >/dev/null 2>"$DIR/bad.err"
ok $((($? != 0) ? 0 : 1)) "missing file: up fails"
is "$(cat "$DIR/bad.err")" "wg-quick: \`$DIR/wqrbnone0.conf' does not exist" "missing file: the script's message"
printf '[Interface]\n' >"$DIR/bad name.conf"
is "$("$OUR_QUICK" strip "$DIR/bad name.conf" 2>&1)" "$("$REF_QUICK" strip "$DIR/bad name.conf" 2>&1)" "bad interface name: the script's message"
is "$(state wqrbo)" "$base" "nothing changed by any bad input"

# The kernel refuses a step: say what failed and what to do, roll back.
refused() { # DESCRIPTION EXPECTED-TEXT COMMAND-PREFIX...
	local d=$1 want=$2 before
	shift 2
	before=$(state wqrbo)
	ip netns exec wqrbo "$@" "$OUR_QUICK" up "$DIR/wqrbk0.conf" >/dev/null 2>"$DIR/k.err"
	ok $(($? == 0 ? 1 : 0)) "$d: up fails"
	grep -qF "$want" "$DIR/k.err"
	ok $? "$d: says \"$want\""
	[ $? -eq 0 ] || sed 's/^/#   /' "$DIR/k.err"
	grep -q '^\[#\] ip link delete dev wqrbk0' "$DIR/k.err"
	ok $? "$d: rolls back"
	is "$(state wqrbo)" "$before" "$d: nothing left behind"
}
conf wqrbk0 "$HEAD
ListenPort = 51823
Address = 10.41.0.2/32, fd41::2/128

[Peer]
PublicKey = $PUB
AllowedIPs = 0.0.0.0/0
Endpoint = 192.0.2.9:51820"
ip netns exec wqrbo sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
refused "IPv6 disabled" "IPv6 is disabled on this system" env
ip netns exec wqrbo sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
base=$(state wqrbo)
if ip netns exec wqrbo unshare -m true 2>/dev/null; then
	ip netns exec wqrbo sysctl -qw net.ipv4.conf.all.src_valid_mark=0
	refused "read-only src_valid_mark (container)" "set it where the network namespace is made" \
		unshare -m bash -c 'mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec "$@"' ro
else
	ok 0 "# SKIP no mount namespaces"
fi

# DNS with neither resolvconf nor systemd-resolved: an error before anything.
conf wqrbn0 "$HEAD
Address = 10.42.0.2/32
DNS = 10.42.0.53

[Peer]
PublicKey = $PUB
AllowedIPs = 10.42.0.0/24"
if [ ! -e /run/systemd/resolve/io.systemd.Resolve ]; then
	before=$(state wqrbo)
	PATH=/usr/sbin:/sbin ip netns exec wqrbo "$OUR_QUICK" up "$DIR/wqrbn0.conf" >/dev/null 2>"$DIR/n.err"
	ok $(($? == 0 ? 1 : 0)) "DNS without resolvconf or resolved: up fails"
	grep -q 'install openresolv or resolvconf, or start systemd-resolved' "$DIR/n.err"
	ok $? "DNS without resolvconf or resolved: says what to install"
	! grep -q '^\[#\]' "$DIR/n.err"
	ok $? "DNS without resolvconf or resolved: runs nothing"
	is "$(state wqrbo)" "$before" "DNS without resolvconf or resolved: changes nothing"
fi

done_testing

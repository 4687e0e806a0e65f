#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Our wg-quick and Debian's /usr/bin/wg-quick on the same configs, each in its
# own namespace (both with wireguard-go as the userspace implementation):
# the same `[#]` lines, links, MTU, addresses, routes in every table, rules,
# nft ruleset, DNS handed to resolvconf, hook output, saved files, and the
# same clean state after `down`.
T=wqtw
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_QUICK" "$REF_QUICK" "$REF_GO" "$REF_WG" nft

DIR=$(mktemp -d /tmp/wqtw.XXXXXX)
at_exit "rm -rf $DIR"
mkdir "$DIR/bin"
# A resolvconf that records what it is given and answers -l from that record.
cat >"$DIR/bin/resolvconf" <<'STUB'
#!/bin/bash
echo "resolvconf $*" >>"$WQ_STUB_LOG"
case $1 in
-a) tee "$WQ_STUB_LOG.$2" | sed 's/^/  stdin: /' >>"$WQ_STUB_LOG" ;;
-d) rm -f "$WQ_STUB_LOG.$2" ;;
-l) cat "$WQ_STUB_LOG.$2" 2>/dev/null ;;
esac
exit 0
STUB
chmod +x "$DIR/bin/resolvconf"
export PATH="$DIR/bin:$PATH" WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO
# A PATH without nft, for the iptables-restore fallback: /usr/sbin minus nft.
mkdir "$DIR/sbin"
for f in /usr/sbin/*; do
	[ "${f##*/}" = nft ] || ln -s "$f" "$DIR/sbin/"
done
NONFT=0

K_SELF=$($REF_WG genkey)
K_PEER1=$($REF_WG genkey | $REF_WG pubkey)
K_PEER2=$($REF_WG genkey | $REF_WG pubkey)
PSK=$($REF_WG genpsk)

# The uplink every namespace starts with: a veth link with a default route,
# and a narrower route whose own MTU is smaller. BUSY_TABLE=1 also puts a
# route in table 51820.
BUSY_TABLE=0
ns_setup() { # NS
	ns_add "$1" &&
		ip -n "$1" link add wqdum0 type veth peer name wqdum1 &&
		ip -n "$1" link set wqdum0 addrgenmode none &&
		ip -n "$1" link set wqdum1 addrgenmode none &&
		ip -n "$1" link set wqdum1 up &&
		ip -n "$1" link set wqdum0 mtu 1450 up &&
		ip -n "$1" addr add 198.51.100.1/24 dev wqdum0 &&
		ip -n "$1" route add default via 198.51.100.254 dev wqdum0 mtu 1440 &&
		ip -n "$1" route add 203.0.113.0/24 dev wqdum0 mtu 1300 &&
		ip -n "$1" route add 203.0.114.0/24 dev wqdum0 mtu lock 1200 &&
		if [ $BUSY_TABLE = 1 ]; then
			ip -n "$1" route add 10.99.0.0/24 dev wqdum0 table 51820
		fi
}

norm() { # IFACE : interface name and link-local addresses made comparable
	sed -e "s/\b$1\b/IF/g" -e 's/fe80::[0-9a-f:]*/fe80::LL/g' -e "s|$DIR|DIR|g" \
		-e '/[│┌└]/d' -e '/fe80::/d' \
		-e '/multicast ff00::\/8 dev IF/d'
}

state() { # NS IFACE
	{
		echo "## links"
		ip -n "$1" -o link show | sed 's/\\.*//'
		echo "## addresses"
		ip -n "$1" -o addr show | sed 's/\\.*//'
		echo "## routes"
		ip -n "$1" -4 route show table all
		ip -n "$1" -6 route show table all
		echo "## rules"
		ip -n "$1" -4 rule show
		ip -n "$1" -6 rule show
		# iptables-nft keeps its (empty) base chains after down, with Debian's too.
		if [ "${3:-}" != nosysctl ] || [ $NONFT = 0 ]; then
			echo "## nft"
			ip netns exec "$1" nft list ruleset 2>/dev/null
			echo "## iptables"
			ip netns exec "$1" iptables-save 2>&1 | grep -v '^#'
			ip netns exec "$1" ip6tables-save 2>&1 | grep -v '^#'
		fi
		# Left at 1 by down, as Debian's does: not part of the "as before" check.
		[ "${3:-}" = nosysctl ] || ip netns exec "$1" sysctl -n net.ipv4.conf.all.src_valid_mark
		echo "## wg"
		# wireguard-go lists peers in Go map order: compare the lines sorted.
		ip netns exec "$1" $REF_WG showconf "$2" 2>&1 | sort
	} | norm "$2"
}

# run SIDE VERB : runs our (o) or Debian's (d) wg-quick in that side's namespace.
run() {
	local ns=$T$1$case_no iface=wq$1$case_no prog=$OUR_QUICK path=$PATH
	[ "$1" = d ] && prog=$REF_QUICK
	[ $NONFT = 1 ] && path=$DIR/bin:$DIR/sbin:/usr/bin:/bin
	PATH=$path WQ_STUB_LOG=$DIR/$iface.stub ip netns exec "$ns" "$prog" "$2" "$DIR/$iface.conf" \
		>"$DIR/$iface.$2.out" 2>"$DIR/$iface.$2.err"
	echo $? >"$DIR/$iface.$2.rc"
}

out() { # SIDE FILE-SUFFIX
	norm "wq$1$case_no" <"$DIR/wq$1$case_no.$2"
}

compare_step() { # NAME VERB
	is "$(out o "$2.rc")" "$(out d "$2.rc")" "$1: $2 exits as Debian's"
	is "$(out o "$2.err")" "$(out d "$2.err")" "$1: $2 prints the same [#] lines"
	is "$(out o "$2.out")" "$(out d "$2.out")" "$1: $2 hook output"
	is "$(state $T"o$case_no" wqo$case_no)" "$(state $T"d$case_no" wqd$case_no)" "$1: state after $2"
	is "$(out o stub 2>/dev/null)" "$(out d stub 2>/dev/null)" "$1: resolvconf calls after $2"
}

case_no=0
# twin NAME CONFIG [MIDDLE] : up, optional MIDDLE SIDE, down; compared at each step.
twin() {
	local side base
	case_no=$((case_no + 1))
	for side in o d; do
		ns_setup $T$side$case_no || { ok 1 "$1: namespace"; return; }
		printf '%s\n' "$2" >"$DIR/wq$side$case_no.conf"
		chmod 600 "$DIR/wq$side$case_no.conf"
		: >"$DIR/wq$side$case_no.stub"
	done
	base=$(state $T"o$case_no" wqo$case_no nosysctl)
	run o up
	run d up
	compare_step "$1" up
	if [ -n "${3:-}" ]; then
		$3 o && $3 d
		compare_step "$1" "$4"
		is "$(out o conf)" "$(out d conf)" "$1: saved config file"
	fi
	run o down
	run d down
	compare_step "$1" down
	is "$(state $T"o$case_no" wqo$case_no nosysctl)" "$base" "$1: down leaves the namespace as it was"
}

twin "server" "[Interface]
PrivateKey = $K_SELF
ListenPort = 51820
Address = 10.50.0.1/24, fd50::1/64
PreUp = echo pre-up %i
PostUp = echo post-up %i; echo again %i
PostUp = echo iface=\$INTERFACE file=\$CONFIG_FILE; shopt extglob | tr '\\t' ' '
PreDown = echo pre-down %i
PostDown = echo post-down %i

[Peer]
PublicKey = $K_PEER1
PresharedKey = $PSK
AllowedIPs = 10.50.0.2/32, fd50::2/128, 10.60.0.0/16, 10.60.1.0/24

[Peer]
PublicKey = $K_PEER2
AllowedIPs = 10.50.0.3/32, 10.70.0.0/24"

twin "full-tunnel client with DNS" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52001
Address = 10.50.0.2/32, fd50::2/128
DNS = 10.50.0.53, fd50::53, example.com, corp.example

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 198.51.100.7:51820
PersistentKeepalive = 25"

twin "Table = off" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52002
Address = 10.50.0.2/24
Table = off

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.80.0.0/16, 0.0.0.0/0
Endpoint = 203.0.113.9:51820"

twin "Table = 1234" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52003
Address = 10.50.0.2/24
Table = 1234

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.80.0.0/16, 0.0.0.0/0, fd80::/64
Endpoint = [fd00::9]:51820"

twin "FwMark and explicit MTU" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52004
Address = 10.50.0.2/32
FwMark = 0x1234
MTU = 1280

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 0.0.0.0/0
Endpoint = 198.51.100.7:51820"

twin "automatic MTU from two endpoints" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52005
Address = 10.50.0.2/32

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.90.0.0/24
Endpoint = 203.0.113.9:51820

[Peer]
PublicKey = $K_PEER2
AllowedIPs = 10.91.0.0/24
Endpoint = 198.51.100.9:51820"

twin "Table = main (a name)" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52020
Address = 10.50.0.2/24
Table = main

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.81.0.0/16, 10.50.0.0/24"

twin "a failing PreUp (nothing to undo but the attempt)" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52021
PreUp = echo pre %i; exit 3

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.82.0.0/16"

twin "a default route that already exists (Table = main with 0.0.0.0/0)" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52022
Address = 10.50.0.2/24
Table = main

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 0.0.0.0/0"

twin "automatic MTU from a route with a locked MTU" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52024
Address = 10.50.0.2/32

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.92.0.0/24
Endpoint = 203.0.114.9:51820"

twin "IPv6-only full tunnel, DNS search domains only" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52025
Address = fd50::2/128
DNS = example.com

[Peer]
PublicKey = $K_PEER1
AllowedIPs = ::/0, fd51::/64
Endpoint = [fd00::9]:51820"

twin "a hook runs under the script's set -e" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52026
Address = 10.50.0.2/24
PostUp = false; echo not reached

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.83.0.0/16"

# Without nft: the same rules through iptables-restore, removed through -save/-restore.
NONFT=1
twin "full tunnel without nft (iptables-restore)" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52023
Address = 10.50.0.2/32, fd50::2/128

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 198.51.100.7:51820"
NONFT=0

# Table 51820 already used: both take the next free one.
BUSY_TABLE=1
twin "default route when table 51820 is busy" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52006
Address = 10.50.0.2/32

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 0.0.0.0/0
Endpoint = 198.51.100.7:51820"
BUSY_TABLE=0

save_step() { # SIDE : change the live device, then save
	local iface=wq$1$case_no
	ip netns exec $T$1$case_no $REF_WG set $iface peer "$K_PEER1" allowed-ips 10.95.0.0/24,10.96.0.0/24 &&
		run "$1" save &&
		cp "$DIR/$iface.conf" "$DIR/$iface.conf.saved" 2>/dev/null
}
twin "SaveConfig with save" "[Interface]
PrivateKey = $K_SELF
ListenPort = 52007
Address = 10.50.0.2/24
DNS = 10.50.0.53
MTU = 1400
ListenPort = 51999
Table = auto
SaveConfig = true
PostUp = echo up %i

[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.96.0.0/24
Endpoint = 198.51.100.7:51820" save_step save
for side in o d; do
	cp "$DIR/wq$side$case_no.conf" "$DIR/wq$side$case_no.final" 2>/dev/null
done
is "$(out o final)" "$(out d final)" "SaveConfig: file written by down"
is "$(stat -c %a "$DIR/wqo$case_no.conf")" 600 "SaveConfig: file mode 0600"

# An interface that exists but is not WireGuard's: up and down refuse, as Debian's.
ns_setup ${T}xo && ns_setup ${T}xd
printf '[Interface]\nPrivateKey = %s\n' "$K_SELF" >"$DIR/wqdum0.conf"
chmod 600 "$DIR/wqdum0.conf"
for verb in up down save; do
	o=$(ip netns exec ${T}xo "$OUR_QUICK" $verb "$DIR/wqdum0.conf" 2>&1; echo "rc=$?")
	d=$(ip netns exec ${T}xd "$REF_QUICK" $verb "$DIR/wqdum0.conf" 2>&1; echo "rc=$?")
	is "$o" "$d" "$verb on an existing non-WireGuard link: the script's message and status"
done

# strip needs no namespace: the same text as Debian's.
case_no=$((case_no + 1))
printf '%s\n' "[Interface]
PrivateKey = $K_SELF
ListenPort = 52008
  Address = 10.0.0.1/24 # comment
mtu=1400
[Peer]
PublicKey = $K_PEER1
AllowedIPs = 10.1.0.0/16 # kept
# a comment line
Endpoint = 198.51.100.7:51820" >"$DIR/wqs0.conf"
chmod 600 "$DIR/wqs0.conf"
is "$($OUR_QUICK strip "$DIR/wqs0.conf" 2>&1)" "$($REF_QUICK strip "$DIR/wqs0.conf" 2>&1)" "strip prints what Debian's prints"
is "$($OUR_QUICK --help 2>&1)" "$($REF_QUICK --help 2>&1)" "--help text"
$OUR_QUICK bogus >/dev/null 2>&1
ok $(($? == 1 ? 0 : 1)) "misuse exits 1"

done_testing

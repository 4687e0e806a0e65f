# SPDX-License-Identifier: GPL-2.0
# Sourced by examples/demo/run and tests/netns/mesh-*.t: builds the example
# mesh's world in network namespaces and tears it down again.
#
# Every site is a namespace ${P}sK (the site's router, running WireGuard)
# with a LAN host ${P}lK behind it (10.K.K.2, 2001:db8:1:K::2). All WAN sides
# meet in ${P}wan, a router: public sites get their example addresses on a
# point-to-point link, sites behind NAT get private ones (172.16.K.2,
# fd00:K::2) that ${P}wan masquerades and never lets in.
#
# Needs P (a prefix starting with "msh"), MESH_WG_QUICK and MESH_USERSPACE;
# topo_plan_example and topo_up_sites also need TOPO_TMP, OUR_MESH and check (netns.sh).

# name | public IPv4 | public IPv6 | K  ("-" = none; neither = behind NAT)
MESH_TOPOLOGY=(
	"tokyo|192.0.2.1|2001:db8:1234:1::1|1"
	"paris|192.0.2.5|2001:db8:1234:2::1|2"
	"osaka|-|2001:db8:1234:3::1|3"
	"lima|-|2001:db8:1234:4::1|4"
	"branch|-|-|5"
	"depot|-|-|6"
)
topo_ns=()
topo_confs=()
# iputils' ping, or busybox's where it is missing (busybox-static is a test dependency).
topo_pinger=(ping)
command -v ping >/dev/null 2>&1 || topo_pinger=(busybox ping)

topo_nsadd() { # topo_nsadd NAME : a namespace with loopback up and no IPv6 DAD
	ip netns add "$1" || return 1
	topo_ns+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.forwarding=0
}

topo_wan() { # the Internet between the sites, with NAT for the private ones
	topo_nsadd "${P}wan" || return 1
	ip netns exec "${P}wan" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip netns exec "${P}wan" nft -f - <<-'NFT'
	table inet meshnat {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip daddr 172.16.0.0/12 ct state new drop
			ip6 daddr fd00::/8 ct state new drop
		}
		chain postrouting {
			type nat hook postrouting priority 100;
			ip saddr 172.16.0.0/12 masquerade
			ip6 saddr fd00::/8 masquerade
		}
	}
	NFT
}

topo_v4_peer() { # 192.0.2.1 -> 192.0.2.2: the WAN router's side of a /30
	local IFS=.
	set -- $1
	echo "$1.$2.$3.$(($4 + 1))"
}

topo_site_wan() { # topo_site_wan K V4 V6 : the WAN link of site K
	local k=$1 v4=$2 v6=$3 s=${P}s$1 w=${P}wan
	ip link add mshwan netns "$s" type veth peer name "msh$k" netns "$w" || return 1
	ip -n "$s" link set mshwan up && ip -n "$w" link set "msh$k" up
	if [ "$v4" = - ] && [ "$v6" = - ]; then
		v4=172.16.$k.2 v6=fd00:$k::2
		ip -n "$s" addr add "$v4/24" dev mshwan && ip -n "$w" addr add "172.16.$k.1/24" dev "msh$k"
		ip -n "$s" route add default via "172.16.$k.1"
	elif [ "$v4" != - ]; then
		ip -n "$s" addr add "$v4/30" dev mshwan
		ip -n "$w" addr add "$(topo_v4_peer "$v4")/30" dev "msh$k"
		ip -n "$s" route add default via "$(topo_v4_peer "$v4")"
	fi
	[ "$v6" = - ] && return 0
	ip -n "$s" addr add "$v6/64" dev mshwan nodad &&
		ip -n "$w" addr add "${v6%::*}::ffff/64" dev "msh$k" nodad &&
		ip -n "$s" -6 route add default via "${v6%::*}::ffff"
}

topo_site() { # topo_site "name|v4|v6|K" : site router, its LAN host, their links
	local name v4 v6 k
	IFS='|' read -r name v4 v6 k <<<"$1"
	topo_nsadd "${P}s$k" && topo_nsadd "${P}l$k" || return 1
	topo_site_wan "$k" "$v4" "$v6" || return 1
	ip link add mshlan netns "${P}s$k" type veth peer name mshlan netns "${P}l$k" || return 1
	ip -n "${P}s$k" link set mshlan up && ip -n "${P}l$k" link set mshlan up
	ip -n "${P}s$k" addr add "10.$k.$k.1/24" dev mshlan
	ip -n "${P}s$k" addr add "2001:db8:1:$k::1/64" dev mshlan nodad
	ip -n "${P}l$k" addr add "10.$k.$k.2/24" dev mshlan
	ip -n "${P}l$k" addr add "2001:db8:1:$k::2/64" dev mshlan nodad
	ip -n "${P}l$k" route add default via "10.$k.$k.1"
	ip -n "${P}l$k" -6 route add default via "2001:db8:1:$k::1"
}

topo_build() { # topo_build N : the WAN and the first N sites of the table
	local i
	topo_wan || return 1
	for ((i = 0; i < $1; i++)); do
		topo_site "${MESH_TOPOLOGY[$i]}" || return 1
	done
}

topo_up_conf() { # topo_up_conf NS SRC IFACE : wg-quick up SRC in NS as interface IFACE
	local conf=$TOPO_TMP/$3.conf
	install -m 0600 "$2" "$conf" || return 1
	topo_confs+=("$1|$conf")
	# A wg-quick that hangs must not hang the caller: give up after a minute.
	timeout "${TOPO_UP_TIMEOUT:-60}" ip netns exec "$1" \
		env WG_QUICK_USERSPACE_IMPLEMENTATION="$MESH_USERSPACE" "$MESH_WG_QUICK" up "$conf"
}

topo_up() { # topo_up PLANDIR NAME K [IFACE] : wg-quick up the site's planned config
	topo_up_conf "${P}s$3" "$1/$2/${4:-wg0}.conf" "${P}wg$3"
}

topo_examples=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples" && pwd)

topo_plan_example() { # topo_plan_example FILE : examples/FILE copied to $TOPO_TMP, planned into $TOPO_TMP/out (a TAP line)
	cp "$topo_examples/$1" "$TOPO_TMP/$1"
	check "plan examples/$1" "$OUR_MESH" plan "$TOPO_TMP/$1" -o "$TOPO_TMP/out"
}

topo_up_sites() { # topo_up_sites NAME... : wg-quick up the planned site NAME as site 1, 2, ... (TAP lines)
	local k=0 name
	for name in "$@"; do
		k=$((k + 1))
		check "wg-quick up $name" topo_up "$TOPO_TMP/out" "$name" "$k"
	done
}

topo_roadwarrior() { # a client's namespace ${P}c on 198.51.100.2, straight on the WAN
	topo_nsadd "${P}c" || return 1
	ip link add mshwan netns "${P}c" type veth peer name mshc netns "${P}wan" || return 1
	ip -n "${P}c" link set mshwan up && ip -n "${P}wan" link set mshc up
	ip -n "${P}c" addr add 198.51.100.2/30 dev mshwan
	ip -n "${P}wan" addr add 198.51.100.1/30 dev mshc
	ip -n "${P}c" route add default via 198.51.100.1
}

topo_ping_from() { # topo_ping_from NS K 4|6 : from any namespace to LAN host K
	local dst="10.$2.$2.2" try
	[ "$3" = 6 ] && dst="2001:db8:1:$2::2"
	for try in 1 2 3 4 5 6 7 8 9 10; do
		ip netns exec "$1" "${topo_pinger[@]}" -"$3" -c 1 -W 1 "$dst" >/dev/null 2>&1 &&
			return 0
	done
	return 1
}

topo_ping() { # topo_ping FROM_K TO_K 4|6 : LAN host to LAN host, a few tries
	topo_ping_from "${P}l$1" "$2" "$3"
}

topo_cleanup() { # everything the functions above made, in reverse
	local i ns conf
	for ((i = ${#topo_confs[@]} - 1; i >= 0; i--)); do
		IFS='|' read -r ns conf <<<"${topo_confs[$i]}"
		timeout 30 ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION="$MESH_USERSPACE" \
			"$MESH_WG_QUICK" down "$conf" >/dev/null 2>&1
		rm -f "$conf" "/run/wg-mesh-$(basename "$conf" .conf)".ipv[46]
	done
	topo_confs=()
	for ((i = ${#topo_ns[@]} - 1; i >= 0; i--)); do
		ip netns pids "${topo_ns[$i]}" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "${topo_ns[$i]}" 2>/dev/null
	done
	topo_ns=()
	rm -f /var/run/wireguard/"${P}"wg[0-9].sock /var/run/wireguard/"${P}"wgc.sock
}

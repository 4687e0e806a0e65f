#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Names for the tunnel addresses, served for real: examples/names.yaml (tokyo,
# paris, osaka and a laptop via tokyo; mesh.domain: mesh.example, mesh.dns:
# paris) planned by wg-mesh and brought up with our wg-quick and wg-engine in
# network namespaces. paris runs BIND's named (a private config in the test's
# temp dir, in the foreground, killed at exit) serving the planned
# out/mesh.example.zone on its tunnel addresses only. From the laptop, through
# the tunnel: dig gets every name's A and AAAA from paris, equal to the
# addresses the configs were planned with; a resolv.conf made of the laptop's
# `DNS =' line (paris's addresses and the search domain) in a mount namespace
# lets getent and ping find the sites by name; and the planned hosts fragment
# as /etc/hosts answers the same with no resolver at all.
T=nm
P=nm
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=${MESH_WG_QUICK:-$OUR_QUICK}
MESH_USERSPACE=${MESH_USERSPACE:-$OUR_ENGINE}
. "$here/../lib/topology.sh"

need_netns
command -v named >/dev/null 2>&1 ||
	skip_all "missing named (Debian's bind9, which \`make deps' installs) to serve the zone"
need "$OUR_MESH" "$MESH_WG_QUICK" "$MESH_USERSPACE" nft dig named-checkzone getent unshare
TOPO_TMP=$(mktemp -d /tmp/nm.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"
out=$TOPO_TMP/out
domain=mesh.example
names=(tokyo paris osaka laptop)

topo_plan_example names.yaml
grep -q "^names:    $out/hosts, $out/$domain.zone\$" /tmp/$T.out
ok $? "plan says where the hosts fragment and the zone are"
check "named-checkzone loads the planned zone" named-checkzone "$domain" "$out/$domain.zone"

planned() { # planned NAME 4|6 : the tunnel addresses NAME's config was planned with
	sed -n 's/^Address = //p' "$out/$1/wg0.conf" | tr ',' '\n' | sed 's/^ *//; s,/.*,,' |
		if [ "$2" = 4 ]; then grep -v :; else grep :; fi
}
for n in "${names[@]}"; do
	[ "$(planned "$n" 4 | wc -l)" = 1 ] && [ "$(planned "$n" 6 | wc -l)" = 1 ]
	ok $? "$n is planned with one IPv4 and one IPv6 tunnel address"
done
resolver4=$(planned paris 4) resolver6=$(planned paris 6)
is "$(sed -n 's/^DNS = //p' "$out/laptop/wg0.conf")" "$resolver4, $resolver6, $domain" \
	"mesh.dns gives the laptop paris's tunnel addresses and the domain to search"

check "three sites and the WAN in namespaces" topo_build 3
topo_up_sites tokyo paris osaka
# No resolvconf in a namespace to hand DNS to: the test makes its resolv.conf
# of that line below, the way resolvconf would.
check "a namespace for the laptop on the WAN" topo_roadwarrior
sed '/^DNS = /d' "$out/laptop/wg0.conf" >"$TOPO_TMP/laptop.conf"
check "wg-quick up laptop" topo_up_conf nmc "$TOPO_TMP/laptop.conf" nmwgc

# paris's resolver: authoritative for the zone only, on the tunnel addresses only.
D=$TOPO_TMP/named
mkdir -p "$D" && cp "$out/$domain.zone" "$D/"
cat >"$D/named.conf" <<EOF
options {
	directory "$D";
	pid-file "$D/named.pid";
	session-keyfile "$D/session.key";
	managed-keys-directory "$D";
	listen-on port 53 { $resolver4; };
	listen-on-v6 port 53 { $resolver6; };
	recursion no;
	allow-query { any; };
	dnssec-validation no;
};
controls { };
zone "$domain" { type primary; file "$D/$domain.zone"; };
EOF
check "named-checkconf takes the private config" named-checkconf "$D/named.conf"
ip netns exec nms2 named -g -c "$D/named.conf" >"$D/log" 2>&1 &
named_pid=$!
at_exit "kill $named_pid; wait $named_pid"
ask() { # ask NS SERVER NAME TYPE : the answer's data, one per line, sorted
	ip netns exec "$1" dig +short +time=2 +tries=2 "@$2" "$3" "$4" | sort
}
serving() { # named answers for the zone on paris itself (it starts in a second or so)
	local try
	for try in $(seq 1 50); do
		[ -n "$(ask nms2 "$resolver4" "$domain" SOA)" ] && return 0
		kill -0 "$named_pid" || return 1
		sleep 0.2
	done
	return 1
}
check "named serves $domain on paris's tunnel address" serving || sed 's/^/#   /' "$D/log" | tail -20

# The first query waits for the laptop's handshake with tokyo and tokyo's with paris.
through_tunnel() {
	local try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		[ -n "$(ask nmc "$resolver4" "paris.$domain" A)" ] && return 0
	done
	return 1
}
check "the laptop reaches paris's resolver through tokyo" through_tunnel
flags=$(ip netns exec nmc dig +time=2 +tries=2 "@$resolver4" "tokyo.$domain" A | grep -o 'flags: [a-z ]*;')
case $flags in *' aa'*) ok 0 "paris answers with authority ($flags)" ;;
*) ok 1 "paris answers with authority (got '$flags')" ;;
esac
for n in "${names[@]}"; do
	is "$(ask nmc "$resolver4" "$n.$domain" A)" "$(planned "$n" 4)" \
		"dig @$resolver4 $n.$domain A (over IPv4) gives $n's planned tunnel address"
	is "$(ask nmc "$resolver6" "$n.$domain" AAAA)" "$(planned "$n" 6)" \
		"dig @$resolver6 $n.$domain AAAA (over IPv6) gives $n's planned tunnel address"
done
is "$(ask nmc "$resolver4" "$domain" NS)" "paris.$domain." \
	"the zone's NS is paris, the mesh.dns site that serves it"
status=$(ip netns exec nmc dig +time=2 +tries=2 "@$resolver4" "nosuch.$domain" A | grep -o 'status: [A-Z]*')
is "$status" "status: NXDOMAIN" "a name that is not in the mesh does not exist"
check "paris's resolver does not answer on its WAN address" \
	bash -c "! ip netns exec nmwan dig +time=1 +tries=1 @192.0.2.5 paris.$domain A"

# The laptop's DNS line as its resolv.conf, in a mount namespace of its own.
sed -n 's/^DNS = //p' "$out/laptop/wg0.conf" | tr ',' '\n' | sed 's/^ *//' |
	awk '/^[0-9a-fA-F.:]+$/ { print "nameserver " $0; next } { s = s " " $0 }
		END { if (s) print "search" s }' >"$TOPO_TMP/resolv.conf"
with_files() { # with_files RESOLV HOSTS NS CMD... : CMD in NS with those as /etc files
	local rc=$1 hosts=$2 ns=$3
	shift 3
	ip netns exec "$ns" unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf &&
		mount --bind "$2" /etc/hosts && shift 2 && exec "$@"' sh "$rc" "$hosts" "$@"
}
printf '127.0.0.1 localhost\n::1 localhost\n' >"$TOPO_TMP/hosts.empty"
lookup() { # lookup RESOLV HOSTS NAME 4|6 : getent's addresses for NAME, sorted
	with_files "$1" "$2" nmc getent "ahostsv$4" "$3" | awk '{ print $1 }' | sort -u
}
for n in tokyo osaka; do
	for fam in 4 6; do
		is "$(lookup "$TOPO_TMP/resolv.conf" "$TOPO_TMP/hosts.empty" "$n.$domain" $fam)" \
			"$(planned $n $fam)" "getent ahostsv$fam $n.$domain with the laptop's DNS line"
	done
	is "$(lookup "$TOPO_TMP/resolv.conf" "$TOPO_TMP/hosts.empty" "$n" 4)" "$(planned $n 4)" \
		"getent ahostsv4 $n (the search domain of the DNS line)"
done
ping_name() { # ping_name RESOLV HOSTS NAME 4|6 : a few tries
	local try
	for try in 1 2 3 4 5; do
		with_files "$1" "$2" nmc "${topo_pinger[@]}" -"$4" -c 1 -W 1 "$3" >/dev/null 2>&1 &&
			return 0
	done
	return 1
}
for fam in 4 6; do
	check "laptop pings osaka.$domain over IPv$fam (named by paris, through tokyo)" \
		ping_name "$TOPO_TMP/resolv.conf" "$TOPO_TMP/hosts.empty" "osaka.$domain" $fam
done

# The hosts fragment alone: /etc/hosts, and a resolv.conf whose server is not there.
printf 'nameserver 127.0.0.1\n' >"$TOPO_TMP/resolv.none"
is "$(with_files "$TOPO_TMP/resolv.none" "$TOPO_TMP/hosts.empty" nmc getent hosts "tokyo.$domain")" "" \
	"without the hosts fragment and a resolver, tokyo.$domain is unknown"
for n in "${names[@]}"; do
	for fam in 4 6; do
		is "$(lookup "$TOPO_TMP/resolv.none" "$out/hosts" "$n.$domain" $fam)" "$(planned "$n" $fam)" \
			"getent ahostsv$fam $n.$domain with the planned hosts fragment as /etc/hosts"
	done
	is "$(lookup "$TOPO_TMP/resolv.none" "$out/hosts" "$n" 6)" "$(planned "$n" 6)" \
		"getent ahostsv6 $n (the short name of the fragment)"
done
check "laptop pings paris by its short name from the hosts fragment" \
	ping_name "$TOPO_TMP/resolv.none" "$out/hosts" paris 4
kill -0 "$named_pid"
ok $? "named ran to the end (killed at exit)"
done_testing

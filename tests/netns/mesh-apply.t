#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-mesh apply over real OpenSSH: the four-site example (tokyo and paris
# dual-stack, osaka and lima IPv6-only, a LAN behind each) with an sshd per
# site, applied from an admin namespace. lima runs Debian's wg-quick with
# wireguard-go, the others ours. Then: every LAN pings every other over IPv4
# and IPv6; a second apply changes nothing and runs no state-changing wg or
# wg-quick command; --dry-run prints and changes nothing; a new LAN and a
# rotated key go through syncconf while a 50 ms ping between two other sites
# loses nothing; an address change restarts that site alone; a site whose
# sshd is down is reported while the others finish, and comes in line later;
# bad input (an unknown ssh: form, an unreachable host, an unknown host key)
# runs nothing; a site
# removed from sites.yaml goes down and loses its config; a renamed interface
# replaces the old one.
T=ma-apply
P=ma-a
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=$OUR_QUICK
MESH_USERSPACE=$OUR_ENGINE
. "$here/../lib/topology.sh"
. "$here/../lib/sshd-sites.sh"
need_netns
need "$OUR_MESH" "$OUR_WG" "$OUR_QUICK" "$OUR_ENGINE" "$REF_WG" "$REF_QUICK" "$REF_GO" \
	"$SSHD_BIN" ssh ssh-keygen unshare nsenter nft
[ -e /sys/module/wireguard ] && skip_all "the kernel has WireGuard: these sites are userspace ones"
TOPO_TMP=$(mktemp -d /tmp/ma-apply.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"
Y=$TOPO_TMP/sites.yaml

# The example, on interface wgma0, each site reached through a different ssh: form.
seed_sites_yaml "$here/../../examples/sites.yaml" wgma0 ma-osaka "$Y"
is "$(grep -c '^    ssh: ' "$Y")" 4 "four ssh: forms in the test's sites.yaml"

seed_sshd_up ma

apply() { # apply ARGS... : wg-mesh apply from the admin namespace, output in $TOPO_TMP/out.txt
	ip netns exec "${P}adm" env WG_MESH_SSH="$SSHD_SSH" "$OUR_MESH" apply "$Y" -o "$TOPO_TMP/out" \
		"$@" >"$TOPO_TMP/out.txt" 2>&1
}
calls() { # calls K : site K's wg and wg-quick calls since the last reset, minus read-only ones
	sshd_exec "$1" sh -c 'cat /run/wg-calls 2>/dev/null; : >/run/wg-calls' |
		grep -Ev ' (showconf|show [^ ]+ (allowed-ips|dump|endpoints)|--version|-h)( |$)'
}
reset_calls() { for k in 1 2 3 4; do calls "$k" >/dev/null; done; }
upcount() { # upcount K : how many times site K's wg-quick went up since the start
	sshd_exec "$1" sh -c 'grep -c "wg-quick up" /run/wg-calls.all 2>/dev/null || echo 0'
}

apply
ok $? "first apply brings all four sites up"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
is "$(grep -cE '^  (tokyo|paris|osaka|lima) +up ' "$TOPO_TMP/out.txt")" 4 "the summary says up for each"
is "$(sshd_exec 4 sh -c 'grep -c "^/usr/bin/wg-quick up wgma0" /run/wg-calls')" 1 \
	"lima went up with Debian's wg-quick"
check "lima runs wireguard-go" sshd_exec 4 pgrep -x wireguard-go
is "$(sshd_exec 1 stat -c %a /etc/wireguard/wgma0.conf)" 600 "the config is mode 0600 on the site"
check "and is the planned one" sshd_exec 1 cmp -s /etc/wireguard/wgma0.conf "$TOPO_TMP/out/tokyo/wgma0.conf"
is "$(seed_pings)" "" "every LAN pings every other over IPv4 and IPv6"

reset_calls
apply
ok $? "second apply"
grep -q '^apply: nothing to change; 4 sites already run the plan$' "$TOPO_TMP/out.txt"
ok $? "says nothing changed"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
is "$(for k in 1 2 3 4; do calls $k; done)" "" "and ran no wg or wg-quick command that changes state"

# A new LAN at osaka (a peers-only change everywhere) under --dry-run first.
sed -i 's|^    networks: \[10.3.3.0/24, 2001:db8:1:3::/64\]|    networks: [10.3.3.0/24, 2001:db8:1:3::/64, 10.33.0.0/24]|' "$Y"
before=$(sshd_exec 1 cat /etc/wireguard/wgma0.conf | md5sum)
apply --dry-run
ok $? "--dry-run"
is "$(grep -cE '^(tokyo|paris|lima) \(.*\): sync: ' "$TOPO_TMP/out.txt")" 3 "dry run: three sites would sync"
grep -q '^    ip -4 route add 10.33.0.0/24 dev wgma0$' "$TOPO_TMP/out.txt"
ok $? "dry run: the exact route command"
grep -q '^    wg syncconf wgma0 /etc/wireguard/.wgma0.strip.wg-mesh$' "$TOPO_TMP/out.txt"
ok $? "dry run: the exact syncconf"
is "$(sshd_exec 1 cat /etc/wireguard/wgma0.conf | md5sum)" "$before" "dry run: tokyo's file unchanged"
is "$(for k in 1 2 3 4; do calls $k; done)" "" "dry run: no state-changing command"

# The real thing while tokyo's LAN pings paris's every 50 ms (both only sync).
pinger_start() {
	ip netns exec "${P}l1" "${topo_pinger[@]}" -i 0.05 10.2.2.2 >"$TOPO_TMP/ping.txt" 2>&1 &
	pinger=$!
	sleep 0.5
}
# How many replies were lost, after stopping the pinger: gaps in the sequence
# of replies (the request in flight when it stops is not one).
pinger_lost() {
	sleep 0.5
	kill -INT "$pinger"
	wait "$pinger"
	awk 'match($0, /seq=[0-9]+/) { s = substr($0, RSTART + 4, RLENGTH - 4) + 0;
			if (!n++) first = s; last = s }
		END { if (n < 10) print "only " n " replies"; else print last - first + 1 - n }' "$TOPO_TMP/ping.txt"
	[ -z "${V:-}" ] || sed 's/^/#   /' "$TOPO_TMP/ping.txt" | head -5 >&2
}
ping_new() { # ping_new K : from LAN host K to osaka's new LAN
	local try
	for try in 1 2 3 4 5; do
		ip netns exec "${P}l$1" "${topo_pinger[@]}" -c 1 -W 1 10.33.0.1 >/dev/null 2>&1 && return 0
	done
	return 1
}
ups_downs() { # ups_downs : per site, its wg-quick up and down calls since the last reset
	local k
	for k in 1 2 3 4; do
		echo "${SEED_SITES[$((k - 1))]} $(calls "$k" | grep -cE 'wg-quick (up|down)')"
	done
}

pinger_start
apply
ok $? "apply the new LAN"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
is "$(pinger_lost)" 0 "no reply lost between tokyo's and paris's LANs (50 ms pings)"
is "$(grep -cE '^  (tokyo|paris|lima) +sync ' "$TOPO_TMP/out.txt")" 3 "three sites synced"
grep -qE '^  osaka +unchanged' "$TOPO_TMP/out.txt"
ok $? "osaka itself unchanged"
is "$(ups_downs)" $'tokyo 0\nparis 0\nosaka 0\nlima 0' "nobody went down or up"
ip netns exec "${P}s3" ip addr add 10.33.0.1/24 dev mshlan
for k in 1 2 4; do
	check "osaka's new LAN reachable from ${SEED_SITES[$((k - 1))]}'s" ping_new "$k"
done

# A rotated key: osaka's own and everyone's peer entry for it, all by syncconf.
pinger_start
apply --rotate osaka
ok $? "apply --rotate osaka"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
is "$(pinger_lost)" 0 "no reply lost between tokyo's and paris's LANs"
is "$(grep -cE '^  (tokyo|paris|osaka|lima) +sync ' "$TOPO_TMP/out.txt")" 4 "four sites synced"
is "$(ups_downs)" $'tokyo 0\nparis 0\nosaka 0\nlima 0' "nobody went down or up"
is "$(sshd_exec 3 "$OUR_WG" show wgma0 public-key)" "$(grep -A2 '^# osaka' "$TOPO_TMP/out/tokyo/wgma0.conf" | sed -n 's/^PublicKey = //p')" \
	"osaka runs the new key its peers know"
for k in 1 2 4; do
	check "osaka's LAN reachable from ${SEED_SITES[$((k - 1))]}'s with the new key" topo_ping "$k" 3 6
done

# tokyo's interface address: tokyo restarts, the others only sync their peer entry.
sed -i 's|^    address: \[192.168.0.1, 2001:db8:12:34::1\]|    address: [192.168.0.11, 2001:db8:12:34::1]|' "$Y"
apply
ok $? "apply tokyo's new address"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
grep -qE "^  tokyo +restart +interface setting .address' changed" "$TOPO_TMP/out.txt"
ok $? "tokyo restarts, and says why"
is "$(ups_downs)" $'tokyo 2\nparis 0\nosaka 0\nlima 0' "only tokyo went down and up"
check "tokyo has its new address" sshd_exec 1 sh -c 'ip -4 addr show dev wgma0 | grep -q "inet 192.168.0.11/24"'
is "$(seed_pings)" "" "every LAN pings every other again"

# paris unreachable (its sshd stopped) while lima gains a LAN: the others finish.
sshd_stop 2
sed -i 's|^    networks: \[10.4.4.0/24, 2001:db8:1:4::/64\]|    networks: [10.4.4.0/24, 2001:db8:1:4::/64, 10.44.0.0/24]|' "$Y"
apply
is "$?" 1 "apply with paris unreachable exits 1"
grep -qE '^  paris +FAILED +unreachable \(ssh exit 255\): .*198.18.2.2.*(refused|unreachable)' "$TOPO_TMP/out.txt"
ok $? "paris is reported unreachable, in ssh's words"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
is "$(grep -cE '^  (tokyo|osaka) +sync ' "$TOPO_TMP/out.txt")" 2 "tokyo and osaka synced all the same"
check "sshd on paris back" sshd_start 2
apply
ok $? "apply again"
grep -qE '^  paris +sync ' "$TOPO_TMP/out.txt" && grep -q '^apply: 1 site changed, 3 unchanged, 0 failed$' "$TOPO_TMP/out.txt"
ok $? "brings paris in line, and only paris"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
check "paris routes lima's new LAN" sshd_exec 2 sh -c 'ip -4 route show dev wgma0 | grep -q "^10.44.0.0/24"'

# Bad input: nothing runs anywhere.
reset_calls
cp "$Y" "$TOPO_TMP/good.yaml"
sed -i 's|^    ssh: ma-osaka|    ssh: ma-osaka:22|' "$Y"
apply
is "$?" 1 "an unknown ssh: form is refused"
line=$(grep -n 'ssh: ma-osaka:22' "$Y" | cut -d: -f1)
grep -q "^$Y:$line:10: error: \`ma-osaka:22' is not an SSH destination; expected user@host" "$TOPO_TMP/out.txt"
ok $? "at its file:line:col, with the forms it takes"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
cp "$TOPO_TMP/good.yaml" "$Y"
sed -i 's|^    ssh: ma-osaka|    ssh: root@198.18.99.2|' "$Y"
apply --site osaka
is "$?" 1 "an unreachable host fails"
grep -qE '^  osaka +FAILED +unreachable' "$TOPO_TMP/out.txt"
ok $? "naming the site"
is "$(for k in 1 2 3 4; do calls $k; done)" "" "and nothing ran on any site"
check "osaka still runs its old config" topo_ping 1 3 4
cp "$TOPO_TMP/good.yaml" "$Y"
cp "$SSHD_DIR/known_hosts" "$TOPO_TMP/known_hosts.good"
grep -v '^198.18.1.2' "$TOPO_TMP/known_hosts.good" >"$SSHD_DIR/known_hosts"
apply --site tokyo
is "$?" 1 "a host key the client does not know: refused"
grep -qE '^  tokyo +FAILED +unreachable \(ssh exit 255\): Host key verification failed' "$TOPO_TMP/out.txt"
ok $? "in ssh's words, never accepted"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
cp "$TOPO_TMP/known_hosts.good" "$SSHD_DIR/known_hosts"
is "$(for k in 1 2 3 4; do calls $k; done)" "" "and nothing ran on any site"

# lima removed from sites.yaml: it goes down and loses its file, the others drop it.
sed -i '/^  lima:/,/^clients:/{/^clients:/!d}' "$Y"
apply
ok $? "apply without lima"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
grep -qE '^  lima +down +no longer in sites.yaml' "$TOPO_TMP/out.txt"
ok $? "lima taken down"
is "$(grep -cE '^  (tokyo|paris|osaka) +sync ' "$TOPO_TMP/out.txt")" 3 "the others drop it by syncconf"
check "lima has no interface left" sshd_exec 4 sh -c '! ip link show wgma0 2>/dev/null'
check "nor its config" sshd_exec 4 test ! -e /etc/wireguard/wgma0.conf
check "the applied list forgot it" sh -c "! grep -q '^lima ' '$TOPO_TMP/out/.wg-mesh-applied'"
apply
grep -q '^apply: nothing to change; 3 sites already run the plan$' "$TOPO_TMP/out.txt"
ok $? "and a second run changes nothing"

# mesh.interface renamed: each site takes the old interface down, then brings the new one up.
sed -i 's/^  interface: wgma0/  interface: wgma1/' "$Y"
apply
ok $? "apply the interface renamed to wgma1"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
is "$(grep -cE '^  (tokyo|paris|osaka) +up .*\(wgma0 taken down first\)' "$TOPO_TMP/out.txt")" 3 \
	"every site: wgma0 down first, then wgma1 up"
check "no wgma0 left on tokyo" sshd_exec 1 sh -c '! ip link show wgma0 2>/dev/null && test ! -e /etc/wireguard/wgma0.conf'
fails=
for from in 1 2 3; do
	for to in 1 2 3; do
		[ "$from" = "$to" ] || topo_ping "$from" "$to" 6 || fails+=" $from->$to"
	done
done
is "$fails" "" "the three LANs ping each other over wgma1"
apply
grep -q '^apply: nothing to change; 3 sites already run the plan$' "$TOPO_TMP/out.txt"
ok $? "and a second run changes nothing"
done_testing

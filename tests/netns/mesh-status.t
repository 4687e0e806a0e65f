#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-mesh status over real OpenSSH: four sites in namespaces, each with its
# own sshd (tests/lib/sshd-sites.sh), reached by address, by Host alias and
# by ssh:// URI; one IPv6-only, one behind "NAT" (no endpoint). A healthy
# mesh exits 0; a site whose interface is down, or whose sshd is stopped,
# makes status exit 2 and name that site and its pairs, in the matrix, in
# JSON (parsed by python3) and in Prometheus' text format (a strict parser,
# and promtool where it is installed).
T=ms-status
P=ms-
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/sshd-sites.sh"
need_netns
need "$OUR_WG" "$OUR_QUICK" "$OUR_ENGINE" "$OUR_MESH" "$SSHD_BIN" ssh ssh-keygen unshare nsenter python3 perl
command -v ping >/dev/null || need busybox
PROM_CHECK=$here/../lib/prom-check

check "admin namespace and client key" sshd_init
for k in 1 2 3 4; do ns_add ${P}site$k || exit 1; done
for k in 1 2 3 4; do check "site $k with sshd" sshd_site $k ${P}site$k ms-s$k ours || exit 1; done
A() { ip netns exec ${P}adm "$@"; }

# The admin namespace routes between the sites' management links: the "Internet".
A sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for k in 1 2 3 4; do
	ip -n ${P}site$k route add default via 198.18.$k.1
	ip -n ${P}site$k -6 route add default via fd18::$k:1
done

dir=$SSHD_DIR/mesh
mkdir -p "$dir"
cat >"$dir/sites.yaml" <<EOF
mesh:
  interface: wgms0
  tunnel: [10.77.0.0/24, fd77::/64]
  keepalive: 25
sites:
  s1:
    endpoint: 198.18.1.2
    networks: [10.71.0.0/24]
    ssh: root@198.18.1.2
  s2:
    endpoint: fd18::2:2
    ssh: ms-s2
  s3:
    endpoint: [198.18.3.2, fd18::3:2]
    ssh: "ssh://root@[fd18::3:2]:22"
  s4:
    ssh: root@198.18.4.2
clients:
  phone:
    via: s1
EOF
check "plan" "$OUR_MESH" plan "$dir/sites.yaml"
for k in 1 2 3 4; do
	sshd_exec $k sh -c "cat >/etc/wireguard/wgms0.conf && chmod 600 /etc/wireguard/wgms0.conf" \
		<"$dir/out/s$k/wgms0.conf"
	check "s$k up" sshd_exec $k wg-quick up wgms0
done

status() { # status ARGS... : wg-mesh status from the admin namespace; output in $dir/out.txt
	A env WG_MESH_SSH="$SSHD_SSH" WG_COLOR_MODE=never "$OUR_MESH" status "$dir/sites.yaml" "$@" \
		>"$dir/out.txt" 2>"$dir/err.txt"
}

status
is $? 2 "before any traffic: pairs never had a handshake, exit 2"
grep -q "never" "$dir/out.txt"
ok $? "the matrix says never"

# Traffic between every pair of sites makes every handshake (s4 has no endpoint: it dials out).
tunnel() { echo "10.77.0.$1"; }
pinger=(ping)
command -v ping >/dev/null || pinger=(busybox ping)
for a in 4 1 2 3; do
	for b in 1 2 3 4; do
		[ $a = $b ] || ip netns exec ${P}site$a "${pinger[@]}" -c 1 -W 2 "$(tunnel $b)" >/dev/null 2>&1
	done
done
for a in 1 2 3 4; do
	for b in 1 2 3 4; do
		[ $a = $b ] && continue
		ip netns exec ${P}site$a "${pinger[@]}" -c 1 -W 2 "$(tunnel $b)" >/dev/null 2>&1
		ok $? "s$a reaches s$b through the tunnel"
	done
done

status
is $? 0 "healthy mesh: exit 0"
sed 's/^/#   /' "$dir/out.txt"
grep -q "^6 of 6 site pairs up, 0 of 1 client connected: OK$" "$dir/out.txt"
ok $? "summary: all six pairs up"
is "$(grep -c '^s[1-4] ' "$dir/out.txt") $(awk 'NR == 1 { print $1 $2 $3 $4 }' "$dir/out.txt")" "4 s1s2s3s4" \
	"a row and a column per site"
grep -q '^s1 .* via s3 ' "$dir/out.txt"
ok $? "s1-s2 (IPv4-only and IPv6-only) goes via s3"
grep -q "^phone " "$dir/out.txt"
ok $? "the client has its own row"
! grep -Eq "down|unreachable|missing|stale" "$dir/out.txt"
ok $? "no cell reports a problem"

status --json
is $? 0 "--json: exit 0"
python3 -m json.tool "$dir/out.txt" >/dev/null
ok $? "--json output parses (python3 -m json.tool)"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ok"], len(d["pairs"]), sorted({p["state"] for p in d["pairs"] if not p["client"]}))' "$dir/out.txt")" \
	"True 7 ['up']" "JSON: ok, six site pairs and one client pair, all site pairs up"

status --prometheus
is $? 0 "--prometheus: exit 0"
"$PROM_CHECK" <"$dir/out.txt" >"$dir/prom.txt" 2>&1
ok $? "--prometheus output passes the strict parser"
sed 's/^/#   /' "$dir/prom.txt"
if command -v promtool >/dev/null; then
	promtool check metrics <"$dir/out.txt"
	ok $? "promtool check metrics"
fi
is "$(grep -c '^wgmesh_pair_up{.*kind="site".*} 1$' "$dir/out.txt")" 6 "six site pairs up"
grep -q '^wgmesh_ok 1$' "$dir/out.txt"
ok $? "wgmesh_ok 1"

# s3's interface goes down: s3 and its three pairs are named.
check "s3 down" sshd_exec 3 wg-quick down wgms0
status
is $? 2 "s3 down: exit 2"
sed 's/^/#   /' "$dir/out.txt"
grep -q "^s3: down (interface wgms0 is not up)$" "$dir/out.txt"
ok $? "names s3 and why"
is "$(awk '/^s3 / { print $2, $3, $5 }' "$dir/out.txt")" "down down down" "s3's row: its pairs down"
is "$(awk '/^s1 / { print $4 }' "$dir/out.txt")" "down" "s1's cell for s3: down"
is "$(awk '/^s1 / { print $3 }' "$dir/out.txt")" "down" "and for s2, relayed by s3"
grep -q "^2 of 6 site pairs up" "$dir/out.txt"
ok $? "summary: two of six pairs up (s1-s4, s2-s4)"

status --json
is $? 2 "--json: exit 2"
python3 -m json.tool "$dir/out.txt" >/dev/null
ok $? "--json output parses"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s3 = [s["state"] for s in d["sites"] if s["name"] == "s3"]
bad = sorted(p["site"] + "-" + p["peer"] + ":" + p["state"] + ":" + p["blame"] for p in d["pairs"] if p["failed"])
print(d["ok"], s3, bad)' "$dir/out.txt")" \
	"False ['down'] ['s1-s2:down:s3', 's1-s3:down:s3', 's2-s3:down:s3', 's3-s4:down:s3']" \
	"JSON names s3 down and exactly its three pairs and the one it relays, blaming s3"

status --prometheus
is $? 2 "--prometheus: exit 2"
"$PROM_CHECK" <"$dir/out.txt" >/dev/null
ok $? "passes the strict parser"
grep -q '^wgmesh_site_interface_up{site="s3"} 0$' "$dir/out.txt" &&
	grep -q '^wgmesh_ok 0$' "$dir/out.txt"
ok $? "wgmesh_site_interface_up for s3 is 0, wgmesh_ok 0"
is "$(grep '^wgmesh_pair_up{.*kind="site".*} 0$' "$dir/out.txt" | sed 's/{site="\([^"]*\)",peer="\([^"]*\)".*/ \1-\2/' | tr -d '\n')" \
	"wgmesh_pair_up s1-s2wgmesh_pair_up s1-s3wgmesh_pair_up s2-s3wgmesh_pair_up s3-s4" \
	"wgmesh_pair_up is 0 for exactly those four"

# s2's sshd stops: unreachable, the others still read.
check "s3 up again" sshd_exec 3 wg-quick up wgms0
sshd_stop 2
status
is $? 2 "s2 unreachable: exit 2"
sed 's/^/#   /' "$dir/out.txt"
grep -q "^s2: unreachable (" "$dir/out.txt"
ok $? "names s2 unreachable, with ssh's reason"
is "$(awk '/^s2 / { print $2, $4, $5 }' "$dir/out.txt")" "unreachable unreachable unreachable" \
	"s2's row"
check "s2's sshd again" sshd_start 2

# The command line around it.
grep -v '^ *ssh:' "$here/../../examples/sites.yaml" >"$dir/nossh.yaml"
"$OUR_MESH" plan "$dir/nossh.yaml" >/dev/null 2>&1
"$OUR_MESH" status "$dir/nossh.yaml" >"$dir/out.txt" 2>&1
is "$?:$(cat "$dir/out.txt")" "1:Unable to check $dir/nossh.yaml: no site has an \`ssh:' destination; add one such as \`ssh: root@203.0.113.1' to each site to check" \
	"no ssh: anywhere: exit 1, saying what to add"
sed 's/^clients:$/  s5:\n    endpoint: 198.18.5.2\n    ssh: root@198.18.5.2\n&/' "$dir/sites.yaml" >"$dir/new.yaml"
"$OUR_MESH" status "$dir/new.yaml" -k "$dir/sites.keys" >"$dir/out.txt" 2>&1
is "$?:$(cat "$dir/out.txt")" "1:Unable to check \`s5': it is not planned yet; run \`wg-mesh plan' and apply it first" \
	"a site the keystore does not know: refused"
"$OUR_MESH" status "$dir/sites.yaml" --json --prometheus >/dev/null 2>"$dir/err.txt"
is "$?:$(head -1 "$dir/err.txt")" "1:wg-mesh: --json with --prometheus does not go with \`status'" \
	"--json and --prometheus exclude each other"
"$OUR_MESH" plan "$dir/sites.yaml" --json >/dev/null 2>"$dir/err.txt"
is "$?:$(head -1 "$dir/err.txt")" "1:wg-mesh: --json does not go with \`plan'" "--json only with status"
comp=$(bash -c ". '$here/../../completion/wg-mesh.bash-completion'
	COMP_WORDS=(wg-mesh st); COMP_CWORD=1; _wg_mesh; echo \${COMPREPLY[*]}
	COMP_WORDS=(wg-mesh status '$dir/sites.yaml' --); COMP_CWORD=3; _wg_mesh; echo \${COMPREPLY[*]}")
is "$comp" $'status\n--keys --json --prometheus --jobs --help' "bash completion: status and its options"
is "$(man --warnings -l "$here/../../man/wg-mesh.8" 2>&1 >/dev/null)" "" "wg-mesh(8) renders without warnings"
done_testing

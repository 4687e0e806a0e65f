#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Peers reached by host name (issue 12, "Changing endpoints"), for real:
# tokyo (IPv4 and IPv6), paris (by the name paris.rr.test) and osaka (IPv6
# only) in namespaces, each with its own sshd, applied from an admin
# namespace. tokyo and osaka resolve paris.rr.test through an /etc/hosts of
# their own (bound in their mount namespaces): tokyo to paris's IPv4 address,
# osaka to its IPv6 one. plan writes the re-resolve script and units for tokyo
# and osaka only; apply installs the script (0600) and, with no systemd here,
# says that nothing runs it. Then paris moves to new addresses and both hosts
# files follow: traffic to paris stops; osaka, which never shook hands with
# paris, gets the new endpoint from its script at once; tokyo's script leaves
# paris alone while their handshake is fresh and, once it is older than
# 135 s (run with a clock 140 s ahead), sets the new endpoint and traffic
# flows again. Each script is run as
# its planned service would run it (the ExecStart line). A peer missing from
# the interface is not added back, and the files go when the name does.
T=rr-reresolve
P=rr-
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=$OUR_QUICK
MESH_USERSPACE=$OUR_ENGINE
. "$here/../lib/topology.sh"
. "$here/../lib/sshd-sites.sh"
need_netns
need "$OUR_MESH" "$OUR_WG" "$OUR_QUICK" "$OUR_ENGINE" "$SSHD_BIN" ssh ssh-keygen unshare nsenter \
	nft dash
[ -e /sys/module/wireguard ] && skip_all "the kernel has WireGuard: these sites are userspace ones"
TOPO_TMP=$(mktemp -d /tmp/rr-reresolve.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"
Y=$TOPO_TMP/sites.yaml
O=$TOPO_TMP/out
IF=rrwg0
SITE_PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

cat >"$Y" <<EOF
mesh:
  interface: $IF
  tunnel: [192.168.99.0/24, 2001:db8:99::/64]
sites:
  tokyo:
    endpoint: [192.0.2.1, 2001:db8:1234:1::1]
    networks: [10.1.1.0/24, 2001:db8:1:1::/64]
    ssh: root@198.18.1.2
  paris:
    endpoint: paris.rr.test
    networks: [10.2.2.0/24, 2001:db8:1:2::/64]
    ssh: root@198.18.2.2
  osaka:
    endpoint: 2001:db8:1234:3::1
    networks: [10.3.3.0/24, 2001:db8:1:3::/64]
    ssh: root@198.18.3.2
EOF

check "three sites and the WAN in namespaces" topo_build 3
check "admin namespace and client key" sshd_init
names=(tokyo paris osaka)
for k in 1 2 3; do
	check "sshd on ${names[$((k - 1))]}" sshd_site "$k" "${P}s$k" "rr-${names[$((k - 1))]}" ours
done

hosts() { # hosts K ADDRESS : site K's /etc/hosts names paris.rr.test ADDRESS (same file, same inode)
	printf '127.0.0.1 localhost\n::1 localhost\n%s paris.rr.test\n' "$2" >"$TOPO_TMP/hosts$1"
}
hosts 1 192.0.2.5
hosts 3 2001:db8:1234:2::1
for k in 1 3; do
	check "site $k has its own /etc/hosts" sshd_exec "$k" mount --bind "$TOPO_TMP/hosts$k" /etc/hosts
done
check "tokyo resolves paris.rr.test to 192.0.2.5" \
	sshd_exec 1 sh -c 'getent hosts paris.rr.test | grep -q "^192.0.2.5 "'

site() { # site K CMD... : CMD on site K with its PATH (our wg and wg-quick first)
	local k=$1
	shift
	sshd_exec "$k" env PATH="$SITE_PATH" "$@"
}
apply() { # apply ARGS... : wg-mesh apply from the admin namespace, output in $TOPO_TMP/out.txt
	ip netns exec "${P}adm" env WG_MESH_SSH="$SSHD_SSH" "$OUR_MESH" apply "$Y" -o "$O" "$@" \
		>"$TOPO_TMP/out.txt" 2>&1
}
show_out() { sed 's/^/#   /' "$TOPO_TMP/out.txt"; }
key_of() { # key_of NAME : its public key, from tokyo's or paris's planned config
	grep -h -A1 "^# $1\$" "$O/tokyo/$IF.conf" "$O/paris/$IF.conf" | sed -n 's/^PublicKey = //p' | head -1
}
endpoint_of() { # endpoint_of K NAME : site K's endpoint for peer NAME
	site "$1" wg show "$IF" endpoints | awk -v k="$(key_of "$2")" '$1 == k { print $2 }'
}
handshake_of() { # handshake_of K NAME : site K's last handshake with NAME (seconds since 1970, 0: none)
	site "$1" wg show "$IF" latest-handshakes | awk -v k="$(key_of "$2")" '$1 == k { print $2 }'
}
unit_exec() { # unit_exec K NAME : site K runs its re-resolve script as the planned service of NAME would
	local exec
	exec=$(sed -n 's/^ExecStart=//p' "$O/$2/wg-mesh-reresolve-$IF.service")
	[ -n "$exec" ] || return 1
	# shellcheck disable=SC2086 # the ExecStart line is a command and its argument
	site "$1" $exec
}
ping_once() { # ping_once FROM_K TO_K 4|6 : one LAN-to-LAN ping, two seconds to answer
	local dst=10.$2.$2.2
	[ "$3" = 6 ] && dst=2001:db8:1:$2::2
	ip netns exec "${P}l$1" "${topo_pinger[@]}" -"$3" -c 1 -W 2 "$dst" >/dev/null 2>&1
}

# ---------------------------------------------------------------- plan
check "plan" "$OUR_MESH" plan "$Y" -o "$O"
is "$(cd "$O" && find . -path './*/*' -name '*reresolve*' -printf '%m %p\n' | sort)" \
	"600 ./osaka/$IF.reresolve.sh
600 ./osaka/wg-mesh-reresolve-$IF.service
600 ./osaka/wg-mesh-reresolve-$IF.timer
600 ./tokyo/$IF.reresolve.sh
600 ./tokyo/wg-mesh-reresolve-$IF.service
600 ./tokyo/wg-mesh-reresolve-$IF.timer" \
	"a script, a service and a timer for tokyo and osaka; none for paris (its peers are addresses)"
is "$(grep -c '^reresolve ' "$O/tokyo/$IF.reresolve.sh")" 1 "tokyo's script names one peer"
grep -q "^reresolve 'paris' $(key_of paris) 'paris.rr.test:51820'\$" "$O/tokyo/$IF.reresolve.sh"
ok $? "paris, by its key and paris.rr.test:51820"
check "the script is POSIX sh (dash -n)" dash -n "$O/tokyo/$IF.reresolve.sh"
if command -v shellcheck >/dev/null; then
	check "shellcheck -s sh finds nothing" shellcheck -s sh "$O/tokyo/$IF.reresolve.sh"
fi
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify takes the units" systemd-analyze verify \
		"$O/tokyo/wg-mesh-reresolve-$IF.service" "$O/tokyo/wg-mesh-reresolve-$IF.timer"
fi

# ---------------------------------------------------------------- apply
apply --dry-run
ok $? "apply --dry-run"
is "$(grep -c "^    mv -f /etc/wireguard/.$IF.reresolve.sh.wg-mesh /etc/wireguard/$IF.reresolve.sh\$" \
	"$TOPO_TMP/out.txt")" 2 "dry run: the script's install on tokyo and osaka"
! grep -q 'systemctl' "$TOPO_TMP/out.txt"
ok $? "dry run: no systemctl where systemd does not run"
check "dry run: nothing on tokyo" sshd_exec 1 test ! -e "/etc/wireguard/$IF.reresolve.sh"

apply
ok $? "apply brings the three sites up"
[ $? -eq 0 ] || show_out
is "$(grep -c "re-resolve script installed; no systemd to run it: run \`sh /etc/wireguard/$IF.reresolve.sh' every 30 s" \
	"$TOPO_TMP/out.txt")" 2 "the summary says tokyo's and osaka's script is installed and nothing runs it"
grep -E '^  paris ' "$TOPO_TMP/out.txt" | grep -q 're-resolve'
ok $((!$?)) "and says nothing of paris"
is "$(sshd_exec 1 stat -c %a "/etc/wireguard/$IF.reresolve.sh")" 600 "tokyo's script is 0600"
check "and the planned one" sshd_exec 1 cmp -s "/etc/wireguard/$IF.reresolve.sh" "$O/tokyo/$IF.reresolve.sh"
check "paris has none" sshd_exec 2 test ! -e "/etc/wireguard/$IF.reresolve.sh"
check "no unit written without systemd" \
	sshd_exec 1 test ! -e "/etc/systemd/system/wg-mesh-reresolve-$IF.timer"
apply
grep -q '^apply: nothing to change; 3 sites already run the plan$' "$TOPO_TMP/out.txt"
ok $? "a second apply changes nothing"
[ $? -eq 0 ] || show_out

# ---------------------------------------------------------------- the tunnel, then paris moves
check "tokyo's LAN pings paris's over IPv4" topo_ping 1 2 4
is "$(endpoint_of 1 paris)" 192.0.2.5:51820 "tokyo reaches paris at 192.0.2.5"
is "$(handshake_of 3 paris)" 0 "osaka never shook hands with paris"

move_paris() {
	ip -n "${P}s2" addr del 192.0.2.5/30 dev mshwan &&
		ip -n "${P}wan" addr del 192.0.2.6/30 dev msh2 &&
		ip -n "${P}s2" -6 addr del 2001:db8:1234:2::1/64 dev mshwan &&
		ip -n "${P}wan" -6 addr del 2001:db8:1234:2::ffff/64 dev msh2 &&
		ip -n "${P}s2" addr add 192.0.2.9/30 dev mshwan &&
		ip -n "${P}wan" addr add 192.0.2.10/30 dev msh2 &&
		ip -n "${P}s2" -6 addr add 2001:db8:1234:5::1/64 dev mshwan nodad &&
		ip -n "${P}wan" -6 addr add 2001:db8:1234:5::ffff/64 dev msh2 nodad &&
		ip -n "${P}s2" route replace default via 192.0.2.10 &&
		ip -n "${P}s2" -6 route replace default via 2001:db8:1234:5::ffff
}
check "paris moves to 192.0.2.9 and 2001:db8:1234:5::1" move_paris
hosts 1 192.0.2.9
hosts 3 2001:db8:1234:5::1
check "tokyo's /etc/hosts follows" sshd_exec 1 sh -c 'getent hosts paris.rr.test | grep -q "^192.0.2.9 "'
check "tokyo's LAN no longer reaches paris's" sh -c "! ip netns exec ${P}l1 ${topo_pinger[*]} -c 2 -W 2 10.2.2.2"
ping_once 3 2 6
ok $((!$?)) "nor does osaka's (the old IPv6 address)"

# osaka: no handshake ever, so its script sets the name's new address at once.
unit_exec 3 osaka >"$TOPO_TMP/run.txt" 2>&1
ok $? "osaka's re-resolve service, run by hand"
is "$(cat "$TOPO_TMP/run.txt")" "$IF: peer paris set to paris.rr.test:51820 again" "and it says what it did"
is "$(endpoint_of 3 paris)" "[2001:db8:1234:5::1]:51820" "osaka's endpoint for paris is the new address"
check "osaka's LAN pings paris's over IPv6" topo_ping 3 2 6

# tokyo: the handshake is fresh (under 135 s), so the script leaves paris alone.
hs_before=$(handshake_of 1 paris)
age=$(($(date +%s) - hs_before))
ok $((age > 135)) "tokyo's handshake with paris is ${age} s old, fresh"
sshd_exec 1 sh -c ': >/run/wg-calls'
unit_exec 1 tokyo >"$TOPO_TMP/run.txt" 2>&1
ok $? "tokyo's re-resolve service, run by hand"
is "$(cat "$TOPO_TMP/run.txt")" "" "says nothing"
is "$(sshd_exec 1 grep -c ' set ' /run/wg-calls)" 0 "runs no wg set"
is "$(endpoint_of 1 paris)" 192.0.2.5:51820 "and tokyo keeps the old endpoint"

# Then the handshake ages past 135 s, with nothing reaching paris. Rather
# than wait for that, the script runs 140 s later by its own clock: a `date'
# first on its PATH that adds 140 s to `date +%s'. wg's latest handshake
# stays where it was meanwhile, since no handshake with paris completes.
mkdir -p "$TOPO_TMP/later"
printf '%s\n' '#!/bin/sh' \
	'[ "$*" = +%s ] && exec /bin/sh -c '"'"'echo $(($(/bin/date +%s) + 140))'"'" \
	'exec /bin/date "$@"' >"$TOPO_TMP/later/date"
chmod 755 "$TOPO_TMP/later/date"
aged() { # by the later clock
	local t
	t=$(handshake_of 1 paris) && [ $(($(site 1 env PATH="$TOPO_TMP/later:$SITE_PATH" date +%s) - t)) -gt 135 ]
}
check "140 s later, tokyo's last handshake with paris is older than 135 s" aged
is "$(handshake_of 1 paris)" "$hs_before" "and it is still the handshake from before paris moved"
SITE_PATH="$TOPO_TMP/later:$SITE_PATH" unit_exec 1 tokyo >"$TOPO_TMP/run.txt" 2>&1
ok $? "tokyo's re-resolve service, run by hand again, 140 s later"
is "$(cat "$TOPO_TMP/run.txt")" "$IF: peer paris set to paris.rr.test:51820 again" "this time it sets paris"
is "$(endpoint_of 1 paris)" 192.0.2.9:51820 "to the new address"
check "tokyo's LAN pings paris's again" topo_ping 1 2 4
# No check that a new handshake carried it: the script ran early by its own
# clock, so the session from before paris moved may still be young enough to
# carry the ping to the new address (or a retried handshake lands first).

# export ansible installs the same file, 0600, and apply then agrees.
if command -v ansible-playbook >/dev/null && command -v python3 >/dev/null; then
	check "export ansible" "$OUR_MESH" export ansible "$Y" "$TOPO_TMP/ansible"
	check "tokyo loses its script" sshd_exec 1 rm "/etc/wireguard/$IF.reresolve.sh"
	sshd_ansible "$TOPO_TMP/ansible" >"$TOPO_TMP/out.txt" 2>&1
	ok $? "ansible-playbook"
	[ $? -eq 0 ] || show_out
	is "$(awk '/^TASK \[The re-resolve script\]/ { f = 1; next } /^(TASK|PLAY|RUNNING)/ { f = 0 }
		f && /: \[/ { print $1, $2 }' "$TOPO_TMP/out.txt" | sort)" \
		$'changed: [tokyo]\nok: [osaka]\nskipping: [paris]' \
		"the playbook puts tokyo's script back, osaka's is in line, paris has none"
	is "$(sshd_exec 1 stat -c %a "/etc/wireguard/$IF.reresolve.sh")" 600 "0600"
	check "the planned one" sshd_exec 1 cmp -s "/etc/wireguard/$IF.reresolve.sh" "$O/tokyo/$IF.reresolve.sh"
	check "paris has none" sshd_exec 2 test ! -e "/etc/wireguard/$IF.reresolve.sh"
	apply
	grep -q '^apply: nothing to change; 3 sites already run the plan$' "$TOPO_TMP/out.txt"
	ok $? "apply agrees: nothing to change"
	[ $? -eq 0 ] || show_out
fi

# A peer the interface lacks is left out, never added by `wg set'.
check "osaka drops paris from its interface" site 3 wg set "$IF" peer "$(key_of paris)" remove
unit_exec 3 osaka >"$TOPO_TMP/run.txt" 2>&1
ok $? "the script still succeeds"
grep -q "^$IF: peer paris ($(key_of paris)) is not on the interface; left alone\$" "$TOPO_TMP/run.txt"
ok $? "and says why it left paris alone"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/run.txt"
site 3 wg show "$IF" peers | grep -qxF "$(key_of paris)"
ok $((!$?)) "paris is not back on osaka's interface"

# paris by address again: the files go from the plan and from the sites.
sed -i 's|^    endpoint: paris.rr.test$|    endpoint: [192.0.2.9, 2001:db8:1234:5::1]|' "$Y"
apply
ok $? "apply paris by address"
[ $? -eq 0 ] || show_out
is "$(grep -cE '^  (tokyo|osaka) +sync .*\(re-resolve files removed\)' "$TOPO_TMP/out.txt")" 2 \
	"tokyo and osaka sync, and lose their re-resolve files"
check "gone from tokyo" sshd_exec 1 test ! -e "/etc/wireguard/$IF.reresolve.sh"
check "and from the plan" test ! -e "$O/tokyo/$IF.reresolve.sh" -a ! -e "$O/tokyo/wg-mesh-reresolve-$IF.timer"
check "osaka's LAN pings paris's, paris back on its interface" topo_ping 3 2 6
apply
grep -q '^apply: nothing to change; 3 sites already run the plan$' "$TOPO_TMP/out.txt"
ok $? "and a second apply changes nothing"
[ $? -eq 0 ] || show_out
done_testing

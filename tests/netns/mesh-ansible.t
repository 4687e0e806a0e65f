#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-mesh export ansible, run with Debian's ansible-core against the
# four-site example in namespaces, each site with its own sshd (lima with
# Debian's wg-quick and wireguard-go, the others ours): the playbook passes
# --syntax-check, brings every site up, relays and via sites first, and
# reaches exactly the state apply wants (apply afterwards has nothing to do,
# `wg show all dump' unchanged by it); a second run changes nothing; a new
# LAN goes through syncconf without a wg-quick up or down anywhere.
T=ms-ansible
P=mshm
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
MESH_WG_QUICK=$OUR_QUICK
MESH_USERSPACE=$OUR_ENGINE
. "$here/../lib/topology.sh"
. "$here/../lib/sshd-sites.sh"
need_netns
need "$OUR_MESH" "$OUR_WG" "$OUR_QUICK" "$OUR_ENGINE" "$REF_WG" "$REF_QUICK" "$REF_GO" \
	"$SSHD_BIN" ssh ssh-keygen unshare nsenter nft ansible-playbook python3
[ -e /sys/module/wireguard ] && skip_all "the kernel has WireGuard: these sites are userspace ones"
TOPO_TMP=$(mktemp -d /tmp/ms-ansible.XXXXXX)
at_exit "topo_cleanup; rm -rf '$TOPO_TMP'"
Y=$TOPO_TMP/sites.yaml
D=$TOPO_TMP/ansible

seed_sites_yaml "$here/../../examples/sites.yaml" wgms1 root@fd18::3:2 "$Y"
is "$(grep -c '^    ssh: ' "$Y")" 4 "four ssh: forms in the test's sites.yaml"

seed_sshd_up ms

ansible() { # ansible ARGS... : the playbook from the admin namespace, output in $TOPO_TMP/out.txt
	sshd_ansible "$D" "$@" >"$TOPO_TMP/out.txt" 2>&1
}
apply() { # apply ARGS... : wg-mesh apply from the admin namespace, output in $TOPO_TMP/apply.txt
	ip netns exec "${P}adm" env WG_MESH_SSH="$SSHD_SSH" "$OUR_MESH" apply "$Y" -o "$TOPO_TMP/out" \
		"$@" >"$TOPO_TMP/apply.txt" 2>&1
}
calls() { # calls K : site K's wg and wg-quick calls since the last reset, minus read-only ones
	sshd_exec "$1" sh -c 'cat /run/wg-calls 2>/dev/null; : >/run/wg-calls' |
		grep -Ev ' (showconf|show( [^ ]+)?( (allowed-ips|dump|endpoints|interfaces))?|--version|-h|strip [^ ]+)( |$)'
}
classes() { # classes : the change class of every site in the last run, sorted
	grep -oE '"msg": "[a-z]+: [a-z]+"' "$TOPO_TMP/out.txt" | sed 's/"msg": "//; s/"$//' | sort | tr '\n' ' '
}
reset_calls() { for k in 1 2 3 4; do calls "$k" >/dev/null; done; }
dumps() { # dumps : every site's `wg show all dump' (sorted) without handshakes, counters, learnt endpoints
	local k
	for k in 1 2 3 4; do
		sshd_exec "$k" wg show all dump | awk -F'\t' -v OFS='\t' 'NF == 9 { $6 = $7 = $8 = "-" } NF == 9 && $4 !~ /:51820$|:51821$/ { $4 = "-" } { print }' | sort
	done
}

check "plan" "$OUR_MESH" plan "$Y" -o "$TOPO_TMP/out"
check "export ansible" "$OUR_MESH" export ansible "$Y" "$D"
is "$(cd "$D" && find . -type f -printf '%m %p\n' | sort)" "600 ./host_vars/lima.yml
600 ./host_vars/osaka.yml
600 ./host_vars/paris.yml
600 ./host_vars/tokyo.yml
600 ./inventory.yml
600 ./playbook.yml
600 ./wgmesh-handlers.yml
600 ./wgmesh-tasks.yml" "inventory, playbook, tasks, handlers and host_vars, all 0600"
ok $([ "$(stat -c %a "$D/host_vars")" = 700 ] && echo 0 || echo 1) "host_vars is 0700"
ansible --syntax-check
ok $? "ansible-playbook --syntax-check"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt"
! grep -rhoE '^ *[a-z_.]+\.[a-z_]+:' "$D/playbook.yml" "$D/wgmesh-tasks.yml" "$D/wgmesh-handlers.yml" |
	grep -v 'ansible\.builtin\.'
ok $? "only ansible.builtin modules"

ansible
ok $? "the playbook brings up every site"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt" | tail -40
is "$(classes)" "lima: up osaka: up paris: up tokyo: up " "every site: up"
is "$(sed -n '/^PLAY \[wg-mesh relays/,/^PLAY \[wg-mesh the other/p' "$TOPO_TMP/out.txt" | grep -oE '"msg": "[a-z]+:' | tr -d '"' | tr '\n' ' ')" \
	"msg: tokyo: " "tokyo (the phone's via site) alone in the first play"
is "$(grep -oE '^PLAY \[[^]]*\]' "$TOPO_TMP/out.txt" | tr '\n' ' ')" \
	"PLAY [wg-mesh relays and via sites first] PLAY [wg-mesh the other sites] " "two plays, in order"
for k in 1 2 3 4; do
	sshd_exec "$k" cmp -s "/etc/wireguard/wgms1.conf" "$TOPO_TMP/out/${SEED_SITES[$((k - 1))]}/wgms1.conf"
	ok $? "${SEED_SITES[$((k - 1))]} runs the planned file"
done
is "$(sshd_exec 1 stat -c %a /etc/wireguard/wgms1.conf) $(sshd_exec 1 ls /etc/wireguard)" "600 wgms1.conf" \
	"mode 0600, and no copy left behind"
check "lima runs wireguard-go" sshd_exec 4 pgrep -x wireguard-go
is "$(seed_pings)" "" "every LAN pings every other over IPv4 and IPv6"

before=$(dumps)
reset_calls
apply
ok $? "apply after the playbook"
grep -q '^apply: nothing to change; 4 sites already run the plan$' "$TOPO_TMP/apply.txt"
ok $? "apply has nothing to change: the playbook reached apply's state"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/apply.txt"
is "$(dumps)" "$before" "wg show all dump of every site is the same after apply"

reset_calls
ansible
ok $? "the playbook again"
is "$(grep -cE '"msg": "[a-z]+: none"' "$TOPO_TMP/out.txt")" 4 "every site: none"
grep -qE 'changed=0 ' "$TOPO_TMP/out.txt" && ! grep -E 'changed=[1-9]' "$TOPO_TMP/out.txt" >/dev/null
ok $? "nothing changed"
is "$(for k in 1 2 3 4; do calls $k; done)" "" "and no wg or wg-quick command that changes state"

# A new LAN at osaka: peers only everywhere else.
sed -i 's|^    networks: \[10.3.3.0/24, 2001:db8:1:3::/64\]|    networks: [10.3.3.0/24, 2001:db8:1:3::/64, 10.33.0.0/24]|' "$Y"
ip netns exec "${P}s3" ip addr add 10.33.0.1/24 dev mshlan
check "plan the new LAN" "$OUR_MESH" plan "$Y" -o "$TOPO_TMP/out"
check "export again" "$OUR_MESH" export ansible "$Y" "$D"
reset_calls
ansible
ok $? "the playbook with the new LAN"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/out.txt" | tail -40
is "$(classes)" "lima: sync osaka: none paris: sync tokyo: sync " \
	"three sites sync, osaka itself unchanged"
is "$(for k in 1 2 3 4; do calls $k; done | grep -c 'wg-quick \(up\|down\)')" 0 "no wg-quick up or down anywhere"
for k in 1 2 4; do
	ip netns exec "${P}l$k" "${topo_pinger[@]}" -c 1 -W 2 10.33.0.1 >/dev/null 2>&1
	ok $? "${SEED_SITES[$((k - 1))]}'s LAN reaches osaka's new LAN"
done
before=$(dumps)
apply
grep -q '^apply: nothing to change; 4 sites already run the plan$' "$TOPO_TMP/apply.txt"
ok $? "apply agrees: nothing to change"
[ $? -eq 0 ] || sed 's/^/#   /' "$TOPO_TMP/apply.txt"
is "$(dumps)" "$before" "and the dumps stay the same"
# The command line around it.
"$OUR_MESH" export "$Y" "$TOPO_TMP/x" >/dev/null 2>"$TOPO_TMP/err.txt"
is "$?:$(head -1 "$TOPO_TMP/err.txt")" "1:wg-mesh: export needs a format: \`export ansible sites.yaml DIR'" \
	"export without a format: usage error"
sed 's/^clients:$/  extra:\n    endpoint: 192.0.2.99\n&/' "$Y" >"$TOPO_TMP/new.yaml"
"$OUR_MESH" export ansible "$TOPO_TMP/new.yaml" "$TOPO_TMP/x" -k "$TOPO_TMP/sites.keys" >"$TOPO_TMP/err.txt" 2>&1
is "$?:$(cat "$TOPO_TMP/err.txt"):$([ -e "$TOPO_TMP/x" ] && echo written || echo nothing)" \
	"1:Unable to export \`extra': it is not planned yet; run \`wg-mesh plan' first:nothing" \
	"a site the keystore does not know: refused, nothing written"
comp=$(bash -c ". '$here/../../completion/wg-mesh.bash-completion'
	COMP_WORDS=(wg-mesh ex); COMP_CWORD=1; _wg_mesh; echo \${COMPREPLY[*]}
	COMP_WORDS=(wg-mesh export ''); COMP_CWORD=2; _wg_mesh; echo \${COMPREPLY[*]}")
is "$comp" $'export\nansible' "bash completion: export ansible"
left=$(ip netns pids "${P}adm" 2>/dev/null | wc -l)
is "$left" 0 "no ssh or ansible process left in the admin namespace"
done_testing

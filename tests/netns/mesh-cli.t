#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-mesh's command line, without namespaces: a second plan changes nothing,
# --rotate renews one key, a removed site disappears, bad input writes
# nothing and lists every error as file:line:col, modes are 0600, and the
# help, version, check and graph commands behave.
T=msh4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
need "$OUR_MESH"
dir=$(mktemp -d /tmp/msh4.XXXXXX)
at_exit "rm -rf '$dir'"
M=$OUR_MESH
cp "$here/../../examples/sites.yaml" "$dir/sites.yaml"

check "plan" "$M" plan "$dir/sites.yaml"
is "$(stat -c %a "$dir/sites.keys") $(stat -c %a "$dir/out/tokyo/wg0.conf")" "600 600" \
	"keystore and configs are 0600, beside sites.yaml by default"
grep -q "changes:  5 new" /tmp/$T.out
ok $? "first plan: 5 new configs"
grep -qx '192.168.0.1 tokyo.mesh.example tokyo' "$dir/out/hosts" &&
	grep -qx '2001:db8:12:34::5 phone.mesh.example phone' "$dir/out/hosts"
ok $? "mesh.domain: out/hosts names every tunnel address, clients too"
grep -qx "names:    $dir/out/hosts, $dir/out/mesh.example.zone" /tmp/$T.out
ok $? "the summary names the name files"
if [ -x /usr/bin/named-checkzone ]; then
	/usr/bin/named-checkzone mesh.example "$dir/out/mesh.example.zone" >"$dir/zone.out" 2>&1
	ok $? "out/mesh.example.zone loads in named-checkzone"
else
	ok 1 "named-checkzone (bind9-utils, tests/lib/install-deps) is missing"
fi
grep -qP '^osaka\tIN\tAAAA\t2001:db8:12:34::3$' "$dir/out/mesh.example.zone"
ok $? "the zone has each name's AAAA record"
sums=$(cd "$dir" && md5sum out/*/wg0.conf sites.keys out/hosts out/mesh.example.zone)
times=$(cd "$dir" && stat -c '%n %y' out/*/wg0.conf sites.keys out/hosts out/mesh.example.zone)
sleep 1
check "plan again" "$M" plan "$dir/sites.yaml"
grep -q "changes:  0 new, 0 changed, 0 removed, 5 unchanged" /tmp/$T.out
ok $? "second plan reports no change"
is "$(cd "$dir" && md5sum out/*/wg0.conf sites.keys out/hosts out/mesh.example.zone)" "$sums" \
	"second plan: same bytes"
is "$(cd "$dir" && stat -c '%n %y' out/*/wg0.conf sites.keys out/hosts out/mesh.example.zone)" \
	"$times" "neither a config, the name files nor the keystore was rewritten (same mtimes)"

osaka_paris=$(grep -A2 '^# paris' "$dir/out/osaka/wg0.conf")
check "plan --rotate tokyo" "$M" plan "$dir/sites.yaml" --rotate tokyo
grep -q "1 rotated" /tmp/$T.out
ok $? "the summary counts the rotation"
grep -q "changes:  0 new, 5 changed" /tmp/$T.out
ok $? "every config that names tokyo changed"
is "$(grep -A2 '^# paris' "$dir/out/osaka/wg0.conf")" "$osaka_paris" "osaka-paris keys untouched"

sed -i '/^  lima:/,/^clients:/{/^clients:/!d}' "$dir/sites.yaml"
check "plan without lima" "$M" plan "$dir/sites.yaml"
grep -q "1 removed (lima)" /tmp/$T.out
ok $? "lima reported removed"
ok $([ ! -e "$dir/out/lima" ] && echo 0 || echo 1) "lima's directory is gone"
! grep -q "^site lima " "$dir/sites.keys"
ok $? "lima's key is gone from the keystore"
! grep -q "# lima" "$dir/out/tokyo/wg0.conf"
ok $? "and from tokyo's peers"

sed -i '/^  domain:/d' "$dir/sites.yaml"
check "plan without mesh.domain" "$M" plan "$dir/sites.yaml"
ok $([ ! -e "$dir/out/hosts" ] && [ ! -e "$dir/out/mesh.example.zone" ] && echo 0 || echo 1) \
	"without mesh.domain, out/hosts and the zone are gone"

sed -i 's/^  interface: wg0/  interface: mshm0/' "$dir/sites.yaml"
check "plan with another interface name" "$M" plan "$dir/sites.yaml"
is "$(cd "$dir/out" && ls tokyo phone | tr '\n' ' ')" "phone: mshm0.conf mshm0.png  tokyo: mshm0.conf " \
	"the old interface's files are gone"
printf 'mesh:\n  tunnel: [10.0.0.0/24]\n  color: red\nsites:\n  a: {endpoint: "x y"}\n  b: {networks: [10.0.0.0/16]}\nclients:\n  p: {via: nowhere}\n' >"$dir/bad.yaml"
"$M" plan "$dir/bad.yaml" -o "$dir/badout" >"$dir/bad.out" 2>&1
is $? 1 "bad input: exit 1"
ok $([ ! -e "$dir/badout" ] && [ ! -e "$dir/bad.keys" ] && echo 0 || echo 1) "bad input: nothing written"
is "$(grep -o "^$dir/bad.yaml:[0-9]*:[0-9]*" "$dir/bad.out" | sed "s|$dir/||" | tr '\n' ' ')" \
	"bad.yaml:3:3 bad.yaml:5:17 bad.yaml:6:3 bad.yaml:6:18 bad.yaml:8:12 " \
	"every error, sorted, as file:line:col"
grep -q "expected" "$dir/bad.out"
ok $? "errors say what was expected"

cp "$here/../../examples/hub.yaml" "$dir/hub.yaml"
check "plan examples/hub.yaml" "$M" plan "$dir/hub.yaml" -o "$dir/hubout"
grep -q "^topology: hub (tokyo, paris), 2 link rules$" /tmp/$T.out
ok $? "the summary names the hub topology"
grep -q "^peers:    9 pairs (9 site to site" /tmp/$T.out
ok $? "and counts only the pairs that peer"
grep -q "^mtu:      1400 (planned from underlay-mtu)$" /tmp/$T.out
ok $? "and the MTU planned from branch's underlay-mtu"
cp "$here/../../examples/access.yaml" "$dir/access.yaml"
check "plan examples/access.yaml" "$M" plan "$dir/access.yaml" -o "$dir/accessout"
grep -q "^access:   3 allow rules over 3 groups (an nftables table per site)$" /tmp/$T.out
ok $? "the summary counts the access rules"
printf 'mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [a, tokio]\n  links:\n    - remove: [a, b]\nsites:\n  a: {endpoint: 192.0.2.1}\n  b: {}\n' >"$dir/badhub.yaml"
"$M" plan "$dir/badhub.yaml" -o "$dir/badhubout" >"$dir/bad.out" 2>&1
is "$?:$([ -e "$dir/badhubout" ] || [ -e "$dir/badhub.keys" ] || echo nothing)" "1:nothing" \
	"a bad topology: exit 1 and nothing written"
is "$(grep -o "^$dir/badhub.yaml:[0-9]*:[0-9]*: error: [a-z]* [a-z\`']*" "$dir/bad.out" | sed "s|$dir/||")" \
	"badhub.yaml:4:13: error: hub \`tokio'
badhub.yaml:6:7: error: removing the" "the unknown hub and the removed link that cuts b off, at their line and column"
# Key age: date two keys 100 days back, then warn and rotate.
cp "$dir/sites.yaml" "$dir/age.yaml"
sed -i 's/^  tunnel: .*/&\n  key-max-age: 90d/' "$dir/age.yaml"
check "plan with key-max-age" "$M" plan "$dir/age.yaml" -o "$dir/ageout"
grep -q "^site tokyo [^ ]* made=20[0-9-]*T[0-9:]*Z " "$dir/age.keys"
ok $? "the keystore dates each key"
! grep -q warning /tmp/$T.out
ok $? "new keys: no warning"
old=$(date -u -d '100 days ago' +%Y-%m-%dT%H:%M:%SZ)
sed -i -E "/^(site tokyo|client phone) /s/made=[^ ]*/made=$old/" "$dir/age.keys"
"$M" check "$dir/age.yaml" >"$dir/age.out" 2>&1
is "$?:$(grep -c "warning: the key of .* is 100 days old" "$dir/age.out")" "0:2" "check warns about the two old keys and still succeeds"
grep -q "^$dir/age.yaml:[0-9]*:3: warning: the key of site \`tokyo'" "$dir/age.out"
ok $? "the warning points at tokyo's name"
check "plan --rotate-older-than 90d" "$M" plan "$dir/age.yaml" -o "$dir/ageout" --rotate-older-than 90d
grep -q "(0 new, 2 rotated)" /tmp/$T.out
ok $? "it rotates exactly the two old keys"
! grep -q "made=$old" "$dir/age.keys"
ok $? "and dates them now"
"$M" check "$dir/age.yaml" --rotate-older-than 90d >/dev/null 2>"$dir/err"
is "$?:$(head -1 "$dir/err")" "1:wg-mesh: --rotate-older-than does not go with \`check'" "--rotate-older-than only with plan"
"$M" plan "$dir/age.yaml" --rotate-older-than soon >/dev/null 2>"$dir/err"
is "$?:$(grep -c "is not an age" "$dir/err")" "1:1" "a bad age is refused"
check "check" "$M" check "$dir/sites.yaml"
"$M" graph "$dir/sites.yaml" >"$dir/g.dot"
is "$(head -1 "$dir/g.dot"; tail -1 "$dir/g.dot")" $'graph mesh {\n}' "graph prints DOT"
is "$(grep -c -- ' -- ' "$dir/g.dot")" 4 "3 site links and the phone"
"$M" --help >"$dir/help" 2>&1
is "$?$(grep -c '^  plan' "$dir/help")" 01 "--help: usage on stdout, exit 0"
"$M" frobnicate "$dir/sites.yaml" >/dev/null 2>&1
is $? 1 "an unknown command: exit 1"
is "$("$M" --version)" "wg-mesh v$(sed -n 's/^VERSION := //p' "$here/../../Makefile")" "--version"
"$M" show "$dir/sites.yaml" nobody >/dev/null 2>"$dir/err"
is "$?" 1 "show of an unknown name fails"
comp=$(bash -c ". '$here/../../completion/wg-mesh.bash-completion'
	COMP_WORDS=(wg-mesh qr '$dir/sites.yaml' ''); COMP_CWORD=3; _wg_mesh; echo \${COMPREPLY[*]}
	COMP_WORDS=(wg-mesh show '$dir/sites.yaml' ''); COMP_CWORD=3; _wg_mesh; echo \${COMPREPLY[*]}
	COMP_WORDS=(wg-mesh plan '$dir/sites.yaml' --rotate-older-than ''); COMP_CWORD=4; _wg_mesh; echo \${COMPREPLY[*]}
	COMP_WORDS=(wg-mesh plan '$dir/sites.yaml' --rotate-o); COMP_CWORD=3; _wg_mesh; echo \${COMPREPLY[*]}")
is "$comp" $'phone\ntokyo paris osaka phone\n30d 90d 180d 1y\n--rotate-older-than' "bash completion: clients for qr, every name for show, ages, --rotate-older-than"
is "$(man --warnings -l "$here/../../man/wg-mesh.8" 2>&1 >/dev/null)" "" "wg-mesh(8) renders without warnings"
"$M" show "$dir/sites.yaml" tokyo --rotate tokyo >/dev/null 2>"$dir/err"
is "$?:$(head -1 "$dir/err")" "1:wg-mesh: --rotate does not go with \`show'" "--rotate only with plan"
done_testing

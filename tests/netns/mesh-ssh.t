#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The SSH harness of the wg-mesh apply tests (tests/lib/sshd-sites.sh) and
# the transport over it: real sshd per site in namespaces, reached from an
# admin namespace by address (IPv4 and IPv6) and by Host alias, strict host
# keys, private /etc/wireguard and /run per site, our binaries or Debian's on
# the site, sshd stopped and started without losing the site, and nothing
# left running afterwards.
T=ma-ssh
P=ma-h
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/sshd-sites.sh"
need_netns
need "$OUR_WG" "$OUR_QUICK" "$OUR_ENGINE" "$SSHD_BIN" ssh ssh-keygen unshare nsenter

check "admin namespace and client key" sshd_init
ns_add ${P}s1 && ns_add ${P}s2
check "site 1 with our binaries" sshd_site 1 ${P}s1 ma-one ours
check "site 2 with Debian's" sshd_site 2 ${P}s2 ma-two debian
A() { ip netns exec ${P}adm "$@"; }

is "$(A $SSHD_SSH root@198.18.1.2 'wg --version >/dev/null; wg-quick -h >/dev/null 2>&1; cat /run/wg-calls' </dev/null)" \
	"$OUR_WG --version"$'\n'"$OUR_QUICK -h" "site 1 runs our wg and wg-quick, and logs the calls"
is "$(A $SSHD_SSH ma-two 'wg --version >/dev/null; cat /run/wg-calls' </dev/null)" "/usr/bin/wg --version" \
	"site 2 (by Host alias) runs Debian's"
is "$(A $SSHD_SSH -p 22 root@fd18::2:2 'ip -o addr show ma-hmgmt | grep -c 198.18.2.2' </dev/null)" 1 \
	"IPv6 management address reaches the right site"
A $SSHD_SSH root@198.18.1.2 'echo secret > /etc/wireguard/ma.conf' </dev/null
ok $? "write into site 1's /etc/wireguard"
check "invisible on the host" test ! -e /etc/wireguard/ma.conf
check "invisible on site 2" A $SSHD_SSH root@198.18.2.2 'test ! -e /etc/wireguard/ma.conf'
check "/run/wireguard is private too" sshd_exec 1 test -d /run/wireguard -a ! -e /run/netns

# A host key the client does not know is refused, never accepted.
cp "$SSHD_DIR/known_hosts" "$SSHD_DIR/known_hosts.good"
grep -v '^198.18.1.2' "$SSHD_DIR/known_hosts.good" >"$SSHD_DIR/known_hosts"
A $SSHD_SSH -o BatchMode=yes root@198.18.1.2 true </dev/null 2>"$SSHD_DIR/err"
is "$?" 255 "an unknown host key: ssh refuses"
grep -q 'Host key verification failed' "$SSHD_DIR/err"
ok $? "and says why"
cp "$SSHD_DIR/known_hosts.good" "$SSHD_DIR/known_hosts"

sshd_stop 1
A $SSHD_SSH -o ConnectTimeout=2 root@198.18.1.2 true </dev/null 2>/dev/null
is "$?" 255 "sshd stopped: unreachable"
check "started again" sshd_start 1
is "$(A $SSHD_SSH root@198.18.1.2 'cat /etc/wireguard/ma.conf' </dev/null)" secret \
	"the site kept its state meanwhile"

holders="${sshd_holders[*]} ${sshd_pids[*]}"
sshd_cleanup
left=0
for pid in $holders; do kill -0 "$pid" 2>/dev/null && left=$((left + 1)); done
is "$left" 0 "cleanup stops every sshd and holder"
check "no sshd left in the namespaces" test -z "$(ip netns pids ${P}s1; ip netns pids ${P}s2)"
done_testing

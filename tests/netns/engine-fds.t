#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-engine's process contract beyond the happy path: inherited WG_TUN_FD and
# WG_UAPI_FD (as a parent that opened them itself would pass them), invalid
# interface names, --version/--help, and exit on SIGTERM with cleanup.
T=engf$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" python3
NA=${T}a IA=${T}w IB=${T}x

check "--version" bash -c "'$OUR_ENGINE' --version | grep -q '^wg-engine v'"
check "--help goes to stdout, exit 0" bash -c "'$OUR_ENGINE' --help | grep -q Usage"
check "no interface: usage and exit 1" bash -c "! '$OUR_ENGINE' 2>/dev/null"
check "a name with a slash is refused" bash -c "! '$OUR_ENGINE' -f 'a/b' 2>/dev/null"
check "a name of 16 characters is refused" bash -c "! '$OUR_ENGINE' -f engabcdefghijklm 2>/dev/null"

ns_add $NA
ip netns exec $NA python3 - "$OUR_ENGINE" $IA "$SOCK/$IA.sock" <<'PY' &
import fcntl, os, socket, struct, sys
engine, name, path = sys.argv[1:4]
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH", name.encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
os.makedirs(os.path.dirname(path), exist_ok=True)
if os.path.exists(path):
    os.unlink(path)
old = os.umask(0o077)
uapi = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
uapi.bind(path)
os.umask(old)
uapi.listen(4)
os.set_inheritable(tun, True)
os.set_inheritable(uapi.fileno(), True)
env = dict(os.environ, WG_TUN_FD=str(tun), WG_UAPI_FD=str(uapi.fileno()))
os.execve(engine, [engine, "-f", name], env)
PY
at_exit "rm -f $SOCK/$IA.sock"
for _ in $(seq 30); do ip netns exec $NA $REF_WG show $IA >/dev/null 2>&1 && break; sleep 0.1; done
check "wg talks to the engine over the inherited UAPI socket" ip netns exec $NA $REF_WG set $IA listen-port 51840 \
	private-key <(ip netns exec $NA $REF_WG genkey)
is "$(ip netns exec $NA $REF_WG show $IA listen-port)" "51840" "and the setting took"
pid=$(pgrep -f "wg-engine -f $IA\$" | head -1)
ip -n $NA link set $IA up
check "the inherited TUN is the interface" ip -n $NA link show $IA
kill -TERM "$pid"
check "exits on SIGTERM" gone "$pid"
check "removed its socket" test ! -e $SOCK/$IA.sock

ip netns exec $NA "$OUR_ENGINE" $IB && at_exit "rm -f $SOCK/$IB.sock"
pid=$(pgrep -f "wg-engine $IB\$" | head -1)
check "daemonized engine runs on" kill -0 "$pid"
is "$(ip -n $NA -o link show $IB | grep -o 'mtu [0-9]*')" "mtu 1420" "a new interface starts at MTU 1420, as wireguard-go's"
is "$(ip -n $NA -o link show $IB | grep -o 'qlen [0-9]*')" "qlen 1024" "and with a ring of 1024 packets, not the TUN's 500"
check "a second engine on the same name is refused" bash -c "! ip netns exec $NA '$OUR_ENGINE' -f $IB 2>/dev/null"
kill -INT "$pid"
check "exits on SIGINT" gone "$pid"
check "and its interface is gone" bash -c "! ip -n $NA link show $IB 2>/dev/null"
done_testing

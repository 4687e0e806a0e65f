#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stopping wg-engine never waits on a UAPI client: with one client connected
# and silent, one halfway through a request and one that floods get requests
# without reading a reply (so the engine is blocked writing to it), SIGTERM
# and the removal of the socket file each stop the engine within 5 s.
T=ecu$$
. "$(dirname "$0")/../lib/netns.sh"
need_netns
need "$OUR_ENGINE" "$REF_WG" python3
NA=${T}a IA=wgec$$u

# clients SOCK : holds three connections open as described, until killed
clients() {
	python3 - "$1" <<'EOF' &
import socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
idle, half, flood = conn(), conn(), conn()
half.sendall(b"set=1\nlisten_port=")
flood.setblocking(False)
sent = 0
try:
    while sent < 8 << 20:
        sent += flood.send(b"get=1\n\n" * 512)
except BlockingIOError:
    pass
print("ready", flush=True)
time.sleep(60)
EOF
}
# stops_within PID SECONDS : true once PID has exited
stops_within() {
	for _ in $(seq $(($2 * 10))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
start() { # start : ours in the namespace, in the foreground, with 200 peers
	WG_PROCESS_FOREGROUND=1 ip netns exec $NA "$OUR_ENGINE" $IA 2>>/tmp/$T.log &
	engine=$!
	wait_sock $IA || return 1
	ip netns exec $NA python3 -c '
import base64, os, sys
print("[Interface]\nListenPort = 51840")
for i in range(200):
    print("[Peer]\nPublicKey = %s\nAllowedIPs = 10.94.%d.%d/32" % (base64.b64encode(os.urandom(32)).decode(), i // 250, i % 250 + 1))
' >/tmp/$T.conf && ip netns exec $NA $REF_WG setconf $IA /tmp/$T.conf
}

at_exit "rm -f /tmp/$T.* $SOCK/$IA.sock"
ns_add $NA
for how in SIGTERM "removing the socket"; do
	check "ours starts with 200 peers ($how)" start
	clients $SOCK/$IA.sock >/tmp/$T.clients
	cpid=$!
	for _ in $(seq 50); do grep -q ready /tmp/$T.clients && break; sleep 0.1; done
	check "three clients connect: silent, half a request, flooding without reading" \
		grep -q ready /tmp/$T.clients
	if [ "$how" = SIGTERM ]; then kill -TERM $engine; else rm -f $SOCK/$IA.sock; fi
	check "on $how the engine exits within 5 s" stops_within $engine 5
	kill $cpid $engine 2>/dev/null
	wait $cpid $engine 2>/dev/null
	rm -f /tmp/$T.clients
done
done_testing

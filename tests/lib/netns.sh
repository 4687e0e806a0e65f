# SPDX-License-Identifier: GPL-2.0
# The shell tests' one library (sourced by every tests/*/*.t and bench
# script): TAP output, our build tree, Debian's reference tools by path,
# network namespaces that are always removed on exit, and the traffic helpers
# the engine tests share (png, wait_sock, transfer, ...). Each test names its
# namespaces and interfaces with its own prefix ($T) so tests never collide in
# /var/run/wireguard. Beside it: wg-lib.sh (ours vs the reference's output),
# topology.sh (the example mesh's world), kernel/ (the qemu VM).

set -u
T=${T:-t$$}
WG_BUILD=${WG_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
OUR_WG=$WG_BUILD/wg
OUR_QUICK=$WG_BUILD/wg-quick
OUR_MESH=$WG_BUILD/wg-mesh
OUR_ENGINE=$WG_BUILD/wg-engine
REF_WG=/usr/bin/wg
REF_QUICK=/usr/bin/wg-quick
REF_GO=/usr/bin/wireguard-go
SOCK=${SOCK:-/var/run/wireguard}

tap_n=0
tap_fail=0
tap_netns=()
tap_cleanups=()

ok() { # ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_fail=$((tap_fail + 1))
	fi
}
check() { # check DESCRIPTION COMMAND... : runs the command, ok if it exits 0
	local d=$1
	shift
	"$@" >/tmp/$T.out 2>&1
	local rc=$?
	ok $rc "$d"
	[ $rc -eq 0 ] || sed 's/^/#   /' /tmp/$T.out | head -40
	return $rc
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" == "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/#   /' | head -60
	fi
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
done_testing() {
	echo "1..$tap_n"
	[ $tap_fail -eq 0 ]
	exit $?
}
need_root() { [ "$(id -u)" -eq 0 ] || skip_all "needs root"; }
need() { # need FILE... : skip unless each exists
	local f
	for f; do
		[ -e "$f" ] || command -v "$f" >/dev/null 2>&1 || skip_all "missing $f"
	done
}
need_netns() {
	need_root
	need ip
	ip netns add "${T}probe" 2>/dev/null || skip_all "cannot create network namespaces"
	ip netns del "${T}probe"
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
}

ns_add() { # ns_add NAME : a namespace with loopback up, removed at exit
	ip netns add "$1" && ip -n "$1" link set lo up && tap_netns+=("$1")
}
ns_link() { # ns_link NS1 IF1 NS2 IF2 : a veth pair between two namespaces
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}
at_exit() { tap_cleanups+=("$*"); }

png() { # png NS ADDR... : three quick pings from NS (busybox's where iputils is missing)
	local ns=$1
	shift
	if command -v ping >/dev/null; then
		ip netns exec "$ns" ping -c 3 -i 0.2 -W 2 "$@"
	else
		ip netns exec "$ns" busybox ping -c 3 -W 2 "$@"
	fi
}
wait_sock() { # wait_sock IFACE : true once $SOCK/IFACE.sock exists (waits up to 5 s)
	for _ in $(seq 50); do [ -S "$SOCK/$1.sock" ] && return 0; sleep 0.1; done
	return 1
}
sock_gone() { # sock_gone IFACE : true once $SOCK/IFACE.sock is gone (waits up to 5 s)
	for _ in $(seq 50); do [ -S "$SOCK/$1.sock" ] || return 0; sleep 0.1; done
	return 1
}
gone() { # gone PID : true once the process has exited (waits up to 5 s)
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
make_blob() { # make_blob MB : /tmp/$T.blob of MB random megabytes and its /tmp/$T.sum
	at_exit "rm -f /tmp/$T.blob /tmp/$T.sum /tmp/$T.rx"
	head -c "$1M" /dev/urandom >/tmp/$T.blob && sha256sum </tmp/$T.blob >/tmp/$T.sum
}
# transfer FROM_NS TO_NS TO_ADDR [TAG] : /tmp/$T.blob over TCP, checksums must
# match; transfers running at the same time need distinct TAGs.
transfer() {
	local port=$((20000 + RANDOM % 20000)) to=$3 rx out=/tmp/$T.rx${4:-}
	[[ $to == *:* ]] && to="[$to]"
	ip netns exec "$2" socat -u TCP6-LISTEN:$port,reuseaddr,ipv6only=0 STDOUT 2>/dev/null |
		sha256sum >"$out" &
	rx=$!
	sleep 0.3
	ip netns exec "$1" timeout 60 socat -u FILE:/tmp/$T.blob "TCP:$to:$port" || return 1
	wait $rx
	[ "$(cut -d' ' -f1 <"$out")" == "$(cut -d' ' -f1 </tmp/$T.sum)" ]
}
frag_creates() { # frag_creates NS : IPv4 and IPv6 fragments the namespace has made
	ip netns exec "$1" awk '/^Ip:/ { if (seen) { for (i = 1; i <= NF; i++) if (h[i] == "FragCreates") n += $i } else { seen = 1; split($0, h) } }
		/^Ip6FragCreates/ { n += $2 } END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}
cleanup() {
	local i ns
	for ((i = ${#tap_cleanups[@]} - 1; i >= 0; i--)); do eval "${tap_cleanups[$i]}" >/dev/null 2>&1; done
	for ns in "${tap_netns[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -f /tmp/$T.out
}
trap cleanup EXIT
trap 'exit 130' INT TERM

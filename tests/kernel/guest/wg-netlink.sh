# SPDX-License-Identifier: GPL-2.0
# Guest side of wg-netlink.t: twin kernel devices kvm0 in namespaces kvma (our
# wg) and kvmb (Debian's wg), driven through the same steps and compared.
. /lib/kvmwg-guest.sh

mapfile -t P </data/peers
A() { ip netns exec kvma "$@"; }
B() { ip netns exec kvmb "$@"; }
FIELDS=(public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips
	latest-handshakes persistent-keepalive transfer)
VIEWS=("showconf kvm0" "show kvm0" "show kvm0 dump" "show all dump" "show" "show interfaces"
	"show all endpoints")
MAIN_VIEWS=("${VIEWS[@]:0:4}")
for f in "${FIELDS[@]}"; do VIEWS+=("show kvm0 $f"); done

# Both devices hold the same state: Debian's wg reads each.
same_state() { # same_state STAGE
	A $REF_WG show kvm0 dump >/tmp/sa 2>&1
	B $REF_WG show kvm0 dump >/tmp/sb 2>&1
	is_file /tmp/sa /tmp/sb "$1: kvma (set by our wg) holds the same state as kvmb (Debian's wg)"
}
# Writes every view of kvm0, as TOOL prints it, to DIR/1, DIR/2, ...; each ends
# with the exit status. Runs inside one namespace, entered once.
cat >/tmp/views.sh <<'VIEWS'
tool=$1 dir=$2
shift 2
mkdir -p "$dir"
n=0
for v; do
	n=$((n + 1))
	timeout 30 $tool $v >"$dir/$n" 2>&1
	echo "exit status $?" >>"$dir/$n"
done
VIEWS
# Views of kvma printed by our wg, against Debian's wg on the same device: all
# of them with one check each when DETAIL=1, all with one check when FULL=1,
# else the four whole-device views (the single fields are projections of them).
same_views() { # same_views STAGE
	local v n=0 diffs=0
	local -a views=("${MAIN_VIEWS[@]}")
	[ "${DETAIL:-0}${FULL:-0}" = 00 ] || views=("${VIEWS[@]}")
	rm -rf /tmp/v
	A bash /tmp/views.sh "$OUR_WG" /tmp/v/o "${views[@]}"
	A bash /tmp/views.sh "$REF_WG" /tmp/v/r "${views[@]}"
	for v in "${views[@]}"; do
		n=$((n + 1))
		if [ "${DETAIL:-0}" = 1 ]; then
			is_file /tmp/v/o/$n /tmp/v/r/$n "$1: our \`wg $v' prints as Debian's"
		elif ! cmp -s /tmp/v/o/$n /tmp/v/r/$n; then
			diffs=$((diffs + 1))
			[ $diffs -le 3 ] && { echo "# wg $v:"; diff -u /tmp/v/r/$n /tmp/v/o/$n | sed '1,2d; s/^/#   /' | head -15; }
		fi
	done
	[ "${DETAIL:-0}" = 1 ] || ok $diffs "$1: our wg prints ${#views[@]} views as Debian's ($diffs differ)"
	rm -rf /tmp/v
}
# One step: our wg on kvma and Debian's on kvmb with the same arguments, the
# same exit status and messages, then the same state and views.
up() { cut -d' ' -f1 /proc/uptime; }
step() { # step STAGE ARGS...
	local stage=$1 orc rrc t0 t1 t2
	shift
	t0=$(up)
	A timeout 60 "$OUR_WG" "$@" >/tmp/o.out 2>&1
	orc=$?
	B timeout 60 "$REF_WG" "$@" >/tmp/r.out 2>&1
	rrc=$?
	is "exit $orc: $(cat /tmp/o.out)" "exit $rrc: $(cat /tmp/r.out)" \
		"$stage: our \`wg $*' exits and prints as Debian's on its twin"
	# A broken fixture would make both fail alike; that is no pass.
	[ "$rrc" = "${EXPECT:-0}" ] || ok 1 "$stage: Debian's wg exits ${EXPECT:-0} here (it exited $rrc)"
	t1=$(up)
	if [ "${EXPECT:-0}" = 0 ]; then
		same_state "$stage"
		same_views "$stage"
	fi
	t2=$(up)
	note "$stage: both wg $1 in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s, checks in $(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }') s"
}

for ns in kvma kvmb; do
	ip netns add $ns && ip -n $ns link set lo up && ip -n $ns link add kvm0 type wireguard ||
		ok 1 "guest namespace $ns with a kernel kvm0"
done

DETAIL=1 step "setconf" setconf kvm0 /data/base.conf
step "addconf" addconf kvm0 /data/add.conf
FULL=1 step "syncconf" syncconf kvm0 /data/sync.conf
step "set port+fwmark" set kvm0 listen-port 51999 fwmark off
step "set endpoint+keepalive+ips" set kvm0 peer "${P[4]}" endpoint 198.51.100.7:1234 \
	persistent-keepalive 15 allowed-ips 10.4.0.0/16,fd04::/32,10.44.0.0/16
step "set clear psk+ips" set kvm0 peer "${P[6]}" preshared-key /dev/null allowed-ips ""
FULL=1 step "set two peers" set kvm0 peer "${P[4]}" persistent-keepalive off peer "${P[7]}" \
	allowed-ips 10.7.0.0/24 preshared-key /data/psk
step "set remove" set kvm0 peer "${P[6]}" remove
step "set key+fwmark" set kvm0 private-key /data/k2 fwmark 0xffffffff
step "set v6 endpoint" set kvm0 peer "${P[1]}" endpoint "[2001:db8::99]:65535"
EXPECT=1 step "set no such device" set kvmnone0 listen-port 1
EXPECT=1 step "show no such device" show kvmnone0

# The incremental form. Adding alone needs no kernel support: it must equal
# Debian's wg replacing the list with the same list plus the new prefix.
A timeout 30 "$OUR_WG" set kvm0 peer "${P[1]}" allowed-ips +10.9.0.0/24 >/tmp/o.out 2>&1
ok $? "incremental: our \`wg set kvm0 peer P1 allowed-ips +10.9.0.0/24' succeeds"
sed 's/^/#   said: /' /tmp/o.out
ips=$(B $REF_WG show kvm0 allowed-ips | awk -v k="${P[1]}" '$1 == k { $1 = ""; print }' | tr -s ' ' ',')
B "$REF_WG" set kvm0 peer "${P[1]}" allowed-ips "${ips#,},10.9.0.0/24"
same_state "incremental add"
# Removing needs WGALLOWEDIP_A_FLAGS (Linux 6.16): refused whole, nothing sent.
A $REF_WG show kvm0 dump >/tmp/before
out=$(A timeout 30 "$OUR_WG" set kvm0 peer "${P[1]}" allowed-ips +10.10.0.0/24,-10.8.0.0/24 2>&1)
rc=$?
ok $((rc == 0)) "incremental: our wg refuses +10.10.0.0/24,-10.8.0.0/24 on Linux $(uname -r) (exit $rc)"
echo "$out" | sed 's/^/#   said: /'
case $out in
*[Ss]upport* | *[Rr]emov* | *kernel* | *Linux*) ok 0 "incremental: the refusal says why (support, removal or kernel)" ;;
*) ok 1 "incremental: the refusal says why (support, removal or kernel)" ;;
esac
A $REF_WG show kvm0 dump >/tmp/after
is_file /tmp/after /tmp/before "incremental: the refused command changed nothing (10.10.0.0/24 not added, 10.8.0.0/24 kept)"

# 5,000 peers with four allowed IPs each: split set messages, multi-part dumps.
t0=$(cut -d' ' -f1 /proc/uptime)
step "5000 peers setconf" setconf kvm0 /data/big.conf
is "$(A $REF_WG show kvm0 peers | wc -l) $(A $REF_WG show kvm0 allowed-ips | tr '\t ' '\n\n' | grep -c '/[0-9]*$')" \
	"5000 20000" "5000 peers setconf: the kernel holds 5000 peers and 20000 allowed IPs"
step "5000 peers syncconf" syncconf kvm0 /data/big2.conf
# One peer with 3,000 allowed IPs: continued over set messages and dump parts.
FULL=1 step "3000 allowed IPs on one peer" setconf kvm0 /data/wide.conf
is "$(A $REF_WG show kvm0 allowed-ips | awk -v k="${P[8]}" '$1 == k { print NF - 1 }')" 3000 \
	"3000 allowed IPs on one peer: the kernel holds all 3000"
note "the large stages took $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }') s (guest clock)"
done_testing

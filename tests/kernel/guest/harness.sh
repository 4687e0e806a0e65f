# SPDX-License-Identifier: GPL-2.0
# Guest side of 00-harness.t.
. /lib/kvmwg-guest.sh

is "$(uname -r)" "$KVER" "the guest runs Debian's kernel $KVER"
check "wireguard.ko is loaded" test -d /sys/module/wireguard
check "iproute2's ip (not busybox's) is the guest's ip" eval 'ip -V | grep -q iproute2'
check "Debian's wg-quick parses under the guest's bash" bash -n "$REF_QUICK"
check "ip creates a kernel WireGuard link" ip link add kvm0 type wireguard
key=$($REF_WG genkey)
check "Debian's wg configures it over netlink" $REF_WG set kvm0 private-key <(echo "$key") listen-port 51820
is "$($REF_WG show kvm0 listen-port)" 51820 "Debian's wg reads the listen port back"
is "$($REF_WG show kvm0 public-key)" "$(echo "$key" | $REF_WG pubkey)" "the kernel derived the public key"
ip link del kvm0
is "$(cd /wgkit/bin && sha256sum $OURS 2>/dev/null | tr '\n' ' ')" "$OURS_SHA" \
	"the guest carries the current build of our binaries ($OURS)"
for b in $OURS; do
	out=$(/wgkit/bin/$b --help 2>&1)
	case $out in
	*"error while loading shared libraries"* | *"not found"*) ok 1 "our $b loads in the guest"; echo "$out" | sed 's/^/#   /' | head -5 ;;
	*) ok 0 "our $b loads in the guest" ;;
	esac
done
is "$(sha256sum </data/blob | cut -d' ' -f1)" "$BLOB_SHA" "host data arrives in /data intact"
sync_post hello "$(uname -r)"
sync_wait bye 60 && ok 0 "the host answers through the share"
done_testing

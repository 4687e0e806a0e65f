#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `wg` over netlink against the kernel's WireGuard: our wg drives kvm0 in guest
# namespace kvma while Debian's wg drives its twin kvm0 in kvmb through the same
# setconf/addconf/syncconf/set steps. After each step both devices must hold the
# same state (Debian's wg reads both) and our wg must print every view of kvma
# exactly as Debian's wg prints it. Includes a 5,000-peer config (split
# messages, multi-part dumps) and the incremental allowed-ips form, which
# Linux 6.1 cannot remove with and our wg must refuse untouched.
# KVMWG_OUR_WG=/usr/bin/wg runs the guest's "ours" as Debian's wg (harness check).
T=kvmnl
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/kernel/vm.sh"

umask 077
vm_need
if [ -z "${KVMWG_OUR_WG:-}" ] && [ ! -x "$OUR_WG" ]; then
	ok 1 "wg is built ($OUR_WG)"
	done_testing
fi
vm_prepare
data=$(mktemp -d /tmp/kvmnl.XXXXXX)
at_exit "rm -rf '$data'"
for k in k1 k2; do $REF_WG genkey >"$data/$k"; done
$REF_WG genpsk >"$data/psk"

# Peer keys need not be points anyone holds: random bytes, thousands at a time.
perl -MMIME::Base64 -e '
	my ($dir, $k1, $k2) = @ARGV;
	open(my $rnd, "<", "/dev/urandom") or die;
	sub key { read($rnd, my $b, 32) == 32 or die; return encode_base64($b, ""); }
	sub out { my ($f, $s) = @_; open(my $o, ">", "$dir/$f") or die; print $o $s; close $o; }
	my @p = map { key() } 0 .. 9;
	my @s = map { key() } 0 .. 9;
	out("peers", join("\n", @p) . "\n");
	out("base.conf", "[Interface]\nPrivateKey = $k1\nListenPort = 51820\nFwMark = 0x1234\n\n" .
		"[Peer]\nPublicKey = $p[1]\nPresharedKey = $s[1]\nEndpoint = 192.0.2.1:51820\n" .
		"AllowedIPs = 10.1.0.0/24, fd01::/64, 10.8.0.0/24\nPersistentKeepalive = 25\n\n" .
		"[Peer]\nPublicKey = $p[2]\nEndpoint = [2001:db8::2]:443\nAllowedIPs = 10.2.0.1/32\n\n" .
		"[Peer]\nPublicKey = $p[3]\nAllowedIPs = 0.0.0.0/0, ::/0\n");
	out("add.conf", "[Peer]\nPublicKey = $p[4]\nAllowedIPs = 10.4.0.0/16, fd04::/32\n" .
		"Endpoint = 198.51.100.4:4444\n\n" .
		"[Peer]\nPublicKey = $p[1]\nAllowedIPs = 10.1.1.0/24\nEndpoint = [2001:db8::1]:51820\n\n" .
		"[Peer]\nPublicKey = $p[5]\nPresharedKey = $s[5]\nAllowedIPs = 10.5.5.5/32\n");
	out("sync.conf", "[Interface]\nPrivateKey = $k1\nListenPort = 51821\n\n" .
		"[Peer]\nPublicKey = $p[1]\nAllowedIPs = 10.1.0.0/24, 10.8.0.0/24\nEndpoint = 192.0.2.1:51820\n\n" .
		"[Peer]\nPublicKey = $p[4]\nAllowedIPs = 10.4.0.0/16, fd04::/32\nEndpoint = 198.51.100.4:4444\n\n" .
		"[Peer]\nPublicKey = $p[6]\nPresharedKey = $s[6]\nAllowedIPs = 10.6.0.0/24\nPersistentKeepalive = 7\n");
	# 5,000 peers with four allowed IPs each, none overlapping; then a
	# sync that drops 500, adds 500 and moves the allowed IPs of 500 more.
	my @big = map { key() } 1 .. 5500;
	my $conf = sub {
		my ($from, $to, $moved) = @_;
		my $c = "[Interface]\nPrivateKey = $k2\nListenPort = 51822\n";
		for my $i ($from .. $to) {
			my ($h, $l) = ($i >> 8, $i & 255);
			my $m = ($moved && $i % 9 == 0) ? 1 : 0;
			$c .= "\n[Peer]\nPublicKey = $big[$i]\n";
			$c .= "PresharedKey = " . key() . "\n" if $i % 3 == 0;
			$c .= "Endpoint = " . ($i % 2 ? "192.0.2." . ($i % 250 + 1) : "[2001:db8::" . sprintf("%x", $i) . "]") . ":" . (1024 + $i) . "\n" if $i % 5;
			$c .= "AllowedIPs = 10.$h.$l.0/24, 172.16.$h.$l/32, fd00:$h:${l}::/48, fd10::" . sprintf("%x:%x", $h + 16 * $m, $l) . "/128\n";
			$c .= "PersistentKeepalive = 25\n" if $i == 17 || $i == 4000;
		}
		return $c;
	};
	# One peer whose 3,000 allowed IPs cannot fit one message either way.
	my $wide = "[Interface]\nPrivateKey = $k1\nListenPort = 51823\n\n[Peer]\nPublicKey = $p[8]\nAllowedIPs = ";
	$wide .= join(", ", map { $_ % 2 ? "10." . ($_ >> 8) . "." . ($_ & 255) . ".0/24" : sprintf("fd20::%x/128", $_) } 0 .. 2999);
	$wide .= "\n\n[Peer]\nPublicKey = $p[9]\nAllowedIPs = 192.168.0.0/16\n";
	out("wide.conf", $wide);
	out("big.conf", $conf->(0, 4999, 0));
	out("big2.conf", $conf->(500, 5499, 1));
' "$data" "$(cat "$data/k1")" "$(cat "$data/k2")" || { echo "Bail out! cannot generate the configs"; exit 1; }

VM_DATA=$data
VM_ENV=${KVMWG_OUR_WG:+OUR_WG=$KVMWG_OUR_WG}
VM_TIMEOUT=600
vm_start "$(dirname "$0")/guest/wg-netlink.sh"
vm_wait
done_testing

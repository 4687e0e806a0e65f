# SPDX-License-Identifier: GPL-2.0
# Sourced by the many-peers benchmarks: wg configs with N peers, and one
# engine (ours or a reference) started in a namespace on its own.

# peers_setup : namespace $NS for one engine at a time (interface $IF) and a
# private work directory $W, both removed at exit.
peers_setup() {
	NS=${T}n IF=${T}i W=/tmp/$T.w
	ns_add $NS || return 1
	mkdir -m 0700 $W
	at_exit "rm -rf $W"
}

# peers_conf FILE PEERS IPS : a config with PEERS random public keys, each with
# IPS allowed IPs (a /32 and, for the second, a /128; past two, more /32s),
# every allowed IP distinct.
peers_conf() {
	(umask 077 && perl -MMIME::Base64 -e '
		sub key { my $k = ""; $k .= chr(int(rand(256))) for 1..32; encode_base64($k, "") }
		my ($peers, $ips) = @ARGV;
		srand(42);
		my $n = 0;
		print "[Interface]\nPrivateKey = ", key(), "\nListenPort = 51830\n";
		for my $i (0 .. $peers - 1) {
			print "\n[Peer]\nPublicKey = ", key(), "\nAllowedIPs = ";
			my @a;
			for my $j (0 .. $ips - 1) {
				if ($j == 1) {
					push @a, sprintf("fd00::%x:%x/128", $i >> 16, $i & 0xffff);
					next;
				}
				push @a, sprintf("10.%d.%d.%d/32", ($n >> 16) & 255, ($n >> 8) & 255, $n & 255);
				++$n;
			}
			print join(", ", @a), "\n";
		}' "$2" "$3" >"$1")
}

# wireguard-go refuses more than this many peers on one interface (MaxPeers,
# "too many peers"); the benches give a reference more as several interfaces.
REF_MAX_PEERS=65536
# ref_parts IMPL N : how many interfaces IMPL takes N peers on (1 but for
# wireguard-go past its limit)
ref_parts() {
	if [ "${IMPL_BIN[$1]##*/}" != wireguard-go ] || [ "$2" -le $REF_MAX_PEERS ]; then
		echo 1
	else
		echo $((($2 + REF_MAX_PEERS - 1) / REF_MAX_PEERS))
	fi
}

# split_conf CONF K : CONF's peers as K configs CONF.1 .. CONF.K, as even as
# can be, each with its own listen port so that their engines can run at once.
split_conf() {
	(umask 077 && perl -e '
		my ($conf, $k) = @ARGV;
		open(my $in, "<", $conf) or die "$conf: $!";
		local $/ = "\n\n";
		my ($head, @peers) = <$in>;
		$head =~ s/\n+\z/\n/;
		my $n = @peers;
		for my $j (1 .. $k) {
			open(my $out, ">", "$conf.$j") or die "$conf.$j: $!";
			(my $h = $head) =~ s/^ListenPort = (\d+)/"ListenPort = " . ($1 + $j)/me;
			print $out $h, "\n";
			my ($from, $to) = (int(($j - 1) * $n / $k), int($j * $n / $k) - 1);
			print $out @peers[$from .. $to];
		}' "$1" "$2")
}

# engine_start NS IFACE BINARY : the engine in NS, in the foreground of a
# background job so that its pid is known; prints the pid once its socket is up.
engine_start() {
	ip netns exec "$1" env WG_PROCESS_FOREGROUND=1 "$3" "$2" >/dev/null 2>&1 &
	local pid=$!
	at_exit "kill $pid; rm -f /var/run/wireguard/$2.sock"
	for _ in $(seq 100); do
		[ -S "/var/run/wireguard/$2.sock" ] && { echo $pid; return 0; }
		sleep 0.05
	done
	return 1
}

# engine_stop NS IFACE PID : deletes the link and ends the engine, at once
# with SIGKILL when it has not gone within 3 s (tearing down many peers can
# take long, and a bench must stay bounded).
engine_stop() {
	ip -n "$1" link del "$2" 2>/dev/null
	kill "$3" 2>/dev/null
	for _ in $(seq 30); do kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$3" 2>/dev/null; then
		kill -9 "$3" 2>/dev/null
		while kill -0 "$3" 2>/dev/null; do sleep 0.1; done
	fi
	rm -f "/var/run/wireguard/$2.sock"
}

# timed_setconf NS IFACE CONF LIMIT : `wg setconf` at most LIMIT seconds;
# prints its wall time in seconds, or "timeout" or "failed".
timed_setconf() {
	local t0 t1 rc
	t0=$(date +%s.%N)
	timeout "$4" ip netns exec "$1" $REF_WG setconf "$2" "$3" >/dev/null 2>&1
	rc=$? t1=$(date +%s.%N)
	case $rc in
	0) awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' ;;
	124) echo timeout ;;
	*) echo failed ;;
	esac
}

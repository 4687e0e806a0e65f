#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What ships around wg-quick: the systemd unit's ExecReload (wg syncconf of
# wg-quick strip) applied to a live interface with our own wg and wg-quick,
# the bash completion, and the man page.
T=wqms
. "$(dirname "$0")/../lib/netns.sh"
need_root
need "$OUR_QUICK" "$OUR_WG" "$REF_GO" "$REF_WG"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
UNIT=$TOP/systemd/wg-quick@.service

DIR=$(mktemp -d /tmp/wqms.XXXXXX)
at_exit "rm -rf $DIR"

# ---- systemd unit
grep -qx 'ExecStart=@BINDIR@/wg-quick up %i' "$UNIT"
ok $? "unit: ExecStart runs wg-quick up %i from @BINDIR@"
grep -qx 'ExecStop=@BINDIR@/wg-quick down %i' "$UNIT"
ok $? "unit: ExecStop runs wg-quick down %i"
grep -qx 'PartOf=wg-quick.target' "$UNIT" && [ -e "$TOP/systemd/wg-quick.target" ]
ok $? "unit: part of wg-quick.target, which exists"
reload=$(sed -n 's/^ExecReload=//p' "$UNIT")
[ -n "$reload" ]
ok $? "unit: has an ExecReload"

if ip netns add wqmsn 2>/dev/null; then
	tap_netns+=(wqmsn)
	K=$($REF_WG genkey) P1=$($REF_WG genkey | $REF_WG pubkey) P2=$($REF_WG genkey | $REF_WG pubkey)
	printf '[Interface]\nPrivateKey = %s\nListenPort = 51850\nAddress = 10.85.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.85.0.2/32\n' \
		"$K" "$P1" >"$DIR/wqms0.conf"
	chmod 600 "$DIR/wqms0.conf"
	check "reload: up" env WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO \
		ip netns exec wqmsn "$OUR_QUICK" up "$DIR/wqms0.conf"
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.85.0.3/32\n' "$P2" >>"$DIR/wqms0.conf"
	# The unit's command with our build as @BINDIR@; %i is the name for wg, our path for wg-quick.
	cmd=${reload//@BINDIR@/$WG_BUILD}
	cmd=${cmd//wg-quick strip %i/wg-quick strip $DIR\/wqms0.conf}
	cmd=${cmd//%i/wqms0}
	cmd=${cmd#/bin/bash -c }
	cmd=${cmd#\'}
	cmd=${cmd%\'}
	check "reload: the unit's ExecReload runs" ip netns exec wqmsn /bin/bash -c "$cmd"
	is "$(ip netns exec wqmsn $REF_WG show wqms0 allowed-ips | sort)" \
		"$(printf '%s\t10.85.0.2/32\n%s\t10.85.0.3/32\n' "$P1" "$P2" | sort)" \
		"reload: the new peer is live, the old one kept"
	is "$(ip -n wqmsn -4 -o addr show dev wqms0 | awk '{print $4}')" 10.85.0.1/24 \
		"reload: wg-quick's own keys left alone (address)"
	check "reload: down" ip netns exec wqmsn "$OUR_QUICK" down "$DIR/wqms0.conf"
fi

# ---- DNS through systemd-resolved where resolvconf is missing: in a private
# mount namespace, a tmpfs on /run/systemd holds resolved's socket path, and a
# stub resolvectl records what it is asked.
mkdir "$DIR/rbin"
cat >"$DIR/rbin/resolvectl" <<'STUB'
#!/bin/bash
echo "resolvectl $*" >>"$WQ_STUB_LOG"
STUB
chmod +x "$DIR/rbin/resolvectl"
if [ -d /run/systemd ] && ip netns add wqmsr 2>/dev/null; then
	tap_netns+=(wqmsr)
	printf '[Interface]\nPrivateKey = %s\nListenPort = 51851\nAddress = 10.86.0.1/24\nDNS = 10.86.0.53, fd86::53, example.com, corp.example\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.86.0.2/32\n' \
		"$($REF_WG genkey)" "$($REF_WG genkey | $REF_WG pubkey)" >"$DIR/wqmsr0.conf"
	chmod 600 "$DIR/wqmsr0.conf"
	resolved() { # VERB
		WQ_STUB_LOG=$DIR/resolvectl.log WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO \
			PATH=$DIR/rbin:/usr/sbin:/usr/bin:/sbin:/bin ip netns exec wqmsr unshare -m bash -c \
			'mount -t tmpfs none /run/systemd && mkdir /run/systemd/resolve &&
			 : >/run/systemd/resolve/io.systemd.Resolve && exec "$@"' resolved "$OUR_QUICK" "$1" "$DIR/wqmsr0.conf"
	}
	resolved up >/dev/null 2>"$DIR/r.err"
	ok $? "resolved: up without resolvconf"
	is "$(grep resolvectl "$DIR/r.err")" "[#] resolvectl dns wqmsr0 10.86.0.53 fd86::53
[#] resolvectl domain wqmsr0 example.com corp.example" "resolved: up echoes resolvectl dns and domain"
	resolved down >/dev/null 2>"$DIR/r.err"
	ok $? "resolved: down"
	is "$(cat "$DIR/resolvectl.log")" "resolvectl dns wqmsr0 10.86.0.53 fd86::53
resolvectl domain wqmsr0 example.com corp.example
resolvectl revert wqmsr0" "resolved: servers and domains set per link, reverted on down"
	[ ! -e /run/systemd/resolve/io.systemd.Resolve ] || [ -S /run/systemd/resolve/io.systemd.Resolve ]
	ok $? "resolved: the host's /run/systemd untouched"
fi

# ---- A bare interface name means /etc/wireguard/NAME.conf: a private tmpfs
# over /etc/wireguard (in a mount namespace) holds the config, for ours and
# Debian's alike.
if [ -d /etc/wireguard ]; then
	bare() { # NS PROGRAM VERB NAME
		WG_QUICK_USERSPACE_IMPLEMENTATION=$REF_GO ip netns exec "$1" unshare -m bash -c \
			'mount -t tmpfs -o mode=0700 none /etc/wireguard || exit
			 [ ! -e "$1" ] || install -m 600 "$1" /etc/wireguard/
			 shift; "$@"; echo "rc=$?"' bare "$DIR/$4.conf" "$2" "$3" "$4" 2>&1 |
			sed -e "s/$4/IF/g" -e '/[│┌└]/d'
	}
	for n in wqmsbo wqmsbd; do
		ip netns add $n && tap_netns+=($n)
		printf '[Interface]\nPrivateKey = %s\nListenPort = 51852\nAddress = 10.87.0.1/24\n' \
			"$($REF_WG genkey)" >"$DIR/${n}0.conf"
	done
	is "$(bare wqmsbo "$OUR_QUICK" up wqmsbo0)" "$(bare wqmsbd "$REF_QUICK" up wqmsbd0)" \
		"bare name: up reads /etc/wireguard/NAME.conf as Debian's"
	is "$(ip -n wqmsbo -4 -o addr show dev wqmsbo0 | awk '{print $4}')" 10.87.0.1/24 "bare name: configured"
	is "$(bare wqmsbo "$OUR_QUICK" down wqmsbo0)" "$(bare wqmsbd "$REF_QUICK" down wqmsbd0)" \
		"bare name: down"
	is "$(bare wqmsbo "$OUR_QUICK" up wqmsnone)" "$(bare wqmsbd "$REF_QUICK" up wqmsnone)" \
		"bare name: a missing /etc/wireguard/NAME.conf"
fi

# ---- bash completion
comp() { # WORDS... : the candidates for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _wg_quick; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$TOP/completion/wg-quick.bash-completion" "$@" | sort | tr '\n' ' '
}
is "$(comp wg-quick '')" "--help -h down help save strip up " "completion: the commands"
is "$(comp wg-quick s)" "save strip " "completion: commands by prefix"
mkdir "$DIR/c" && : >"$DIR/c/wqc0.conf" && : >"$DIR/c/other.txt"
is "$(comp wg-quick up "$DIR/c/")" "$DIR/c/wqc0.conf " "completion: only .conf files for paths"
bash -c ". $TOP/completion/wg-quick.bash-completion; complete -p wg-quick" >/dev/null
ok $? "completion: registered for wg-quick"

# ---- man page
if command -v man >/dev/null; then
	warn=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$TOP/man/wg-quick.8" 2>&1 >/dev/null)
	is "$warn" "" "man: renders without warnings"
	text=$(LC_ALL=C MANWIDTH=200 man -l "$TOP/man/wg-quick.8" 2>/dev/null)
	for word in Address DNS MTU Table PreUp SaveConfig WG_QUICK_USERSPACE_IMPLEMENTATION 'wg setconf' resolvectl; do
		[[ $text == *"$word"* ]]
		ok $? "man: documents $word"
	done
fi
done_testing

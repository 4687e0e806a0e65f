# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the tests/netns/wg-*.t scripts (sourced after
# tests/lib/netns.sh): run our wg and Debian's with the same argv[0], start
# wireguard-go devices in namespaces, snapshot a device's UAPI state and serve
# it back from a fake socket so both tools read the very same bytes.

# The UAPI socket folder is shared by every namespace; each test re-executes
# itself in a private mount namespace with its own empty one, so `wg show all`
# sees only this test's devices and nothing the test does leaks out.
wgt_private_run() { # wgt_private_run "$0" "$@" : call first, before sourcing anything
	if [ -z "${WGT_UNSHARED:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
		mkdir -p /run/wireguard
		WGT_UNSHARED=1 exec unshare --mount --propagation private "$BASH" "$@"
	fi
}
wgt_mount_run() { # mounts the private socket folder (inside wgt_private_run)
	[ -n "${WGT_UNSHARED:-}" ] || skip_all "cannot make a private mount namespace"
	mount -t tmpfs -o mode=0755 wgtrun /run/wireguard || skip_all "cannot mount /run/wireguard"
}

ours() { (exec -a wg "$OUR_WG" "$@"); }
ref() { (exec -a wg "$REF_WG" "$@"); }

# both OUT ARGS... : runs ours and the reference with the same arguments,
# environment and standard input (the file $WGT_IN, else /dev/null), leaving
# stdout+stderr+exit status in OUT.ours and OUT.ref.
both() {
	local out=$1 in=${WGT_IN:-/dev/null}
	shift
	# How to run this again (views_check retries a view once time has moved on).
	printf 'WG_COLOR_MODE=%q WG_HIDE_KEYS=%q both %q' "${WG_COLOR_MODE:-}" "${WG_HIDE_KEYS:-}" \
		"$out" >"$out.cmd"
	printf ' %q' "$@" >>"$out.cmd"
	{ ours "$@"; echo "exit=$?"; } <"$in" >"$out.ours" 2>&1
	{ ref "$@"; echo "exit=$?"; } <"$in" >"$out.ref" 2>&1
}
# same DESCRIPTION ARGS... : ok when ours prints exactly what the reference prints
same() {
	local d=$1
	shift
	both "$W/same" "$@"
	is "$(cat -A "$W/same.ours")" "$(cat -A "$W/same.ref")" "$d"
}

go_start() { # go_start NS IFACE : a wireguard-go device, waiting for its socket
	local i
	ip netns exec "$1" env WG_PROCESS_FOREGROUND=1 "$REF_GO" "$2" >>"$W/go-$2.log" 2>&1 &
	for ((i = 0; i < 100; i++)); do
		[ -S "/run/wireguard/$2.sock" ] && return 0
		sleep 0.05
	done
	return 1
}

uapi_get() { # uapi_get IFACE : the raw UAPI get reply of a device
	printf 'get=1\n\n' | socat -t 5 - "UNIX-CONNECT:/run/wireguard/$1.sock"
}

# serve_reply IFACE FILE : a fake device answering every get with FILE (its
# socket lives in whatever /run/wireguard the caller's mount namespace has)
serve_reply() {
	local i
	# @NOW-65@ in FILE becomes the time of the request minus 65 seconds.
	if grep -q @NOW "$2"; then
		printf '#!/bin/sh\nsed "/^$/q" >/dev/null\nperl -pe %s "%s"\n' \
			"'s/\\@NOW([-+]\\d+)?\\@/time() + (\$1 \/\/ 0)/ge'" "$2" >"$W/serve-$1.sh"
	else
		printf '#!/bin/sh\nsed "/^$/q" >/dev/null\nexec cat "%s"\n' "$2" >"$W/serve-$1.sh"
	fi
	chmod +x "$W/serve-$1.sh"
	socat "UNIX-LISTEN:/run/wireguard/$1.sock,fork" "EXEC:$W/serve-$1.sh" 2>/dev/null &
	for ((i = 0; i < 100; i++)); do
		[ -S "/run/wireguard/$1.sock" ] && return 0
		sleep 0.05
	done
	return 1
}

# sort_blocks : a showconf with its peers in a stable order, for comparing live
# wireguard-go devices, which list peers in random (Go map) order
sort_blocks() {
	perl -0777 -ne 's/\n+\z//; my @b = split /\n\n+/; my $h = shift @b; print join("\n\n", $h, sort @b), "\n"'
}
canon_lines() { # canon_lines : the first line, then the others sorted
	perl -e 'my $h = <STDIN>; print $h if defined $h; print sort <STDIN>'
}

WG_JSON=/usr/share/doc/wireguard-tools/examples/json/wg-json
VIEW_FIELDS="public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips
	latest-handshakes transfer persistent-keepalive dump bogus"

# views_run DIR IFACE... : every view of the devices, by ours and by the
# reference, into DIR/VIEW.ours and DIR/VIEW.ref (VIEW.json.ref from wg-json)
views_run() {
	local dir=$1 f i
	shift
	mkdir -p "$dir" "$W/refbin" && ln -sf "$REF_WG" "$W/refbin/wg"
	for i in "$@"; do
		both "$dir/showconf-$i" showconf "$i"
		both "$dir/pretty-$i" show "$i"
		WG_COLOR_MODE=always both "$dir/color-$i" show "$i"
		WG_COLOR_MODE=always WG_HIDE_KEYS=never both "$dir/color-keys-$i" show "$i"
		for f in $VIEW_FIELDS; do both "$dir/field-$f-$i" show "$i" "$f"; done
	done
	for f in $VIEW_FIELDS; do both "$dir/field-$f-all" show all "$f"; done
	both "$dir/pretty-all" show all
	WG_COLOR_MODE=always both "$dir/color-all" show all
	WG_COLOR_MODE=always WG_HIDE_KEYS=never both "$dir/color-keys-all" show
	both "$dir/interfaces" show interfaces
	both "$dir/bare"
	json_both "$dir/json"
}
# json_both OUT : `wg show all json` by ours, wg-json by the reference (stdout
# first, then stderr: wg-json's shell and our wg buffer them differently)
json_both() {
	{ ours show all json 2>"$1.err.ours"; echo "exit=$?"; cat "$1.err.ours"; } >"$1.ours"
	{ PATH=$W/refbin:$PATH bash "$WG_JSON" 2>"$1.err.ref"; echo "exit=$?"; cat "$1.err.ref"; } >"$1.ref"
	rm -f "$1.err.ours" "$1.err.ref"
	printf 'json_both %q' "$1" >"$1.cmd"
}

# views_snapshot DIR IFACE... : snapshots the devices' UAPI state, then runs
# views_run in a nested mount namespace where only the snapshots answer, so
# ours and the reference see identical bytes (peer order included).
views_snapshot() {
	local dir=$1 i
	shift
	rm -rf "$dir" && mkdir -p "$dir"
	for i in "$@"; do uapi_get "$i" >"$dir/$i.snap"; done
	WGT_VIEWS=1 unshare --mount --propagation private "$BASH" "$WGT_SELF" "$dir" "$@"
}
views_child() { # in the nested namespace: serve the snapshots, run the views
	local dir=$1 i
	shift
	mount -t tmpfs -o mode=0755 wgtsnap /run/wireguard || exit 1
	for i in "$@"; do serve_reply "$i" "$dir/$i.snap" || exit 1; done
	views_run "$dir" "$@"
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	exit 0
}
# views_check DIR LABEL : one TAP line per view. Views print times relative to
# the clock, so one that differs is run again (four times at most) before it fails.
views_check() {
	local f i
	for f in "$1"/*.ours; do
		for ((i = 0; i < 4; i++)); do
			cmp -s "$f" "${f%.ours}.ref" && break
			eval "$(cat "${f%.ours}.cmd")"
		done
		is "$(cat -A "$f")" "$(cat -A "${f%.ours}.ref")" "$2: $(basename "${f%.ours}")"
	done
}

# is_todo REASON GOT WANT DESCRIPTION : like is, for a known gap in someone
# else's module; TAP's TODO keeps it visible without failing the run.
is_todo() {
	tap_n=$((tap_n + 1))
	if [ "$2" == "$3" ]; then
		echo "ok $tap_n - $4 # TODO $1"
	else
		echo "not ok $tap_n - $4 # TODO $1"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | sed 's/^/#   /' | head -20
	fi
}

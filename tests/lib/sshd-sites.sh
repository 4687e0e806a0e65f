# SPDX-License-Identifier: GPL-2.0
# Sourced by .t scripts after netns.sh: sites reached over real OpenSSH.
#
# An admin namespace ${P}adm has a management link to each site K's namespace
# (198.18.K.1 and fd18::K:1 on the admin side, 198.18.K.2 and fd18::K:2 on the
# site). Each site gets its own mount namespace, kept alive by a holder
# process, with a private /run (so /run/wireguard, /var/run/wireguard and
# /run/sshd), a private /etc/wireguard and the binaries it should run bound
# over /usr/local/bin: ours (wg, wg-quick; wg-quick finds wg-engine beside
# itself) or Debian's /usr/bin ones (with /usr/bin/wireguard-go), as wrappers
# that log every call in the site's /run/wg-calls. The
# site's sshd (Debian's /usr/sbin/sshd, its own host key) runs inside both
# namespaces and can be stopped and started again without losing the site's
# state. The client key, known_hosts and ssh_config are made here; nothing in
# ~/.ssh or /etc/ssh is read or written, and host keys are checked strictly.
#
# After sshd_init: SSHD_DIR (temporary), SSHD_SSH (the ssh command line for
# $WG_MESH_SSH), and sshd_ansible runs an exported playbook on the sites. Everything is stopped and removed by sshd_cleanup, which
# sshd_init registers with at_exit.

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}
SSHD_DIR=
SSHD_SSH=
sshd_holders=()
sshd_pids=()

sshd_init() { # sshd_init : temporary dir, client key, ssh_config, the admin namespace
	SSHD_DIR=$(mktemp -d "/tmp/${P}sshd.XXXXXX") || return 1
	at_exit sshd_cleanup
	chmod 0700 "$SSHD_DIR"
	ssh-keygen -q -t ed25519 -N '' -C "${P}client" -f "$SSHD_DIR/client" || return 1
	cp "$SSHD_DIR/client.pub" "$SSHD_DIR/authorized_keys"
	: >"$SSHD_DIR/known_hosts"
	cat >"$SSHD_DIR/ssh_config" <<-EOF
	Host *
	    IdentityFile $SSHD_DIR/client
	    IdentitiesOnly yes
	    UserKnownHostsFile $SSHD_DIR/known_hosts
	    GlobalKnownHostsFile /dev/null
	    StrictHostKeyChecking yes
	    UpdateHostKeys no
	    LogLevel ERROR
	EOF
	SSHD_SSH="ssh -F $SSHD_DIR/ssh_config"
	ns_add "${P}adm"
}

sshd_wrapper() { # sshd_wrapper DIR NAME TARGET : NAME logs each call to /run/wg-calls, runs TARGET
	printf '#!/bin/sh\necho "%s $*" >>/run/wg-calls\nexec %s "$@"\n' "$3" "$3" >"$1/$2" &&
		chmod 0755 "$1/$2"
}

# What goes over /usr/local/bin: ours, or wrappers of Debian's /usr/bin ones.
# Either way every wg and wg-quick call on the site is logged in its /run/wg-calls.
sshd_bin_dir() { # sshd_bin_dir ours|debian
	local d=$SSHD_DIR/bin-$1
	[ -d "$d" ] && { echo "$d"; return 0; }
	mkdir -p "$d" || return 1
	if [ "$1" = ours ]; then
		sshd_wrapper "$d" wg "$OUR_WG" && sshd_wrapper "$d" wg-quick "$OUR_QUICK" || return 1
	else
		sshd_wrapper "$d" wg "$REF_WG" && sshd_wrapper "$d" wg-quick "$REF_QUICK" || return 1
	fi
	echo "$d"
}

sshd_link() { # sshd_link K NS : the management link between the admin and site K
	local k=$1 ns=$2
	ip link add "${P}m$k" netns "${P}adm" type veth peer name "${P}mgmt" netns "$ns" || return 1
	ip -n "${P}adm" link set "${P}m$k" up && ip -n "$ns" link set "${P}mgmt" up &&
		ip -n "${P}adm" addr add "198.18.$k.1/30" dev "${P}m$k" &&
		ip -n "$ns" addr add "198.18.$k.2/30" dev "${P}mgmt" &&
		ip -n "${P}adm" addr add "fd18::$k:1/126" dev "${P}m$k" nodad &&
		ip -n "$ns" addr add "fd18::$k:2/126" dev "${P}mgmt" nodad
}

sshd_keys() { # sshd_keys K NAME : host key, known_hosts lines and a Host alias NAME
	local k=$1 d=$SSHD_DIR/s$1
	mkdir -p "$d" && ssh-keygen -q -t ed25519 -N '' -C "${P}site$k" -f "$d/host_key" || return 1
	echo "198.18.$k.2,fd18::$k:2 $(cut -d' ' -f1,2 "$d/host_key.pub")" >>"$SSHD_DIR/known_hosts"
	printf 'Host %s\n    HostName 198.18.%s.2\n    User root\n' "$2" "$k" >>"$SSHD_DIR/ssh_config"
	cat >"$d/sshd_config" <<-EOF
	ListenAddress 198.18.$k.2
	ListenAddress [fd18::$k:2]
	HostKey $d/host_key
	PidFile none
	AuthorizedKeysFile $SSHD_DIR/authorized_keys
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PrintMotd no
	LogLevel VERBOSE
	EOF
}

# The holder: a process in the site's network namespace and in a new mount
# namespace with the private mounts, alive until cleanup.
sshd_holder() { # sshd_holder K NS BINDIR
	local d=$SSHD_DIR/s$1 i
	ip netns exec "$2" unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=0755 '"${P}"'run /run &&
		mkdir -m 0755 /run/sshd /run/wireguard &&
		mount -t tmpfs -o mode=0700 '"${P}"'etcwg /etc/wireguard &&
		mount --bind "$1" /usr/local/bin && : >"$2/ready" && exec sleep 1000000' \
		holder "$3" "$d" </dev/null >"$d/holder.log" 2>&1 &
	sshd_holders[$1]=$!
	for i in $(seq 100); do
		[ -e "$d/ready" ] && return 0
		kill -0 "${sshd_holders[$1]}" 2>/dev/null || break
		sleep 0.05
	done
	cat "$d/holder.log" >&2
	return 1
}

sshd_exec() { # sshd_exec K CMD... : run CMD inside site K (its network and mount namespaces)
	local k=$1
	shift
	nsenter -t "${sshd_holders[$k]}" -m -n -- "$@"
}

sshd_start() { # sshd_start K : start (again) site K's sshd and wait until it answers
	local k=$1 d=$SSHD_DIR/s$1 i
	nsenter -t "${sshd_holders[$k]}" -m -n -- "$SSHD_BIN" -D -e -f "$d/sshd_config" \
		</dev/null >>"$d/sshd.log" 2>&1 &
	sshd_pids[$k]=$!
	for i in $(seq 100); do
		ip netns exec "${P}adm" $SSHD_SSH -o ConnectTimeout=2 "root@198.18.$k.2" true \
			</dev/null >/dev/null 2>&1 && return 0
		kill -0 "${sshd_pids[$k]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$d/sshd.log" >&2
	return 1
}

sshd_stop() { # sshd_stop K : stop site K's sshd (the site keeps running)
	local pid=${sshd_pids[$1]:-} i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	sshd_pids[$1]=
}

sshd_site() { # sshd_site K NS NAME ours|debian : site K reachable as NAME and 198.18.K.2
	local bin
	bin=$(sshd_bin_dir "$4") || return 1
	sshd_link "$1" "$2" && sshd_keys "$1" "$3" && sshd_holder "$1" "$2" "$bin" && sshd_start "$1"
}

# Ansible's own files stay in SSHD_DIR and the sites' private /run; no
# ControlMaster, so no ssh process outlives a run.
sshd_ansible() { # sshd_ansible DIR ARGS... : ansible-playbook of an `export ansible' DIR from the admin namespace
	local d=$1
	shift
	mkdir -p "$SSHD_DIR/ansible-home/tmp" || return 1
	ip netns exec "${P}adm" env LC_ALL=C.UTF-8 ANSIBLE_HOME="$SSHD_DIR/ansible-home" \
		ANSIBLE_LOCAL_TEMP="$SSHD_DIR/ansible-home/tmp" ANSIBLE_REMOTE_TEMP=/run/ansible-tmp \
		ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
		ANSIBLE_SSH_TRANSFER_METHOD=piped ANSIBLE_PIPELINING=1 \
		ANSIBLE_SSH_ARGS="-F $SSHD_DIR/ssh_config -o ControlMaster=no -o ControlPath=none" \
		ansible-playbook -i "$d/inventory.yml" "$d/playbook.yml" "$@"
}

sshd_cleanup() { # stops every sshd and holder this file started, removes SSHD_DIR
	local k
	for k in "${!sshd_pids[@]}"; do sshd_stop "$k"; done
	for k in "${!sshd_holders[@]}"; do
		# What a session left in the site's namespaces (engines) goes with it.
		kill "${sshd_holders[$k]}" 2>/dev/null
		wait "${sshd_holders[$k]}" 2>/dev/null
	done
	sshd_holders=()
	[ -n "$SSHD_DIR" ] && rm -rf "$SSHD_DIR"
	SSHD_DIR=
}

# ---------------------------------------------------------------- the seed mesh
# The four sites of examples/sites.yaml (needs tests/lib/topology.sh), each with
# its own sshd: tokyo, paris and osaka run ours, lima Debian's wg-quick and
# wireguard-go. The tests of apply and of the Ansible export share it.
SEED_SITES=(tokyo paris osaka lima)

seed_sites_yaml() { # seed_sites_yaml SRC IFACE OSAKA_SSH OUT : SRC on IFACE, each site its own ssh: form
	sed -e "s/^  interface: wg0/  interface: $2/" \
		-e 's|^    ssh: root@192.0.2.1|    ssh: root@198.18.1.2|' \
		-e 's|^    ssh: paris-gw|    ssh: ssh://root@198.18.2.2:22|' \
		-e "s|^    ssh: admin@2001:db8:1234:3::1|    ssh: $3|" \
		-e 's|^    ssh: "ssh://root@\[2001:db8:1234:4::1\]:2222"|    ssh: "ssh://root@[fd18::4:2]:22"|' \
		"$1" >"$4"
}

seed_sshd_up() { # seed_sshd_up NAMEPREFIX : the sites, the admin namespace and every sshd, as TAP lines
	local k
	check "four sites and the WAN in namespaces" topo_build 4
	check "admin namespace and client key" sshd_init
	for k in 1 2 3; do
		check "sshd on ${SEED_SITES[$((k - 1))]} (ours)" sshd_site "$k" "${P}s$k" \
			"$1-${SEED_SITES[$((k - 1))]}" ours
	done
	check "sshd on lima (Debian's wg-quick and wireguard-go)" sshd_site 4 "${P}s4" "$1-lima" debian
}

seed_pings() { # seed_pings : every LAN to every other, IPv4 and IPv6; prints the failures
	local from to fam
	for from in 1 2 3 4; do
		for to in 1 2 3 4; do
			[ "$from" = "$to" ] && continue
			for fam in 4 6; do
				topo_ping "$from" "$to" "$fam" ||
					echo "${SEED_SITES[$((from - 1))]} -> ${SEED_SITES[$((to - 1))]} IPv$fam"
			done
		done
	done
}

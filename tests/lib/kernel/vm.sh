# SPDX-License-Identifier: GPL-2.0
# The host's side of the kernel tests (sourced after tests/lib/netns.sh): boots
# Debian's kernel under qemu with a cached busybox initramfs holding the real
# wireguard.ko, Debian's wg/wg-quick and our binaries, runs one guest script
# per boot and turns its TAP lines into this test's. KVM is used only where a
# probe shows it boots; otherwise TCG. See /work/shared/notes/kernel-vm.md.
#
#   vm_need              skip unless qemu and a kernel with wireguard.ko exist
#   vm_prepare           vmlinux, initramfs (rebuilt when its inputs change), accel
#   vm_net_setup         host namespace kvmh$$ with tap kvmt$$ (10.99.0.1, fd99::1)
#   vm_start SCRIPT      boot with SCRIPT as /test.sh; VM_DATA (a folder) lands at
#                        /data, VM_ENV (lines K=V) in the guest's environment
#   vm_wait              wait for poweroff, pass the guest's TAP through
#   vm_sync_post/wait    the file barrier with the guest (guest.sh's sync_*)

KVM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KVM_DIR=${KVMWG_DIR:-$WG_BUILD/kernel}
VM_NS=kvmh$$
VM_TAP=kvmt$$
VM_HOST4=10.99.0.1
VM_GUEST4=10.99.0.2
VM_HOST6=fd99::1
VM_GUEST6=fd99::2
VM_NET=0
VM_DATA=
VM_ENV=
VM_TIMEOUT=${VM_TIMEOUT:-400}
vm_pid=
vm_run_dir=
vm_rc=
VM_QEMU=$(command -v qemu-system-x86_64 || true)

# Picks the newest /boot/vmlinuz-* whose modules include WireGuard.
vm_find_kernel() {
	local z v
	for z in $(ls -1v /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		v=${z#/boot/vmlinuz-}
		ls /lib/modules/"$v"/kernel/drivers/net/wireguard/wireguard.ko* >/dev/null 2>&1 || continue
		VM_KVER=$v
		VM_VMLINUZ=$z
		return 0
	done
	return 1
}

vm_need() {
	need_root
	[ -n "$VM_QEMU" ] || skip_all "qemu-system-x86_64 is not installed (make deps)"
	vm_find_kernel || skip_all "no /boot/vmlinuz-* with a wireguard.ko (make deps installs linux-image-amd64)"
	local t
	for t in busybox cpio depmod gzip xz; do
		command -v "$t" >/dev/null || { echo "Bail out! $t is missing (make deps)"; exit 1; }
	done
}

# The uncompressed ELF inside the bzImage: qemu boots it through the PVH
# entry, which skips the decompressor that is slow under TCG.
vm_extract_vmlinux() {
	local out=$1 off
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VM_VMLINUZ" | head -1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	tail -c +$((off + 1)) "$VM_VMLINUZ" | xz -dc --single-stream >"$out.tmp" 2>/dev/null
	[ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
	mv -f "$out.tmp" "$out"
}

vm_initramfs_key() {
	{
		cat "$KVM_LIB/mkinitramfs" "$KVM_LIB/init" "$KVM_LIB/guest.sh"
		echo "$VM_KVER"
		sha256sum "$WG_BUILD/wg" "$WG_BUILD/wg-quick" "$WG_BUILD/wg-engine" 2>/dev/null
		sha256sum /usr/bin/wg /usr/bin/wg-quick /bin/bash /bin/ip "$(command -v busybox)" \
			/usr/sbin/nft 2>/dev/null
	} | sha256sum | cut -c1-16
}

vm_prepare() {
	local t0 key
	mkdir -p "$KVM_DIR"
	exec 9>"$KVM_DIR/.lock"
	flock 9
	if [ -n "${KVMWG_KERNEL:-}" ]; then
		VM_KERNEL=$KVMWG_KERNEL
	else
		VM_KERNEL=$KVM_DIR/vmlinux-$VM_KVER
		if [ ! -s "$VM_KERNEL" ] || [ "$VM_VMLINUZ" -nt "$VM_KERNEL" ]; then
			vm_extract_vmlinux "$VM_KERNEL" || VM_KERNEL=$VM_VMLINUZ
		fi
	fi
	key=$(vm_initramfs_key)
	VM_INITRAMFS=$KVM_DIR/initramfs-$key.cpio.gz
	if [ ! -s "$VM_INITRAMFS" ]; then
		t0=$(date +%s.%N)
		if ! "$KVM_LIB/mkinitramfs" "$VM_KVER" "$VM_INITRAMFS" \
			"$WG_BUILD/wg" "$WG_BUILD/wg-quick" "$WG_BUILD/wg-engine" >"$KVM_DIR/mkinitramfs.log" 2>&1; then
			flock -u 9
			exec 9>&-
			echo "Bail out! building the initramfs failed:"
			sed 's/^/# /' "$KVM_DIR/mkinitramfs.log"
			exit 1
		fi
		echo "# initramfs built in $(vm_since "$t0") s: ${VM_INITRAMFS##*/}"
	fi
	# Others' images go once unused for a while: a concurrent run may be
	# about to boot one within seconds (each run touches its own under the lock).
	touch "$VM_INITRAMFS"
	find "$KVM_DIR" -maxdepth 1 -name 'initramfs-*.cpio.gz' -mmin +10 -delete
	vm_pick_accel
	flock -u 9
	exec 9>&-
	echo "# kernel $VM_KVER ($VM_KERNEL), accel $VM_ACCEL${VM_ACCEL_WHY:+ ($VM_ACCEL_WHY)}"
}

vm_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }'; }

# KVM only where it truly runs Debian's kernel: not kvm_pvm (software nested
# virtualisation, which cannot), and only after a short KVM boot succeeded.
vm_pick_accel() {
	local cache id
	VM_ACCEL=tcg
	if [ -n "${KVMWG_ACCEL_TESTING:-}" ]; then
		VM_ACCEL=$KVMWG_ACCEL_TESTING
		return
	fi
	if [ -d /sys/module/kvm_pvm ]; then
		VM_ACCEL_WHY="kvm_pvm cannot run this kernel"
		return
	fi
	if [ ! -d /sys/module/kvm_intel ] && [ ! -d /sys/module/kvm_amd ]; then
		VM_ACCEL_WHY="no kvm_intel or kvm_amd"
		return
	fi
	if [ ! -w /dev/kvm ]; then
		VM_ACCEL_WHY="/dev/kvm not writable"
		return
	fi
	id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
	cache=$KVM_DIR/accel.$id
	if [ ! -s "$cache" ]; then
		rm -f "$KVM_DIR"/accel.*
		if vm_probe_kvm; then echo kvm >"$cache"; else echo tcg >"$cache"; fi
	fi
	VM_ACCEL=$(cat "$cache")
	[ "$VM_ACCEL" = kvm ] || VM_ACCEL_WHY="a KVM probe boot failed"
}

vm_probe_kvm() {
	local d rc
	d=$(mktemp -d /tmp/kvmprobe.XXXXXX)
	printf 'echo probe-ok\n' >"$d/test.sh"
	(cd "$d" && echo test.sh | cpio -o -H newc -R 0:0 --quiet >"$d/run.cpio")
	cat "$d/run.cpio" "$VM_INITRAMFS" >"$d/initrd"
	# A KVM that boots but crawls (software nested virtualisation) fails too.
	(timeout 40 "$VM_QEMU" -nodefaults -no-user-config -no-reboot -accel kvm -cpu host -smp 2 -m 512 \
		-display none -nic none -serial null -serial "file:$d/out" -kernel "$VM_KERNEL" \
		-initrd "$d/initrd" -append 'console=ttyS0 quiet panic=-1' </dev/null >/dev/null 2>&1) 2>/dev/null
	grep -q 'KVMWG-EXIT=0' "$d/out" 2>/dev/null
	rc=$?
	rm -rf "$d"
	return $rc
}

vm_accel_args() {
	case $VM_ACCEL in
	kvm) echo "-accel kvm -cpu host" ;;
	*) echo "-accel tcg,thread=multi -cpu max" ;;
	esac
}

# A host namespace holding the tap the guest's eth0 is wired to.
vm_net_setup() {
	ns_add "$VM_NS" || { echo "Bail out! cannot create namespace $VM_NS"; exit 1; }
	ip -n "$VM_NS" tuntap add dev "$VM_TAP" mode tap || { echo "Bail out! cannot create $VM_TAP"; exit 1; }
	ip -n "$VM_NS" addr add "$VM_HOST4/24" dev "$VM_TAP"
	ip -n "$VM_NS" addr add "$VM_HOST6/64" dev "$VM_TAP" nodad
	ip -n "$VM_NS" link set "$VM_TAP" up
	VM_NET=1
}

vm_start() { # vm_start GUEST_SCRIPT
	local script=$1 s append
	vm_run_dir=$(mktemp -d /tmp/kvmwg.XXXXXX)
	at_exit "rm -rf '$vm_run_dir'"
	s=$vm_run_dir/cpio
	mkdir -p "$s/etc" "$vm_run_dir/share"
	chmod 0777 "$vm_run_dir/share"
	cp "$script" "$s/test.sh"
	printf '%s\n' "$VM_ENV" >"$s/etc/kvmwg.env"
	if [ -n "$VM_DATA" ]; then
		mkdir -p "$s/data"
		cp -r "$VM_DATA"/. "$s/data/"
	fi
	(cd "$s" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet >"$vm_run_dir/run.cpio")
	# The small uncompressed archive first: one appended after the gzip one is ignored.
	cat "$vm_run_dir/run.cpio" "$VM_INITRAMFS" >"$vm_run_dir/initrd" ||
		{ echo "Bail out! cannot assemble the initrd from $VM_INITRAMFS"; exit 1; }
	append="console=ttyS0 quiet panic=-1 kvmwg.share=1"
	local -a net=(-nic none) ns=()
	if [ "$VM_NET" = 1 ]; then
		append+=" kvmwg.ip=$VM_GUEST4/24 kvmwg.ip6=$VM_GUEST6/64"
		net=(-netdev "tap,id=n0,ifname=$VM_TAP,script=no,downscript=no"
			-device virtio-net-pci,netdev=n0)
		ns=(ip netns exec "$VM_NS")
	fi
	vm_t0=$(date +%s.%N)
	vm_ready=
	if [ "${VM_INTERACTIVE:-0}" = 1 ]; then
		# For people: the guest's console on this terminal (Ctrl-A X quits).
		# shellcheck disable=SC2046
		"${ns[@]}" timeout --foreground "$VM_TIMEOUT" "$VM_QEMU" -nodefaults -no-user-config \
			-no-reboot $(vm_accel_args) -smp 2 -m 1024 -display none -serial mon:stdio \
			-serial "file:$vm_run_dir/out.log" -kernel "$VM_KERNEL" -initrd "$vm_run_dir/initrd" \
			-append "$append" "${net[@]}" \
			-virtfs "local,path=$vm_run_dir/share,mount_tag=host,security_model=none,id=host0"
		return
	fi
	# shellcheck disable=SC2046
	"${ns[@]}" timeout "$VM_TIMEOUT" "$VM_QEMU" -nodefaults -no-user-config -no-reboot \
		$(vm_accel_args) -smp 2 -m 1024 -display none -monitor none \
		-serial "file:$vm_run_dir/console.log" -serial "file:$vm_run_dir/out.log" \
		-kernel "$VM_KERNEL" -initrd "$vm_run_dir/initrd" -append "$append" "${net[@]}" \
		-virtfs "local,path=$vm_run_dir/share,mount_tag=host,security_model=none,id=host0" \
		</dev/null >"$vm_run_dir/qemu.log" 2>&1 &
	vm_pid=$!
	at_exit "vm_kill"
}

vm_kill() {
	[ -n "$vm_pid" ] || return 0
	kill "$vm_pid" 2>/dev/null
	wait "$vm_pid" 2>/dev/null
	vm_pid=
}

vm_alive() { [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; }

# Notes the boot time the first time the guest's READY line shows up.
vm_poll_ready() {
	[ -n "$vm_ready" ] && return 0
	grep -q '^KVMWG-READY' "$vm_run_dir/out.log" 2>/dev/null || return 1
	vm_ready=$(vm_since "$vm_t0")
}

vm_sync_post() { # vm_sync_post NAME [CONTENT]
	printf '%s\n' "${2-}" >"$vm_run_dir/share/h.$1.tmp" && mv "$vm_run_dir/share/h.$1.tmp" "$vm_run_dir/share/h.$1"
}
vm_sync_wait() { # vm_sync_wait NAME [SECONDS] : 0 once the guest posted NAME, else a failed check
	local i n=$((${2:-90} * 10))
	for ((i = 0; i < n; i++)); do
		[ -e "$vm_run_dir/share/g.$1" ] && return 0
		vm_poll_ready
		vm_alive || break
		sleep 0.1
	done
	[ -e "$vm_run_dir/share/g.$1" ] && return 0
	ok 1 "the guest reached step '$1' within ${2:-90} s"
	return 1
}
vm_sync_read() { cat "$vm_run_dir/share/g.$1" 2>/dev/null; }

# Waits for poweroff and numbers the guest's TAP lines as this test's.
vm_wait() {
	local line exit_seen=0 fails_before=$tap_fail total
	while vm_alive; do
		vm_poll_ready
		sleep 0.1
	done
	wait "$vm_pid" 2>/dev/null
	vm_qemu_rc=$?
	vm_pid=
	vm_poll_ready
	total=$(vm_since "$vm_t0")
	vm_rc=
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		KVMWG-READY*) ;;
		KVMWG-EXIT=*) vm_rc=${line#KVMWG-EXIT=} exit_seen=1 ;;
		*) echo "# guest| $line" ;;
		esac
	done <"$vm_run_dir/out.log"
	echo "# vm: ready after ${vm_ready:-never} s, powered off after $total s ($VM_ACCEL)"
	if [ $exit_seen = 0 ]; then
		ok 1 "the guest ran its script to the end (qemu status $vm_qemu_rc)"
		sed 's/^/# qemu| /' "$vm_run_dir/qemu.log" | tail -n 10
		tr -d '\r' <"$vm_run_dir/console.log" | sed 's/^/# console| /' | tail -n 40
	elif [ "$vm_rc" != 0 ] && [ $tap_fail -eq "$fails_before" ]; then
		ok 1 "the guest script exited 0 (it exited $vm_rc)"
		tr -d '\r' <"$vm_run_dir/console.log" | sed 's/^/# console| /' | tail -n 20
	fi
}

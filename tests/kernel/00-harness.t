#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel harness itself: Debian's kernel boots with its own wireguard.ko,
# Debian's wg drives a kernel device, our binaries load in the guest, and files
# and the barrier cross between host and guest.
T=kvmharness
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/kernel/vm.sh"

vm_need
vm_prepare
data=$(mktemp -d /tmp/kvmdata.XXXXXX)
at_exit "rm -rf '$data'"
head -c 100000 /dev/urandom >"$data/blob"
VM_DATA=$data
ours=$(cd "$WG_BUILD" && ls wg wg-quick wg-engine 2>/dev/null | tr '\n' ' ')
VM_ENV="KVER=$VM_KVER
BLOB_SHA=$(sha256sum <"$data/blob" | cut -d' ' -f1)
OURS='$ours'
OURS_SHA='$(cd "$WG_BUILD" && sha256sum $ours 2>/dev/null | tr '\n' ' ')'"
vm_start "$(dirname "$0")/guest/harness.sh"
vm_sync_wait hello 120 && is "$(vm_sync_read hello)" "$VM_KVER" "the guest posts through the share"
vm_sync_post bye
vm_wait
done_testing

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wg-quick on the kernel's WireGuard: in one guest, Debian's wg-quick and ours
# bring up and down a server config, a full-tunnel client (0.0.0.0/0, ::/0) and
# one with its own table, MTU, fwmark, every hook and SaveConfig.
# After each up and each down, links, addresses, routes in all tables, rules,
# the nft ruleset, the device's config, hook effects and the config file (which
# SaveConfig rewrites) must be the same; our wg-quick must print the same [#]
# steps and never fall back to userspace.
# KVMWG_OUR_QUICK=/usr/bin/wg-quick runs the guest's "ours" as Debian's (harness check).
T=kvmquick
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/kernel/vm.sh"

umask 077
vm_need
if [ -z "${KVMWG_OUR_QUICK:-}" ] && [ ! -x "$OUR_QUICK" ]; then
	ok 1 "wg-quick is built ($OUR_QUICK)"
	done_testing
fi
vm_prepare
VM_ENV=${KVMWG_OUR_QUICK:+OUR_QUICK=$KVMWG_OUR_QUICK}
vm_start "$(dirname "$0")/guest/wg-quick.sh"
vm_wait
done_testing

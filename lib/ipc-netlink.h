/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel back end of lib/ipc: WireGuard's generic netlink family (and
 * rtnetlink to find its links), spoken with libmnl. Building and parsing
 * messages is kept apart from socket I/O so both can be tested without a
 * kernel that has WireGuard.
 */
#ifndef WG_IPC_NETLINK_H
#define WG_IPC_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "model.h"

/*
 * Appends the name of every WireGuard link (rtnetlink link kind "wireguard")
 * as a NUL-terminated string to the malloc'd buffer *buf of *len bytes (*buf
 * may be NULL, *len 0). Nothing is appended when there is none. 0 or -errno.
 */
int ipc_netlink_list(char **buf, size_t *len) __attribute__((warn_unused_result));

/*
 * Reads IFACE with one WG_CMD_GET_DEVICE dump into a new model (free it with
 * model_device_free()). -EPROTONOSUPPORT when the kernel has no WireGuard,
 * -ENODEV when there is no such link. 0 or -errno.
 */
int ipc_netlink_get(struct wgdevice **dev, const char *iface) __attribute__((warn_unused_result));

/*
 * Applies a model with WG_CMD_SET_DEVICE, split over as many messages as it
 * needs. A model that removes single allowed IPs is refused whole, before
 * anything is sent, with -EOPNOTSUPP when the kernel cannot do that.
 */
int ipc_netlink_set(struct wgdevice *dev) __attribute__((warn_unused_result));

/*
 * Whether the running kernel knows WGALLOWEDIP_A_FLAGS (Linux 6.16 and later),
 * asked of the generic netlink controller's policy dump of the family; when
 * that does not show the nested allowed-IP policy (only kernels after 6.18
 * export it), the kernel release decides. False without WireGuard. Cached
 * after the first answer; never sends a change.
 */
bool ipc_netlink_has_allowedip_flags(void);

/*
 * For tests: 0 or 1 forces ipc_netlink_has_allowedip_flags()'s answer, -1
 * returns to probing the kernel.
 */
void ipc_netlink_override_allowedip_flags(int state);

/* ---- Message building and parsing, without sockets. ---- */

/* Where the next WG_CMD_SET_DEVICE message continues within a model. */
struct ipc_netlink_cursor {
	const struct wgpeer *peer;     /* next peer to write; NULL when all are done */
	const struct wgallowedip *aip; /* its next allowed IP when continued, else NULL */
	bool continued;		       /* the peer's first fragment went out already */
	unsigned int messages;	       /* messages built so far */
};

void ipc_netlink_cursor_init(struct ipc_netlink_cursor *cur, const struct wgdevice *dev);
bool ipc_netlink_cursor_done(const struct ipc_netlink_cursor *cur);

/*
 * Fills BUF (LEN bytes) with the next WG_CMD_SET_DEVICE message for DEV, from
 * the cursor on, and moves the cursor past what it wrote. The first message
 * carries the device's fields and flags; later ones only the name and the
 * peers, a continued peer repeating its public key without REPLACE flags.
 * Returns 0, or -EMSGSIZE when LEN cannot hold even one peer. BUF then holds
 * the private and preshared keys: wipe it after sending.
 */
int ipc_netlink_build_set(void *buf, size_t len, uint16_t family, uint32_t seq,
			  const struct wgdevice *dev, struct ipc_netlink_cursor *cur)
    __attribute__((warn_unused_result));

/* Fills BUF with a WG_CMD_GET_DEVICE dump request for IFACE. */
struct nlmsghdr *ipc_netlink_build_get(void *buf, uint16_t family, uint32_t seq, const char *iface);

/*
 * Folds one WG_CMD_GET_DEVICE reply message into DEV. A peer with the public
 * key of DEV's last peer continues that peer (the kernel splits long allowed-IP
 * lists over messages). Rejects malformed messages with -EINVAL.
 */
int ipc_netlink_parse_device(const struct nlmsghdr *nlh, struct wgdevice *dev)
    __attribute__((warn_unused_result));

/*
 * Walks the messages in a received buffer of LEN bytes, calling FN (when not
 * NULL) on each that is not a control message; FN returns 0 or -errno.
 * Returns 1 when more messages should follow, 0 at NLMSG_DONE or an
 * acknowledgement, or -errno (an NLMSG_ERROR's error, -EINVAL for malformed
 * input, FN's error).
 */
int ipc_netlink_walk(const void *buf, size_t len, int (*fn)(const struct nlmsghdr *, void *),
		     void *data) __attribute__((warn_unused_result));

/*
 * Appends the link's name to *buf (see ipc_netlink_list()) when an
 * RTM_NEWLINK message describes a link of kind "wireguard". 0 or -errno.
 */
int ipc_netlink_parse_link(const struct nlmsghdr *nlh, char **buf, size_t *len)
    __attribute__((warn_unused_result));

/*
 * Walks a received buffer of LEN bytes, folding every message into DEV.
 * Returns 1 when the dump goes on, 0 at NLMSG_DONE, or -errno (an
 * NLMSG_ERROR's error, -EINVAL for malformed input).
 */
int ipc_netlink_parse_dump(const void *buf, size_t len, struct wgdevice *dev)
    __attribute__((warn_unused_result));

/* What a CTRL_CMD_GETPOLICY dump of the family showed so far. */
struct ipc_netlink_policy_scan {
	int allowedip_policy; /* index of the allowed-IP policy, -1 until seen */
	uint64_t has_attr4;   /* bit N: policy N has an attribute of type 4 */
};

void ipc_netlink_policy_scan_init(struct ipc_netlink_policy_scan *scan);

/* Folds one policy dump message into SCAN. 0, or -EINVAL when malformed. */
int ipc_netlink_parse_policy(const struct nlmsghdr *nlh, struct ipc_netlink_policy_scan *scan)
    __attribute__((warn_unused_result));

/*
 * The verdict of a finished scan: 1 when the allowed-IP policy has
 * WGALLOWEDIP_A_FLAGS, 0 when it lacks it, -1 when the dump did not show the
 * nested policies (6.18 and older export only the device's).
 */
int ipc_netlink_policy_verdict(const struct ipc_netlink_policy_scan *scan);

#endif

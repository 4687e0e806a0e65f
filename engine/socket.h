/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sending on the device's UDP sockets. Callers hold no lock: these take
 * udp_lock for reading, so a listen-port change never swaps a socket under
 * a send.
 */
#ifndef ENGINE_SOCKET_H
#define ENGINE_SOCKET_H

#include <stddef.h>
#include <sys/uio.h>
#include "model.h"
#include "udp.h"

struct device;

/* Sends bytes to ep from local (NULL: any) on the device's sockets (handshakes). 0 or -errno. */
int device_send_to(struct device *dev, const union wgendpoint *ep, const struct udp_local *local,
		   void *buf, size_t len);
/*
 * Sends each iov element as one datagram to ep (a GSO train when sizes allow)
 * from local (NULL: any), which is cleared if the address is no longer usable.
 */
int device_send_iov(struct device *dev, const union wgendpoint *ep, struct udp_local *local,
		    struct iovec *iov, unsigned int n);
/* Closes sockets replaced by a listen-port change; the UDP thread calls it. */
void device_close_stale(struct device *dev);

#endif

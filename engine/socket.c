// SPDX-License-Identifier: GPL-2.0
/*
 * Sending on the device's UDP sockets, which a listen-port change may swap
 * at any time (udp_lock), and closing the sockets such a change replaced.
 */
#include <unistd.h>
#include "device.h"

int device_send_to(struct device *dev, const union wgendpoint *ep, const struct udp_local *local,
		   void *buf, size_t len)
{
	struct udp_local from = {0};
	struct iovec iov = {buf, len};

	if (local)
		from = *local;
	return device_send_iov(dev, ep, &from, &iov, 1);
}

int device_send_iov(struct device *dev, const union wgendpoint *ep, struct udp_local *local,
		    struct iovec *iov, unsigned int n)
{
	int ret;

	rwlock_rdlock(&dev->udp_lock);
	ret = udp_send_batch(&dev->udp, ep, local, iov, n);
	rwlock_unlock(&dev->udp_lock);
	return ret;
}

/* Closes sockets replaced by a listen-port change; the UDP thread's job. */
void device_close_stale(struct device *dev)
{
	rwlock_wrlock(&dev->udp_lock);
	for (int i = 0; i < 2; ++i) {
		if (dev->udp_stale[i] >= 0)
			close(dev->udp_stale[i]);
		dev->udp_stale[i] = -1;
	}
	rwlock_unlock(&dev->udp_lock);
}

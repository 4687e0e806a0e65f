// SPDX-License-Identifier: GPL-2.0
/*
 * Socket setup and the batched syscalls. UDP_SEGMENT lets one sendmsg carry up
 * to 64 datagrams to one endpoint and UDP_GRO lets one receive return a train
 * of them, which is where a userspace tunnel gets most of its speed back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include "udp.h"

#define SOCK_BUF (7 << 20)

void udp_init(struct udp *u)
{
	memset(u, 0, sizeof(*u));
	u->fd4 = u->fd6 = -1;
}

static void sock_tune(int fd, uint32_t fwmark)
{
	int one = 1, size = SOCK_BUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	if (fwmark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark));
}

/* A socket of family bound to port; returns the fd or -errno. */
static int sock_bind(int family, uint16_t port, uint32_t fwmark)
{
	union wgendpoint a = {0};
	int one = 1, fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a.addr6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons(port)};
	} else {
		a.addr4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port)};
	}
	sock_tune(fd, fwmark);
	if (bind(fd, &a.addr, family == AF_INET6 ? sizeof(a.addr6) : sizeof(a.addr4)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static uint16_t sock_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	return ntohs(a.sin_port);
}

/* One attempt at binding both families to port; 0 or -errno. */
static int open_pair(struct udp *u, uint16_t port, uint32_t fwmark)
{
	int fd4 = sock_bind(AF_INET, port, fwmark), fd6;

	if (fd4 < 0)
		return fd4;
	port = sock_port(fd4);
	fd6 = sock_bind(AF_INET6, port, fwmark);
	if (fd6 < 0 && fd6 != -EAFNOSUPPORT && fd6 != -EADDRNOTAVAIL) {
		close(fd4);
		return fd6;
	}
	u->fd4 = fd4;
	u->fd6 = fd6 < 0 ? -1 : fd6;
	u->port = port;
	u->fwmark = fwmark;
	u->gso = true;
	return 0;
}

int udp_open(struct udp *u, uint16_t port, uint32_t fwmark)
{
	int ret = -EADDRINUSE;

	for (int tries = 0; tries < (port ? 1 : 16); ++tries) {
		ret = open_pair(u, port, fwmark);
		if (ret != -EADDRINUSE)
			break;
	}
	return ret;
}

void udp_close(struct udp *u)
{
	if (u->fd4 >= 0)
		close(u->fd4);
	if (u->fd6 >= 0)
		close(u->fd6);
	u->fd4 = u->fd6 = -1;
}

int udp_set_fwmark(struct udp *u, uint32_t fwmark)
{
	int fds[2] = {u->fd4, u->fd6};

	for (int i = 0; i < 2; ++i) {
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)))
			return -errno;
	}
	u->fwmark = fwmark;
	return 0;
}

static uint16_t gro_size(struct msghdr *mh)
{
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return (uint16_t)v;
		}
	}
	return 0;
}

int udp_recv_batch(int fd, struct udp_rx *rx, unsigned int n)
{
	struct mmsghdr mm[UDP_RX_BATCH];
	struct iovec iov[UDP_RX_BATCH];
	char ctl[UDP_RX_BATCH][CMSG_SPACE(sizeof(int))];
	int got;

	if (n > UDP_RX_BATCH)
		n = UDP_RX_BATCH;
	for (unsigned int i = 0; i < n; ++i) {
		iov[i] = (struct iovec){rx[i].buf, UDP_RX_BUF};
		mm[i].msg_hdr = (struct msghdr){.msg_name = &rx[i].src,
						.msg_namelen = sizeof(rx[i].src),
						.msg_iov = &iov[i],
						.msg_iovlen = 1,
						.msg_control = ctl[i],
						.msg_controllen = sizeof(ctl[i])};
	}
	got = recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got; ++i) {
		rx[i].len = mm[i].msg_len;
		rx[i].gso = gro_size(&mm[i].msg_hdr);
	}
	return got;
}

static int send_one(int fd, const union wgendpoint *ep, struct iovec *iov, unsigned int n,
		    uint16_t gso)
{
	char ctl[CMSG_SPACE(sizeof(uint16_t))] = {0};
	struct msghdr mh = {.msg_name = (void *)ep,
			    .msg_namelen = ep->addr.sa_family == AF_INET6 ? sizeof(ep->addr6)
									  : sizeof(ep->addr4),
			    .msg_iov = iov,
			    .msg_iovlen = n};
	struct cmsghdr *c;

	if (gso) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	}
	return sendmsg(fd, &mh, 0) < 0 ? -errno : 0;
}

/* True when iov[0..n) can go as one GSO train. */
static bool gso_fits(const struct iovec *iov, unsigned int n)
{
	size_t total = 0;

	for (unsigned int i = 0; i < n; ++i) {
		if (i + 1 < n && iov[i].iov_len != iov[0].iov_len)
			return false;
		if (iov[i].iov_len > iov[0].iov_len)
			return false;
		total += iov[i].iov_len;
	}
	return n > 1 && n <= UDP_GSO_MAX_SEGS && total <= UDP_GSO_MAX_BYTES;
}

int udp_send_batch(struct udp *u, const union wgendpoint *ep, struct iovec *iov, unsigned int n)
{
	int fd = ep->addr.sa_family == AF_INET6 ? u->fd6 : u->fd4, ret = 0;

	if (fd < 0)
		return -EAFNOSUPPORT;
	if (u->gso && gso_fits(iov, n)) {
		ret = send_one(fd, ep, iov, n, (uint16_t)iov[0].iov_len);
		if (ret != -EIO && ret != -EINVAL && ret != -EOPNOTSUPP)
			return ret;
		u->gso = false;
	}
	for (unsigned int i = 0; i < n; ++i) {
		int r = send_one(fd, ep, &iov[i], 1, 0);

		if (r < 0)
			ret = r;
	}
	return ret;
}

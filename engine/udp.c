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

static void sock_tune(int fd, int family, uint32_t fwmark)
{
	int one = 1, size = SOCK_BUF, dont = IP_PMTUDISC_DONT;

	/* The destination address of each datagram, for the sticky source. */
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	/*
	 * As Linux's WireGuard: outer IPv4 packets never carry DF, so datagrams
	 * larger than the path MTU are fragmented (by us, or by a router) instead
	 * of lost. IPv6 already fragments at the source by the path MTU.
	 */
	if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
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
	sock_tune(fd, family, fwmark);
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
	u->gso_too_big = 0;
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

/* The GRO segment size and the local destination address from the control messages. */
static void parse_ctl(struct msghdr *mh, struct udp_rx *rx)
{
	struct in6_pktinfo p6;
	struct in_pktinfo p4;
	struct cmsghdr *c;
	int v;

	rx->gso = 0;
	memset(&rx->dst, 0, sizeof(rx->dst));
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			rx->gso = (uint16_t)v;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&p4, CMSG_DATA(c), sizeof(p4));
			rx->dst.family = AF_INET;
			rx->dst.ifindex = p4.ipi_ifindex;
			rx->dst.v4 = p4.ipi_spec_dst;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&p6, CMSG_DATA(c), sizeof(p6));
			rx->dst.family = AF_INET6;
			rx->dst.ifindex = (int)p6.ipi6_ifindex;
			rx->dst.v6 = p6.ipi6_addr;
		}
	}
}

#define RX_CTL_SPACE (CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo)))

int udp_recv_batch(int fd, struct udp_rx *rx, unsigned int n)
{
	struct mmsghdr mm[UDP_RX_BATCH];
	struct iovec iov[UDP_RX_BATCH];
	union {
		char buf[RX_CTL_SPACE];
		struct cmsghdr align;
	} ctl[UDP_RX_BATCH];
	int got;

	if (n > UDP_RX_BATCH)
		n = UDP_RX_BATCH;
	for (unsigned int i = 0; i < n; ++i) {
		iov[i] = (struct iovec){rx[i].buf, UDP_RX_BUF};
		mm[i].msg_hdr = (struct msghdr){.msg_name = &rx[i].src,
						.msg_namelen = sizeof(rx[i].src),
						.msg_iov = &iov[i],
						.msg_iovlen = 1,
						.msg_control = ctl[i].buf,
						.msg_controllen = sizeof(ctl[i].buf)};
	}
	got = recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got; ++i) {
		rx[i].len = mm[i].msg_len;
		parse_ctl(&mm[i].msg_hdr, &rx[i]);
	}
	return got;
}

/* Appends one control message at off in ctl; returns the new length. */
static size_t put_cmsg(char *ctl, size_t off, int level, int type, const void *data, size_t len)
{
	struct cmsghdr *c = (struct cmsghdr *)(ctl + off);

	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return off + CMSG_SPACE(len);
}

/* The IP_PKTINFO or IPV6_PKTINFO message choosing local as the source. */
static size_t put_local(char *ctl, size_t off, const struct udp_local *local)
{
	struct in6_pktinfo p6 = {0};
	struct in_pktinfo p4 = {0};

	if (local->family == AF_INET) {
		/* The address only: the route picks the interface, as the kernel's WireGuard. */
		p4.ipi_spec_dst = local->v4;
		return put_cmsg(ctl, off, IPPROTO_IP, IP_PKTINFO, &p4, sizeof(p4));
	}
	p6.ipi6_addr = local->v6;
	if (IN6_IS_ADDR_LINKLOCAL(&local->v6))
		p6.ipi6_ifindex = (unsigned int)local->ifindex;
	return put_cmsg(ctl, off, IPPROTO_IPV6, IPV6_PKTINFO, &p6, sizeof(p6));
}

static int send_one(int fd, const union wgendpoint *ep, const struct udp_local *local,
		    struct iovec *iov, unsigned int n, uint16_t gso)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_name = (void *)ep,
			    .msg_namelen = ep->addr.sa_family == AF_INET6 ? sizeof(ep->addr6)
									  : sizeof(ep->addr4),
			    .msg_iov = iov,
			    .msg_iovlen = n};
	size_t len = 0;

	memset(&ctl, 0, sizeof(ctl));
	if (gso)
		len = put_cmsg(ctl.buf, len, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso));
	if (local)
		len = put_local(ctl.buf, len, local);
	if (len) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = len;
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

/*
 * The errors of a source address that is no longer ours. A deleted secondary
 * IPv4 address leaves no route from it: ENETUNREACH, not EINVAL.
 */
static bool local_gone(int err)
{
	return err == -EINVAL || err == -EADDRNOTAVAIL || err == -ENETUNREACH;
}

/* True when iov[0..n) may try UDP_SEGMENT: the kernel has not refused it, nor this size. */
static bool gso_allowed(struct udp *u, const struct iovec *iov, unsigned int n)
{
	uint32_t too_big = __atomic_load_n(&u->gso_too_big, __ATOMIC_RELAXED);

	return u->gso && gso_fits(iov, n) && (!too_big || iov[0].iov_len < too_big);
}

/* Each element alone; stops at the first error that says local is unusable. */
static int send_each(int fd, const union wgendpoint *ep, const struct udp_local *local,
		     struct iovec *iov, unsigned int n)
{
	int ret = 0;

	for (unsigned int i = 0; i < n; ++i) {
		int r = send_one(fd, ep, local, &iov[i], 1, 0);

		if (r < 0)
			ret = r;
		if (local && local_gone(r))
			return r;
	}
	return ret;
}

static int send_batch(struct udp *u, int fd, const union wgendpoint *ep,
		      const struct udp_local *local, struct iovec *iov, unsigned int n)
{
	int ret;

	if (!gso_allowed(u, iov, n))
		return send_each(fd, ep, local, iov, n);
	ret = send_one(fd, ep, local, iov, n, (uint16_t)iov[0].iov_len);
	if (ret != -EIO && ret != -EINVAL && ret != -EOPNOTSUPP && ret != -EMSGSIZE)
		return ret;
	if (ret == -EIO || ret == -EOPNOTSUPP) {
		/* No UDP_SEGMENT here (or no checksum offload behind it): never again. */
		u->gso = false;
		return send_each(fd, ep, local, iov, n);
	}
	/*
	 * EINVAL: segments larger than the path MTU, which the kernel fragments
	 * only when they are sent alone, or a source address that is gone. If
	 * alone they leave, it was the size: trains of it go one by one from now.
	 */
	ret = send_each(fd, ep, local, iov, n);
	if (!ret)
		__atomic_store_n(&u->gso_too_big, (uint32_t)iov[0].iov_len, __ATOMIC_RELAXED);
	return ret;
}

int udp_send_batch(struct udp *u, const union wgendpoint *ep, struct udp_local *local,
		   struct iovec *iov, unsigned int n)
{
	int fd = ep->addr.sa_family == AF_INET6 ? u->fd6 : u->fd4, ret;

	if (fd < 0)
		return -EAFNOSUPPORT;
	if (!local || local->family != ep->addr.sa_family)
		return send_batch(u, fd, ep, NULL, iov, n);
	ret = send_batch(u, fd, ep, local, iov, n);
	if (!local_gone(ret))
		return ret;
	/* The address went away (or never was ours): forget it and let the kernel choose. */
	memset(local, 0, sizeof(*local));
	return send_batch(u, fd, ep, NULL, iov, n);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink over libmnl: one request per operation, answered by an ack or a
 * dump. Failures return -errno and keep the kernel's extended ack message so
 * callers can print what iproute2 would ("Error: ...").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"

#define RTNL_BUF_LEN 32768

struct rtnl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char errmsg[RTNL_ERRMSG_LEN];
	char buf[RTNL_BUF_LEN];
};

struct rtnl *rtnl_open(void)
{
	struct rtnl *rt = calloc(1, sizeof(*rt));
	int one = 1;

	if (!rt)
		return NULL;
	rt->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!rt->nl)
		goto err;
	/* Older kernels lack these; the messages are only a nicety. */
	mnl_socket_setsockopt(rt->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(rt->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(rt->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	rt->portid = mnl_socket_get_portid(rt->nl);
	rt->seq = (uint32_t)time(NULL);
	return rt;
err:
	rtnl_close(rt);
	return NULL;
}

void rtnl_close(struct rtnl *rt)
{
	int saved = errno;

	if (!rt)
		return;
	if (rt->nl)
		mnl_socket_close(rt->nl);
	free(rt);
	errno = saved;
}

const char *rtnl_errmsg(const struct rtnl *rt)
{
	return rt->errmsg;
}

struct talk_ctx {
	struct rtnl *rt;
	mnl_cb_t cb;
	void *arg;
};

/* Keeps NLMSGERR_ATTR_MSG of an error message, then reports the error. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_for_each(attr, nlh, off)
		{
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(ctx->rt->errmsg, sizeof(ctx->rt->errmsg), "%s",
					 mnl_attr_get_str(attr));
		}
	}
	if (!err->error)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump, which may carry the dump's error. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	const int *err = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(*err) && *err < 0) {
		errno = -*err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->arg) : MNL_CB_OK;
}

/*
 * Sends one request and runs every answer through cb until the kernel is
 * done (NLMSG_DONE of a dump, or the ack every other request asks for).
 */
static int talk(struct rtnl *rt, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_NOOP] = noop_cb,
					[NLMSG_ERROR] = error_cb,
					[NLMSG_DONE] = done_cb,
					[NLMSG_OVERRUN] = noop_cb};
	struct talk_ctx ctx = {.rt = rt, .cb = cb, .arg = arg};
	uint32_t seq = ++rt->seq;
	ssize_t len;
	int ret;

	rt->errmsg[0] = '\0';
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(rt->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(rt->nl, rt->buf, sizeof(rt->buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run2(rt->buf, (size_t)len, seq, rt->portid, data_cb, &ctx, ctl,
				  NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *msg_start(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

/* What a dump hands each parsed object to; the first non-zero answer is kept. */
struct list_ctx {
	union {
		rtnl_addr_fn addr;
		rtnl_route_fn route;
		rtnl_rule_fn rule;
	} fn;
	void *arg;
	uint32_t ifindex; /* addresses: only this interface's */
	int ret;
};

/*
 * Dumps one kind of object of a family (every header starts with its family
 * byte). Callbacks never stop a dump early: its tail would answer the next
 * request.
 */
static int dump(struct rtnl *rt, uint16_t type, size_t hdrlen, int family, mnl_cb_t cb,
		struct list_ctx *ctx)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, type, NLM_F_DUMP);
	uint8_t *hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	int ret;

	hdr[0] = (uint8_t)family;
	if (type == RTM_GETADDR)
		((struct ifaddrmsg *)hdr)->ifa_index = ctx->ifindex;
	ret = talk(rt, nlh, cb, ctx);
	return ret ? ret : ctx->ret;
}

/* ---------------------------------------------------------------- links */

int rtnl_link_add(struct rtnl *rt, const char *name, const char *kind)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
	return talk(rt, nlh, NULL, NULL);
}

int rtnl_link_del(struct rtnl *rt, const char *name)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_DELLINK, 0);

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return talk(rt, nlh, NULL, NULL);
}

int rtnl_link_set_mtu_up(struct rtnl *rt, uint32_t ifindex, uint32_t mtu)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return talk(rt, nlh, NULL, NULL);
}

static int link_mtu_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg))
	{
		if (mnl_attr_get_type(attr) == IFLA_MTU &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*(uint32_t *)arg = mnl_attr_get_u32(attr);
	}
	return MNL_CB_OK;
}

int rtnl_link_get_mtu(struct rtnl *rt, uint32_t ifindex, uint32_t *mtu)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = (int)ifindex;
	*mtu = 0;
	return talk(rt, nlh, link_mtu_cb, mtu);
}

int rtnl_link_index(struct rtnl *rt, const char *name, uint32_t *ifindex)
{
	unsigned int idx = if_nametoindex(name);

	(void)rt;
	if (!idx)
		return errno == ENXIO || errno == ENODEV ? -ENODEV : -errno;
	*ifindex = idx;
	return 0;
}

/* ------------------------------------------------------------ addresses */

static size_t addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

int rtnl_addr_add(struct rtnl *rt, uint32_t ifindex, const struct rtnl_prefix *addr)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)addr->family;
	ifa->ifa_prefixlen = addr->len;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(addr->family), &addr->ip6);
	if (addr->family == AF_INET)
		mnl_attr_put(nlh, IFA_ADDRESS, addr_len(addr->family), &addr->ip6);
	return talk(rt, nlh, NULL, NULL);
}

static int addr_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *ctx = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *local = NULL, *address = NULL;
	struct rtnl_prefix p = {.family = ifa->ifa_family, .len = ifa->ifa_prefixlen};

	if (ctx->ret || ifa->ifa_index != ctx->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
	{
		if (mnl_attr_get_type(attr) == IFA_LOCAL)
			local = attr;
		else if (mnl_attr_get_type(attr) == IFA_ADDRESS)
			address = attr;
	}
	if (!local)
		local = address;
	if (!local || mnl_attr_get_payload_len(local) != addr_len(p.family))
		return MNL_CB_OK;
	memcpy(&p.ip6, mnl_attr_get_payload(local), addr_len(p.family));
	ctx->ret = ctx->fn.addr(&p, ctx->arg);
	return MNL_CB_OK;
}

int rtnl_addr_list(struct rtnl *rt, uint32_t ifindex, int family, rtnl_addr_fn fn, void *arg)
{
	struct list_ctx ctx = {.fn.addr = fn, .arg = arg, .ifindex = ifindex};
	const size_t len = sizeof(struct ifaddrmsg);
	int ret = 0;

	if (family == AF_UNSPEC || family == AF_INET)
		ret = dump(rt, RTM_GETADDR, len, AF_INET, addr_list_cb, &ctx);
	if (!ret && (family == AF_UNSPEC || family == AF_INET6))
		ret = dump(rt, RTM_GETADDR, len, AF_INET6, addr_list_cb, &ctx);
	return ret;
}

/* --------------------------------------------------------------- routes */

static void put_table(struct nlmsghdr *nlh, uint8_t *hdr_table, uint16_t attr, uint32_t table)
{
	if (table < 256) {
		*hdr_table = (uint8_t)table;
		return;
	}
	*hdr_table = RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, attr, table);
}

int rtnl_route_add(struct rtnl *rt, const struct rtnl_prefix *dst, uint32_t ifindex, uint32_t table)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	put_table(nlh, &rtm->rtm_table, RTA_TABLE, table);
	if (dst->len)
		mnl_attr_put(nlh, RTA_DST, addr_len(dst->family), &dst->ip6);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return talk(rt, nlh, NULL, NULL);
}

static void route_parse_metrics(const struct nlattr *nest, struct rtnl_route *r)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest)
	{
		if (mnl_attr_validate(attr, MNL_TYPE_U32) != 0)
			continue;
		if (mnl_attr_get_type(attr) == RTAX_MTU)
			r->mtu = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == RTAX_LOCK)
			r->mtu_locked = !!(mnl_attr_get_u32(attr) & (1U << RTAX_MTU));
	}
}

/*
 * Fills r from one RTM_NEWROUTE message; false for odd families and, unless
 * asked for (a route lookup's answer is one), for cloned routes.
 */
static bool route_parse(const struct nlmsghdr *nlh, struct rtnl_route *r, bool cloned)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	memset(r, 0, sizeof(*r));
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (!cloned && (rtm->rtm_flags & RTM_F_CLONED)))
		return false;
	r->dst.family = rtm->rtm_family;
	r->dst.len = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm))
	{
		uint16_t type = mnl_attr_get_type(attr);

		if (type == RTA_DST && mnl_attr_get_payload_len(attr) == addr_len(r->dst.family))
			memcpy(&r->dst.ip6, mnl_attr_get_payload(attr), addr_len(r->dst.family));
		else if (type == RTA_TABLE && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			r->table = mnl_attr_get_u32(attr);
		else if (type == RTA_OIF && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			r->oif = mnl_attr_get_u32(attr);
		else if (type == RTA_METRICS)
			route_parse_metrics(attr, r);
	}
	return true;
}

static int route_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *ctx = data;
	struct rtnl_route r;

	if (!ctx->ret && route_parse(nlh, &r, false))
		ctx->ret = ctx->fn.route(&r, ctx->arg);
	return MNL_CB_OK;
}

int rtnl_route_list(struct rtnl *rt, int family, rtnl_route_fn fn, void *arg)
{
	struct list_ctx ctx = {.fn.route = fn, .arg = arg};

	return dump(rt, RTM_GETROUTE, sizeof(struct rtmsg), family, route_list_cb, &ctx);
}

/* True when p lies inside the first `bits` bits of net. */
static bool prefix_match(const struct rtnl_prefix *net, const struct rtnl_prefix *p,
			 unsigned int bits)
{
	const uint8_t *a = (const uint8_t *)&net->ip6, *b = (const uint8_t *)&p->ip6;
	unsigned int full = bits / 8, rest = bits % 8;
	uint8_t mask = (uint8_t)(0xff00 >> rest);

	if (memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & mask);
}

struct match_ctx {
	const struct rtnl_prefix *dst;
	uint32_t ifindex;
};

static int match_cb(const struct rtnl_route *r, void *arg)
{
	const struct match_ctx *m = arg;

	if (r->table != RTNL_TABLE_MAIN || r->oif != m->ifindex || r->dst.len > m->dst->len)
		return 0;
	return prefix_match(&r->dst, m->dst, r->dst.len) ? 1 : 0;
}

int rtnl_route_exists_match(struct rtnl *rt, const struct rtnl_prefix *dst, uint32_t ifindex)
{
	struct match_ctx m = {.dst = dst, .ifindex = ifindex};

	return rtnl_route_list(rt, dst->family, match_cb, &m);
}

static int table_cb(const struct rtnl_route *r, void *arg)
{
	return r->table == *(const uint32_t *)arg ? 1 : 0;
}

int rtnl_route_table_used(struct rtnl *rt, int family, uint32_t table)
{
	return rtnl_route_list(rt, family, table_cb, &table);
}

static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_route *r = data;

	if (nlh->nlmsg_type == RTM_NEWROUTE)
		route_parse(nlh, r, true);
	return MNL_CB_OK;
}

int rtnl_route_get(struct rtnl *rt, int family, const void *addr, struct rtnl_route *route)
{
	char buf[512];
	struct nlmsghdr *nlh = msg_start(buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(addr_len(family) * 8);
	mnl_attr_put(nlh, RTA_DST, addr_len(family), addr);
	memset(route, 0, sizeof(*route));
	return talk(rt, nlh, route_get_cb, route);
}

/* ---------------------------------------------------------------- rules */

static struct nlmsghdr *rule_msg(char *buf, uint16_t type, uint16_t flags,
				 const struct rtnl_rule *rule)
{
	struct nlmsghdr *nlh = msg_start(buf, type, flags);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));

	frh->family = (uint8_t)rule->family;
	frh->action = FR_ACT_TO_TBL;
	if (rule->invert)
		frh->flags |= FIB_RULE_INVERT;
	put_table(nlh, &frh->table, FRA_TABLE, rule->table);
	if (rule->priority)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, rule->priority);
	if (rule->has_fwmark)
		mnl_attr_put_u32(nlh, FRA_FWMARK, rule->fwmark);
	if (rule->suppress_prefixlen >= 0)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, (uint32_t)rule->suppress_prefixlen);
	return nlh;
}

int rtnl_rule_add(struct rtnl *rt, const struct rtnl_rule *rule)
{
	char buf[512];

	return talk(rt, rule_msg(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule), NULL, NULL);
}

int rtnl_rule_del(struct rtnl *rt, const struct rtnl_rule *rule)
{
	char buf[512];

	return talk(rt, rule_msg(buf, RTM_DELRULE, 0, rule), NULL, NULL);
}

static void rule_parse(const struct nlmsghdr *nlh, struct rtnl_rule *r)
{
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	memset(r, 0, sizeof(*r));
	r->family = frh->family;
	r->table = frh->table;
	r->invert = !!(frh->flags & FIB_RULE_INVERT);
	r->suppress_prefixlen = -1;
	mnl_attr_for_each(attr, nlh, sizeof(*frh))
	{
		if (mnl_attr_validate(attr, MNL_TYPE_U32) != 0)
			continue;
		switch (mnl_attr_get_type(attr)) {
		case FRA_TABLE:
			r->table = mnl_attr_get_u32(attr);
			break;
		case FRA_PRIORITY:
			r->priority = mnl_attr_get_u32(attr);
			break;
		case FRA_FWMARK:
			r->fwmark = mnl_attr_get_u32(attr);
			r->has_fwmark = true;
			break;
		case FRA_SUPPRESS_PREFIXLEN:
			r->suppress_prefixlen = (int)mnl_attr_get_u32(attr);
			break;
		}
	}
}

static int rule_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *ctx = data;
	struct rtnl_rule r;

	if (ctx->ret)
		return MNL_CB_OK;
	rule_parse(nlh, &r);
	ctx->ret = ctx->fn.rule(&r, ctx->arg);
	return MNL_CB_OK;
}

int rtnl_rule_list(struct rtnl *rt, int family, rtnl_rule_fn fn, void *arg)
{
	struct list_ctx ctx = {.fn.rule = fn, .arg = arg};

	return dump(rt, RTM_GETRULE, sizeof(struct fib_rule_hdr), family, rule_list_cb, &ctx);
}

/* -------------------------------------------------- parsing and printing */

bool rtnl_prefix_parse(struct rtnl_prefix *out, const char *s)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!n || n >= sizeof(addr))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &out->ip4) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &out->ip6) == 1)
		out->family = AF_INET6;
	else
		return false;
	out->len = (uint8_t)(addr_len(out->family) * 8);
	if (!slash)
		return true;
	if (slash[1] < '0' || slash[1] > '9' || (slash[1] == '0' && slash[2]))
		return false;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (*end || errno || len > out->len)
		return false;
	out->len = (uint8_t)len;
	return true;
}

void rtnl_prefix_print(char *buf, size_t len, const struct rtnl_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, &p->ip6, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, len, "%s/%u", addr, p->len);
}

static const char *proto_opt(int family)
{
	return family == AF_INET6 ? "-6" : "-4";
}

void rtnl_cmd_link_add(char *buf, size_t len, const char *name, const char *kind)
{
	snprintf(buf, len, "ip link add %s type %s", name, kind);
}

void rtnl_cmd_link_del(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "ip link delete dev %s", name);
}

void rtnl_cmd_link_mtu_up(char *buf, size_t len, const char *name, uint32_t mtu)
{
	snprintf(buf, len, "ip link set mtu %u up dev %s", mtu, name);
}

void rtnl_cmd_addr_add(char *buf, size_t len, int family, const char *addr, const char *dev)
{
	snprintf(buf, len, "ip %s address add %s dev %s", proto_opt(family), addr, dev);
}

void rtnl_cmd_route_add(char *buf, size_t len, int family, const char *dst, const char *dev,
			const char *table)
{
	snprintf(buf, len, "ip %s route add %s dev %s%s%s", proto_opt(family), dst, dev,
		 table ? " table " : "", table ? table : "");
}

void rtnl_cmd_rule(char *buf, size_t len, const char *verb, const struct rtnl_rule *rule,
		   const char *table)
{
	char fwmark[32] = "", suppress[48] = "";

	if (rule->has_fwmark)
		snprintf(fwmark, sizeof(fwmark), "%sfwmark %u ", rule->invert ? "not " : "",
			 rule->fwmark);
	if (rule->suppress_prefixlen >= 0)
		snprintf(suppress, sizeof(suppress), " suppress_prefixlength %d",
			 rule->suppress_prefixlen);
	snprintf(buf, len, "ip %s rule %s %stable %s%s", proto_opt(rule->family), verb, fwmark,
		 table, suppress);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Parses the answers around the WireGuard family itself: rtnetlink link
 * messages (which links are WireGuard) and the generic netlink controller's
 * policy dump (whether the kernel knows WGALLOWEDIP_A_FLAGS).
 */
#include "ipc-netlink.h"
#include "nl-attr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/wireguard.h>

void ipc_netlink_policy_scan_init(struct ipc_netlink_policy_scan *scan)
{
	scan->allowedip_policy = -1;
	scan->has_attr4 = 0;
}

struct policy_ctx {
	struct ipc_netlink_policy_scan *scan;
	uint32_t policy; /* the policy being read */
};

static int nested_policy(const struct nlattr *field, void *data)
{
	struct ipc_netlink_policy_scan *scan = data;

	if (mnl_attr_get_type(field) != NL_POLICY_TYPE_ATTR_POLICY_IDX)
		return 0;
	if (mnl_attr_validate(field, MNL_TYPE_U32) || mnl_attr_get_u32(field) >= 64)
		return -EINVAL;
	scan->allowedip_policy = (int)mnl_attr_get_u32(field);
	return 0;
}

/* One attribute's description in the policy being read. */
static int scan_attr(const struct nlattr *attr, void *data)
{
	struct policy_ctx *ctx = data;

	/* WGALLOWEDIP_A_FLAGS is 4; the scan tells later which policy is which. */
	if (mnl_attr_get_type(attr) == 4 && ctx->policy < 64)
		ctx->scan->has_attr4 |= 1ULL << ctx->policy;
	/* Only the peer policy has an attribute 9, WGPEER_A_ALLOWEDIPS. */
	if (mnl_attr_get_type(attr) != WGPEER_A_ALLOWEDIPS)
		return 0;
	return nl_attr_walk_nested(attr, nested_policy, ctx->scan);
}

static int scan_policy(const struct nlattr *policy, void *data)
{
	struct policy_ctx *ctx = data;

	ctx->policy = mnl_attr_get_type(policy);
	return nl_attr_walk_nested(policy, scan_attr, ctx);
}

/* CTRL_ATTR_POLICY nests policy number -> attribute number -> description. */
static int policy_msg_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != CTRL_ATTR_POLICY)
		return 0;
	return nl_attr_walk_nested(attr, scan_policy, data);
}

int ipc_netlink_parse_policy(const struct nlmsghdr *nlh, struct ipc_netlink_policy_scan *scan)
{
	struct policy_ctx ctx = {.scan = scan};

	return nl_attr_walk(nlh, sizeof(struct genlmsghdr), policy_msg_attr, &ctx);
}

int ipc_netlink_policy_verdict(const struct ipc_netlink_policy_scan *scan)
{
	if (scan->allowedip_policy < 0 || scan->allowedip_policy >= 64)
		return -1;
	return !!(scan->has_attr4 & (1ULL << scan->allowedip_policy));
}

struct link_ctx {
	const char *name;
	bool wireguard;
};

static int linkinfo_attr(const struct nlattr *attr, void *data)
{
	struct link_ctx *ctx = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
		ctx->wireguard = !strcmp(mnl_attr_get_str(attr), "wireguard");
	return 0;
}

static int link_attr(const struct nlattr *attr, void *data)
{
	struct link_ctx *ctx = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type == IFLA_IFNAME && !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) &&
	    mnl_attr_get_payload_len(attr) <= IFNAMSIZ)
		ctx->name = mnl_attr_get_str(attr);
	else if (type == IFLA_LINKINFO)
		return nl_attr_walk_nested(attr, linkinfo_attr, ctx);
	return 0;
}

static int append_name(char **buf, size_t *len, const char *name)
{
	size_t n = strlen(name) + 1;
	char *grown = realloc(*buf, *len + n);

	if (!grown)
		return -ENOMEM;
	memcpy(grown + *len, name, n);
	*buf = grown;
	*len += n;
	return 0;
}

int ipc_netlink_parse_link(const struct nlmsghdr *nlh, char **buf, size_t *len)
{
	struct link_ctx ctx = {0};
	int ret;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	ret = nl_attr_walk(nlh, sizeof(struct ifinfomsg), link_attr, &ctx);
	if (ret || !ctx.wireguard || !ctx.name || !*ctx.name)
		return ret;
	return append_name(buf, len, ctx.name);
}

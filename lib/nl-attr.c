// SPDX-License-Identifier: GPL-2.0
/*
 * Strict attribute walking shared by the netlink parsers: every attribute is
 * checked against its container before the callback sees it.
 */
#include "nl-attr.h"

#include <errno.h>
#include <stdbool.h>

static int walk(const struct nlattr *attr, const char *end, nl_attr_fn fn, void *data)
{
	int ret;

	while (mnl_attr_ok(attr, (int)(end - (const char *)attr))) {
		ret = fn(attr, data);
		if (ret)
			return ret;
		attr = mnl_attr_next(attr);
	}
	/* mnl_attr_ok() failed: fine only at the end, or on its padding. */
	return end - (const char *)attr < (ptrdiff_t)sizeof(struct nlattr) ? 0 : -EINVAL;
}

int nl_attr_walk(const struct nlmsghdr *nlh, size_t offset, nl_attr_fn fn, void *data)
{
	if (nlh->nlmsg_len < mnl_nlmsg_size(offset))
		return -EINVAL;
	/*
	 * Not mnl_nlmsg_get_payload_tail(): that rounds nlmsg_len up, past the
	 * end of a buffer holding exactly one unaligned message.
	 */
	return walk(mnl_nlmsg_get_payload_offset(nlh, offset), (const char *)nlh + nlh->nlmsg_len,
		    fn, data);
}

int nl_attr_walk_nested(const struct nlattr *nest, nl_attr_fn fn, void *data)
{
	const char *end = (const char *)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest);

	return walk(mnl_attr_get_payload(nest), end, fn, data);
}

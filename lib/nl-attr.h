/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict attribute walking for the netlink parsers (lib/nl-*.c): libmnl's
 * iterators stop quietly at an attribute that overruns its container, these
 * report it, so a truncated message is refused rather than half read.
 */
#ifndef WG_NL_ATTR_H
#define WG_NL_ATTR_H

#include <stddef.h>
#include <libmnl/libmnl.h>

typedef int (*nl_attr_fn)(const struct nlattr *attr, void *data);

/*
 * Calls FN on each attribute of NLH after a family header of OFFSET bytes.
 * Stops at FN's first error; -EINVAL when the message is too short for its
 * header or an attribute overruns it.
 */
int nl_attr_walk(const struct nlmsghdr *nlh, size_t offset, nl_attr_fn fn, void *data)
    __attribute__((warn_unused_result));

/* The same for the attributes nested in NEST. */
int nl_attr_walk_nested(const struct nlattr *nest, nl_attr_fn fn, void *data)
    __attribute__((warn_unused_result));

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink over libmnl: links, addresses, routes and policy rules, one
 * function per operation, plus printers that give the `ip ...` command an
 * operation is equivalent to (wg-quick echoes them as "[#] ip ...").
 */
#ifndef WG_RTNL_H
#define WG_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define RTNL_TABLE_MAIN 254
#define RTNL_ERRMSG_LEN 256

struct rtnl;

/* An address with a prefix length: "10.0.0.1/24", "fd00::/64". */
struct rtnl_prefix {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
	uint8_t len;
};

/* One route as a dump reports it. */
struct rtnl_route {
	struct rtnl_prefix dst;
	uint32_t table;
	uint32_t oif;	 /* 0 when none */
	uint32_t mtu;	 /* RTAX_MTU, 0 when none */
	bool mtu_locked; /* `mtu lock N` */
	uint8_t type;	 /* RTN_* */
	uint8_t protocol;
};

/* A policy routing rule (`ip rule`). */
struct rtnl_rule {
	int family;
	uint32_t priority; /* 0 on add: the kernel picks */
	uint32_t table;
	uint32_t fwmark;
	bool has_fwmark;
	bool invert;		/* "not" */
	int suppress_prefixlen; /* -1 when none */
};

typedef int (*rtnl_route_fn)(const struct rtnl_route *route, void *arg);
typedef int (*rtnl_rule_fn)(const struct rtnl_rule *rule, void *arg);
typedef int (*rtnl_addr_fn)(const struct rtnl_prefix *addr, void *arg);

/* Opens a socket in the current network namespace. NULL with errno set. */
struct rtnl *rtnl_open(void);
void rtnl_close(struct rtnl *rt);
/* The kernel's extended ack message of the last failure, or "". */
const char *rtnl_errmsg(const struct rtnl *rt);

/* Links. */
int rtnl_link_add(struct rtnl *rt, const char *name, const char *kind)
    __attribute__((warn_unused_result));
int rtnl_link_del(struct rtnl *rt, const char *name) __attribute__((warn_unused_result));
/* Sets the MTU (0 = leave it) and brings the link up. */
int rtnl_link_set_mtu_up(struct rtnl *rt, uint32_t ifindex, uint32_t mtu)
    __attribute__((warn_unused_result));
int rtnl_link_get_mtu(struct rtnl *rt, uint32_t ifindex, uint32_t *mtu)
    __attribute__((warn_unused_result));
/* 0 and *ifindex, or -ENODEV. */
int rtnl_link_index(struct rtnl *rt, const char *name, uint32_t *ifindex)
    __attribute__((warn_unused_result));

/* Addresses; family AF_UNSPEC lists IPv4 then IPv6, in the kernel's order. */
int rtnl_addr_add(struct rtnl *rt, uint32_t ifindex, const struct rtnl_prefix *addr)
    __attribute__((warn_unused_result));
int rtnl_addr_list(struct rtnl *rt, uint32_t ifindex, int family, rtnl_addr_fn fn, void *arg)
    __attribute__((warn_unused_result));

/* Routes: a device route in a table (scope link, as `ip route add X dev D`). */
int rtnl_route_add(struct rtnl *rt, const struct rtnl_prefix *dst, uint32_t ifindex, uint32_t table)
    __attribute__((warn_unused_result));
/* Every route of a family in every table; fn returning non-zero stops. */
int rtnl_route_list(struct rtnl *rt, int family, rtnl_route_fn fn, void *arg)
    __attribute__((warn_unused_result));
/* As `ip route show dev D match X`: 1 when a main-table route covers dst, else 0. */
int rtnl_route_exists_match(struct rtnl *rt, const struct rtnl_prefix *dst, uint32_t ifindex)
    __attribute__((warn_unused_result));
/* 1 when the table holds any route of the family, else 0. */
int rtnl_route_table_used(struct rtnl *rt, int family, uint32_t table)
    __attribute__((warn_unused_result));
/* As `ip route get ADDR`: the answer, of which oif, mtu and mtu_locked are set. */
int rtnl_route_get(struct rtnl *rt, int family, const void *addr, struct rtnl_route *route)
    __attribute__((warn_unused_result));

/* Rules. */
int rtnl_rule_add(struct rtnl *rt, const struct rtnl_rule *rule)
    __attribute__((warn_unused_result));
/* Deletes the rule a dump returned (matched by priority, table and selectors). */
int rtnl_rule_del(struct rtnl *rt, const struct rtnl_rule *rule)
    __attribute__((warn_unused_result));
int rtnl_rule_list(struct rtnl *rt, int family, rtnl_rule_fn fn, void *arg)
    __attribute__((warn_unused_result));

/* Parses "ADDR[/LEN]" strictly; a bare address is /32 or /128. */
bool rtnl_prefix_parse(struct rtnl_prefix *out, const char *s);
/* "10.0.0.0/24": the address as stored, then the length. */
void rtnl_prefix_print(char *buf, size_t len, const struct rtnl_prefix *p);

/* The equivalent `ip` commands, without a trailing newline. */
void rtnl_cmd_link_add(char *buf, size_t len, const char *name, const char *kind);
void rtnl_cmd_link_del(char *buf, size_t len, const char *name);
void rtnl_cmd_link_mtu_up(char *buf, size_t len, const char *name, uint32_t mtu);
void rtnl_cmd_addr_add(char *buf, size_t len, int family, const char *addr, const char *dev);
/* table 0: no "table" word (the main table, as `ip route add` defaults). */
void rtnl_cmd_route_add(char *buf, size_t len, int family, const char *dst, const char *dev,
			const char *table);
void rtnl_cmd_rule(char *buf, size_t len, const char *verb, const struct rtnl_rule *rule,
		   const char *table);

#endif

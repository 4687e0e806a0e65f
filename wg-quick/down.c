// SPDX-License-Identifier: GPL-2.0
/*
 * `wg-quick down`, and del_if, which also rolls back a failed `up`: DNS and
 * firewall (when up set them), the default route's policy rules, the link.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "quick.h"

int quick_del_if(struct quick *q)
{
	if (q->have_set_dns)
		quick_dns_unset(q);
	if (q->have_set_firewall)
		quick_firewall_remove(q);
	quick_routes_del_rules(q);
	return quick_link_del(q);
}

/* 1 when iface is among the WireGuard interfaces lib/ipc lists. */
static int is_wireguard(const char *iface)
{
	char *names = NULL, *p;
	int found = 0;

	if (ipc_list_devices(&names))
		return 0;
	for (p = names; *p; p += strlen(p) + 1) {
		if (!strcmp(p, iface))
			found = 1;
	}
	free(names);
	return found;
}

int quick_check_wireguard(struct quick *q)
{
	if (is_wireguard(q->iface) && !rtnl_link_index(q->rt, q->iface, &q->ifindex))
		return 0;
	quick_err(q, "`%s' is not a WireGuard interface", q->iface);
	return 1;
}

int quick_down(struct quick *q)
{
	int status;

	if (quick_check_wireguard(q))
		return 1;
	quick_dns_check(q, true);
	if (quick_hooks_run(q, &q->pre_down))
		return q->status;
	if (q->save_config && quick_save_config(q))
		return 1;
	status = quick_del_if(q);
	quick_dns_unset(q);
	quick_firewall_remove(q);
	if (quick_hooks_run(q, &q->post_down))
		return q->status;
	return status;
}

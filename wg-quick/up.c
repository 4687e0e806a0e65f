// SPDX-License-Identifier: GPL-2.0
/*
 * `wg-quick up`: PreUp, the link, its wg configuration, addresses, MTU and
 * link up, DNS, routes, PostUp. Any failure, or SIGINT/SIGTERM on the way,
 * undoes everything done so far (the script's `trap del_if`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "quick.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(bool on)
{
	struct sigaction sa = {.sa_handler = on ? on_signal : SIG_DFL};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The steps in the script's order; stops at the first failure or signal. */
static int up_steps(struct quick *q)
{
	if (quick_hooks_run(q, &q->pre_up) || interrupted)
		return -1;
	if (quick_link_add(q) || interrupted || quick_link_set_config(q) || interrupted)
		return -1;
	if (quick_link_addresses(q) || interrupted || quick_link_set_mtu_up(q) || interrupted)
		return -1;
	if (quick_dns_set(q) || interrupted || quick_routes_add(q) || interrupted)
		return -1;
	if (quick_hooks_run(q, &q->post_up) || interrupted)
		return -1;
	return 0;
}

int quick_up(struct quick *q)
{
	uint32_t ifindex;
	int ret, status;

	if (!rtnl_link_index(q->rt, q->iface, &ifindex)) {
		quick_err(q, "`%s' already exists", q->iface);
		return 1;
	}
	if (quick_dns_check(q, false))
		return 1;
	catch_signals(true);
	ret = up_steps(q);
	/* The script's trap runs under `set -e`: a failing cleanup step sets the status. */
	if (ret && (status = quick_del_if(q)))
		q->status = status;
	catch_signals(false);
	if (interrupted)
		raise(interrupted);
	return ret ? (q->status ? q->status : 1) : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The firewall half of a default route: drop packets for our addresses that
 * arrive on other interfaces (source-address validation), and carry the
 * fwmark across a connection through conntrack marks, so replies to the
 * tunnel's UDP leave outside it. nftables when nft exists, else
 * iptables-restore, with the very ruleset text Debian's wg-quick feeds them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "quick.h"

#define SRC_VALID_MARK "/proc/sys/net/ipv4/conf/all/src_valid_mark"

struct rules {
	struct quick *q;
	const char *pf;
	struct textbuf nft, restore;
};

static int rules_addr_cb(const struct rtnl_prefix *p, void *arg)
{
	struct rules *r = arg;
	const char *iface = r->q->iface;
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->family, &p->ip6, addr, sizeof(addr));
	textbuf_printf(
	    &r->restore,
	    "-I PREROUTING ! -i %s -d %s -m addrtype ! --src-type LOCAL -j DROP -m comment --comment \"wg-quick(8) rule for %s\"\n",
	    iface, addr, iface);
	textbuf_printf(
	    &r->nft,
	    "add rule %s wg-quick-%s preraw iifname != \"%s\" %s daddr %s fib saddr type != local drop\n",
	    r->pf, iface, iface, r->pf, addr);
	return 0;
}

static int rules_build(struct rules *r, int family, uint32_t table)
{
	const char *pf = r->pf, *iface = r->q->iface;
	int ret;

	textbuf_printf(&r->restore, "*raw\n");
	textbuf_printf(&r->nft, "add table %s wg-quick-%s\n", pf, iface);
	textbuf_printf(
	    &r->nft,
	    "add chain %s wg-quick-%s preraw { type filter hook prerouting priority -300; }\n", pf,
	    iface);
	textbuf_printf(
	    &r->nft,
	    "add chain %s wg-quick-%s premangle { type filter hook prerouting priority -150; }\n",
	    pf, iface);
	textbuf_printf(
	    &r->nft,
	    "add chain %s wg-quick-%s postmangle { type filter hook postrouting priority -150; }\n",
	    pf, iface);
	ret = rtnl_addr_list(r->q->rt, r->q->ifindex, family, rules_addr_cb, r);
	textbuf_printf(
	    &r->restore,
	    "COMMIT\n*mangle\n-I POSTROUTING -m mark --mark %u -p udp -j CONNMARK --save-mark -m comment --comment \"wg-quick(8) rule for %s\"\n-I PREROUTING -p udp -j CONNMARK --restore-mark -m comment --comment \"wg-quick(8) rule for %s\"\nCOMMIT\n",
	    table, iface, iface);
	textbuf_printf(
	    &r->nft,
	    "add rule %s wg-quick-%s postmangle meta l4proto udp mark %u ct mark set mark \n", pf,
	    iface, table);
	textbuf_printf(
	    &r->nft, "add rule %s wg-quick-%s premangle meta l4proto udp meta mark set ct mark \n",
	    pf, iface);
	return ret || r->nft.failed || r->restore.failed ? -1 : 0;
}

/* net.ipv4.conf.all.src_valid_mark=1, written only when it is not 1 already. */
static int src_valid_mark(struct quick *q)
{
	char cur[8] = "";
	int fd = open(SRC_VALID_MARK, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd >= 0) {
		n = read(fd, cur, sizeof(cur) - 1);
		cur[n > 0 ? n : 0] = '\0';
		close(fd);
		if (cur[0] == '1')
			return 0;
	}
	quick_echo("sysctl -q net.ipv4.conf.all.src_valid_mark=1");
	fd = open(SRC_VALID_MARK, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2) {
		quick_err(q, "Unable to set net.ipv4.conf.all.src_valid_mark=1: %s",
			  strerror(errno));
		quick_err(
		    q,
		    "/proc/sys is read-only here (a container?): set it where the network namespace is made (e.g. docker run --sysctl net.ipv4.conf.all.src_valid_mark=1), or use Table = off");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int firewall_apply(struct quick *q, const struct rules *r, int family)
{
	const char *nft[] = {"nft", "-f", "/dev/fd/63", NULL};
	const char *ipt[] = {family == AF_INET6 ? "ip6tables-restore" : "iptables-restore", "-n",
			     NULL};
	char *have_nft = quick_which("nft");
	int ret;

	if (have_nft) {
		quick_echo("nft -f /dev/fd/63");
		ret = quick_run(nft, r->nft.p, 63, NULL);
	} else {
		quick_echo("%s -n", ipt[0]);
		ret = quick_run(ipt, r->restore.p, 0, NULL);
	}
	free(have_nft);
	if (!quick_run_result(q, ret))
		return 0;
	quick_err(
	    q,
	    "Unable to install the firewall rules of the default route (install nftables or iptables)");
	return -1;
}

int quick_firewall_add(struct quick *q, int family, uint32_t table)
{
	struct rules r = {.q = q, .pf = family == AF_INET6 ? "ip6" : "ip"};
	int ret = rules_build(&r, family, table);

	if (!ret && family == AF_INET)
		ret = src_valid_mark(q);
	if (!ret)
		ret = firewall_apply(q, &r, family);
	/* Upstream marks the firewall as set once it tried, so a rollback cleans up. */
	q->have_set_firewall = true;
	textbuf_free(&r.nft);
	textbuf_free(&r.restore);
	return ret;
}

/* Deletes the nftables tables named wg-quick-IFACE. */
static void nft_remove(struct quick *q)
{
	const char *list[] = {"nft", "list", "tables", NULL};
	const char *apply[] = {"nft", "-f", "/dev/fd/63", NULL};
	struct textbuf cmd = {0};
	char *out = NULL, *line, *save = NULL, suffix[IFNAMSIZ + 16];
	size_t n, slen;

	snprintf(suffix, sizeof(suffix), " wg-quick-%s", q->iface);
	slen = strlen(suffix);
	if (quick_run(list, NULL, 0, &out) < 0 || !out)
		return;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n = strlen(line);
		if (n >= slen && !strcmp(line + n - slen, suffix))
			textbuf_printf(&cmd, "delete %s\n", line);
	}
	free(out);
	if (cmd.len && !cmd.failed) {
		quick_echo("nft -f /dev/fd/63");
		quick_run(apply, cmd.p, 63, NULL);
	}
	textbuf_free(&cmd);
}

/* Deletes our rules from one iptables family, as the script does with -save and -restore. */
static void iptables_remove(struct quick *q, const char *prog)
{
	char save_cmd[32], restore_cmd[32], marker[64], *out = NULL, *line, *sp = NULL;
	const char *save[] = {save_cmd, NULL}, *restore[] = {restore_cmd, "-n", NULL};
	struct textbuf t = {0};
	bool found = false;

	snprintf(save_cmd, sizeof(save_cmd), "%s-save", prog);
	snprintf(restore_cmd, sizeof(restore_cmd), "%s-restore", prog);
	snprintf(marker, sizeof(marker), "-m comment --comment \"wg-quick(8) rule for %s\"",
		 q->iface);
	if (quick_run(save, NULL, 0, &out) < 0 || !out)
		return;
	for (line = strtok_r(out, "\n", &sp); line; line = strtok_r(NULL, "\n", &sp)) {
		if (!strncmp(line, "-A ", 3) && strstr(line, marker)) {
			found = true;
			textbuf_printf(&t, "-D%s\n", line + 2);
		} else if (line[0] == '*' || !strcmp(line, "COMMIT")) {
			textbuf_printf(&t, "%s\n", line);
		}
	}
	free(out);
	if (found && !t.failed) {
		quick_echo("%s -n", restore_cmd);
		quick_run(restore, t.p, 0, NULL);
	}
	textbuf_free(&t);
}

void quick_firewall_remove(struct quick *q)
{
	char *have = quick_which("nft");

	/* Our up only uses iptables where nft is missing, so only look there then. */
	if (have) {
		nft_remove(q);
	} else {
		iptables_remove(q, "iptables");
		iptables_remove(q, "ip6tables");
	}
	free(have);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * DNS while the interface is up: handed to resolvconf(8) as the script does
 * ("resolvconf -a tun.IFACE -m 0 -x"), or, where resolvconf is missing and
 * systemd-resolved runs, set per link with resolvectl. Neither: a clear error
 * before anything is changed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quick.h"

#define RESOLVED_SOCKET "/run/systemd/resolve/io.systemd.Resolve"

const char *quick_dns_iface(const struct quick *q, char *buf, size_t len)
{
	FILE *f = fopen("/etc/resolvconf/interface-order", "re");
	char line[256], prefix[sizeof(line) + 1] = "";
	size_t n;

	while (f && !prefix[0] && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		n = strlen(line);
		/* ^([A-Za-z0-9-]+)\*$ */
		if (n < 2 || n > sizeof(prefix) || line[n - 1] != '*')
			continue;
		line[n - 1] = '\0';
		if (strspn(line,
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") ==
		    n - 1)
			snprintf(prefix, sizeof(prefix), "%s.", line);
	}
	if (f)
		fclose(f);
	snprintf(buf, len, "%s%s", prefix, q->iface);
	return buf;
}

static bool have(const char *prog)
{
	char *path = quick_which(prog);

	free(path);
	return path != NULL;
}

int quick_dns_check(struct quick *q, bool quiet)
{
	if (!q->dns.n || have("resolvconf")) {
		q->dns_via = QUICK_DNS_RESOLVCONF;
		return 0;
	}
	if (!access(RESOLVED_SOCKET, F_OK) && have("resolvectl")) {
		q->dns_via = QUICK_DNS_RESOLVECTL;
		return 0;
	}
	if (quiet)
		return 0;
	quick_err(
	    q,
	    "%s sets DNS, but resolvconf(8) is missing and systemd-resolved is not running: install openresolv or resolvconf, or start systemd-resolved, or remove the DNS line",
	    q->config_file);
	return 1;
}

/* "resolvectl dns|domain IFACE WORD..." */
static int resolvectl(struct quick *q, const char *verb, const struct quick_strv *words)
{
	const char **argv = calloc(words->n + 4, sizeof(*argv));
	size_t i;
	int ret;

	if (!argv)
		return -1;
	argv[0] = "resolvectl";
	argv[1] = verb;
	argv[2] = q->iface;
	fprintf(stderr, "[#] resolvectl %s %s", verb, q->iface);
	for (i = 0; i < words->n; i++) {
		argv[3 + i] = words->v[i];
		fprintf(stderr, " %s", words->v[i]);
	}
	fputc('\n', stderr);
	ret = quick_run(argv, NULL, 0, NULL);
	free(argv);
	return quick_run_result(q, ret);
}

static char *resolv_conf_text(const struct quick *q)
{
	size_t i, len = 16;
	char *s, *p;

	for (i = 0; i < q->dns.n; i++)
		len += strlen(q->dns.v[i]) + 12;
	for (i = 0; i < q->dns_search.n; i++)
		len += strlen(q->dns_search.v[i]) + 8;
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (i = 0; i < q->dns.n; i++)
		p += sprintf(p, "nameserver %s\n", q->dns.v[i]);
	if (q->dns_search.n)
		p += sprintf(p, "search");
	for (i = 0; i < q->dns_search.n; i++)
		p += sprintf(p, " %s", q->dns_search.v[i]);
	if (q->dns_search.n)
		sprintf(p, "\n");
	return s;
}

int quick_dns_set(struct quick *q)
{
	char name[256], *text;
	const char *argv[] = {"resolvconf", "-a", name, "-m", "0", "-x", NULL};
	int ret;

	if (!q->dns.n)
		return 0;
	if (q->dns_via == QUICK_DNS_RESOLVECTL) {
		ret = resolvectl(q, "dns", &q->dns);
		if (!ret && q->dns_search.n)
			ret = resolvectl(q, "domain", &q->dns_search);
		q->have_set_dns = true;
		return ret;
	}
	quick_dns_iface(q, name, sizeof(name));
	text = resolv_conf_text(q);
	if (!text)
		return -1;
	quick_echo("resolvconf -a %s -m 0 -x", name);
	ret = quick_run(argv, text, 0, NULL);
	free(text);
	if (quick_run_result(q, ret))
		return -1;
	q->have_set_dns = true;
	return 0;
}

void quick_dns_unset(struct quick *q)
{
	char name[256];
	const char *argv[] = {"resolvconf", "-d", name, "-f", NULL};
	const char *revert[] = {"resolvectl", "revert", q->iface, NULL};

	if (!q->dns.n)
		return;
	if (q->dns_via == QUICK_DNS_RESOLVECTL) {
		quick_echo("resolvectl revert %s", q->iface);
		quick_run(revert, NULL, 0, NULL);
		return;
	}
	quick_dns_iface(q, name, sizeof(name));
	quick_echo("resolvconf -d %s -f", name);
	quick_run(argv, NULL, 0, NULL);
}

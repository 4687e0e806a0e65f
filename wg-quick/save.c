// SPDX-License-Identifier: GPL-2.0
/*
 * `wg-quick save`: the live state written back to the config file: addresses,
 * DNS, MTU, Table, SaveConfig and hooks as wg-quick keys, then what
 * `wg showconf` prints. The new file replaces the old one atomically.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ipc.h"
#include "quick.h"

static int addr_cb(const struct rtnl_prefix *p, void *arg)
{
	char buf[INET6_ADDRSTRLEN + 8];

	rtnl_prefix_print(buf, sizeof(buf), p);
	textbuf_printf(arg, "Address = %s\n", buf);
	return 0;
}

/* "nameserver X" lines of what resolvconf holds for us. */
static void put_dns_lines(struct textbuf *f, char *text)
{
	char *line, *save = NULL, *v;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "nameserver ", 11))
			continue;
		v = line + 11;
		if (*v &&
		    strspn(
			v,
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=+:%.-") ==
			strlen(v))
			textbuf_printf(f, "DNS = %s\n", v);
	}
}

static void put_dns(struct quick *q, struct textbuf *f)
{
	char name[256], path[300], *out = NULL;
	const char *argv[] = {"resolvconf", "-l", name, NULL};
	const char *cat[] = {"cat", path, NULL};
	size_t i;

	quick_dns_iface(q, name, sizeof(name));
	snprintf(path, sizeof(path), "/etc/resolvconf/run/interface/%s", name);
	if (q->dns_via == QUICK_DNS_RESOLVECTL) {
		for (i = 0; i < q->dns.n; i++)
			textbuf_printf(f, "DNS = %s\n", q->dns.v[i]);
		for (i = 0; i < q->dns_search.n; i++)
			textbuf_printf(f, "DNS = %s\n", q->dns_search.v[i]);
		return;
	}
	if (quick_run(argv, NULL, 0, &out)) {
		free(out);
		out = NULL;
		quick_run(cat, NULL, 0, &out);
	}
	if (out)
		put_dns_lines(f, out);
	free(out);
}

static void put_hooks(struct textbuf *f, const char *key, const struct quick_strv *hooks)
{
	size_t i;

	for (i = 0; i < hooks->n; i++)
		textbuf_printf(f, "%s = %s\n", key, hooks->v[i]);
}

/* wg-quick's own [Interface] lines, as the script rebuilds them. */
static int quick_keys(struct quick *q, struct textbuf *f)
{
	uint32_t mtu;

	textbuf_printf(f, "[Interface]\n");
	if (rtnl_addr_list(q->rt, q->ifindex, AF_UNSPEC, addr_cb, f))
		return -1;
	put_dns(q, f);
	if (q->mtu && !rtnl_link_get_mtu(q->rt, q->ifindex, &mtu))
		textbuf_printf(f, "MTU = %u\n", mtu);
	if (q->table_str)
		textbuf_printf(f, "Table = %s\n", q->table_str);
	if (q->save_config)
		textbuf_printf(f, "SaveConfig = true\n");
	put_hooks(f, "PreUp", &q->pre_up);
	put_hooks(f, "PostUp", &q->post_up);
	put_hooks(f, "PreDown", &q->pre_down);
	put_hooks(f, "PostDown", &q->post_down);
	return 0;
}

/* The file's text: our keys in place of showconf's "[Interface]\n", one final newline. */
static int compose(struct quick *q, struct textbuf *out, const char *showconf)
{
	size_t n;

	if (quick_keys(q, out))
		return -1;
	if (!strncmp(showconf, "[Interface]\n", 12))
		showconf += 12;
	n = strlen(showconf);
	while (n && showconf[n - 1] == '\n')
		n--;
	textbuf_printf(out, "%.*s\n", (int)n, showconf);
	return out->failed ? -1 : 0;
}

/* CONFIG_FILE.tmp (0600), synced, renamed over CONFIG_FILE. */
static int write_atomic(struct quick *q, const char *text)
{
	char *tmp = NULL;
	size_t len = strlen(text);
	int fd, ret = -1;

	if (asprintf(&tmp, "%s.tmp", q->config_file) < 0)
		return -1;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		quick_err(q, "Could not write configuration file");
	} else if (rename(tmp, q->config_file)) {
		quick_err(q, "Could not move configuration file");
	} else {
		ret = 0;
	}
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int quick_save_config(struct quick *q)
{
	struct textbuf showconf = {0}, text = {0};
	struct wgdevice *dev = NULL;
	int ret = -1;

	quick_echo("wg showconf %s", q->iface);
	if (quick_link_read(q, &dev))
		return -1;
	quick_showconf(&showconf, dev);
	if (!showconf.failed && !compose(q, &text, showconf.p))
		ret = write_atomic(q, text.p);
	textbuf_free(&text);
	textbuf_free(&showconf);
	model_device_free(dev);
	return ret;
}

int quick_save(struct quick *q)
{
	if (quick_check_wireguard(q))
		return 1;
	quick_dns_check(q, true);
	return quick_save_config(q) ? 1 : 0;
}

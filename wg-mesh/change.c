// SPDX-License-Identifier: GPL-2.0
/*
 * Classifies a config change as wg-quick sees it. The interface settings
 * only wg-quick applies (Address, MTU, DNS, Table, hooks) and the socket's
 * ListenPort and FwMark need a restart; everything wg(8) holds per peer goes
 * through `wg syncconf', and the routes wg-quick would have made for the
 * allowed IPs are added or removed by hand, as its add_route() would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "cidr.h"
#include "secret.h"
#include "plan.h"
#include "change.h"
#include "remote.h"

struct ips {
	struct wgallowedip *v;
	size_t n;
};

struct peer {
	char *key, *psk, *endpoint, *keepalive;
	struct ips ips;
};

struct conf {
	struct textbuf quick; /* wg-quick's own [Interface] lines, "key=value\n", in order */
	char *private_key, *listen_port, *fwmark, *table;
	struct peer *peers;
	size_t n_peers;
	bool bad;
};

struct route {
	struct wgallowedip p;
	bool kernel, gone; /* a connected route; one this change deletes */
};

struct routes {
	struct route *v;
	size_t n;
};

const char *change_class_str(enum change_class c)
{
	static const char *const names[] = {"unchanged", "sync", "restart", "up", "down"};

	return c <= CHANGE_DOWN ? names[c] : "?";
}

void change_free(struct change *c)
{
	textbuf_free(&c->commands);
}

/* ---------------------------------------------------------------- parsing */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		++s;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool set_str(char **dst, const char *v)
{
	secret_free_str(*dst);
	*dst = strdup(v);
	return *dst != NULL;
}

/* "off" and "0" both mean no keepalive and no fwmark: one spelling. */
static const char *off_is_null(const char *v)
{
	return !strcasecmp(v, "off") || !strcmp(v, "0") ? NULL : v;
}

static bool add_ips(struct ips *ips, char *v)
{
	char *save = NULL, *tok;
	struct wgallowedip *grown;

	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		if (!*tok)
			continue;
		grown = realloc(ips->v, (ips->n + 1) * sizeof(*ips->v));
		if (!grown)
			return false;
		ips->v = grown;
		memset(&ips->v[ips->n], 0, sizeof(*ips->v));
		if (!cidr_parse(&ips->v[ips->n], tok))
			return false;
		cidr_mask(&ips->v[ips->n++]);
	}
	return true;
}

static bool interface_key(struct conf *c, const char *k, const char *v)
{
	if (!strcmp(k, "privatekey"))
		return set_str(&c->private_key, v);
	if (!strcmp(k, "listenport"))
		return set_str(&c->listen_port, v);
	if (!strcmp(k, "fwmark")) {
		free(c->fwmark);
		c->fwmark = off_is_null(v) ? strdup(v) : NULL;
		return true;
	}
	if (!strcmp(k, "table") && !set_str(&c->table, v))
		return false;
	textbuf_printf(&c->quick, "%s=%s\n", k, v);
	return !c->quick.failed;
}

static bool peer_key(struct peer *p, const char *k, char *v)
{
	if (!strcmp(k, "publickey"))
		return set_str(&p->key, v);
	if (!strcmp(k, "presharedkey"))
		return set_str(&p->psk, v);
	if (!strcmp(k, "endpoint"))
		return set_str(&p->endpoint, v);
	if (!strcmp(k, "persistentkeepalive")) {
		free(p->keepalive);
		p->keepalive = off_is_null(v) ? strdup(v) : NULL;
		return true;
	}
	if (!strcmp(k, "allowedips"))
		return add_ips(&p->ips, v);
	return true; /* nothing else in a [Peer] matters to wg */
}

static bool new_peer(struct conf *c)
{
	struct peer *grown = realloc(c->peers, (c->n_peers + 1) * sizeof(*c->peers));

	if (!grown)
		return false;
	c->peers = grown;
	memset(&c->peers[c->n_peers++], 0, sizeof(*c->peers));
	return true;
}

/* One line, comment already cut; section: 0 none, 1 [Interface], 2 [Peer]. */
static bool parse_line(struct conf *c, char *line, int *section)
{
	char *eq, *k, *p;

	line = trim(line);
	if (!*line)
		return true;
	if (*line == '[') {
		*section = !strcasecmp(line, "[Interface]") ? 1
			   : !strcasecmp(line, "[Peer]")    ? 2
							    : 0;
		return *section == 1 || (*section == 2 && new_peer(c));
	}
	eq = strchr(line, '=');
	if (!eq || !*section)
		return false;
	*eq = '\0';
	k = trim(line);
	for (p = k; *p; ++p)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (*section == 1)
		return interface_key(c, k, trim(eq + 1));
	return peer_key(&c->peers[c->n_peers - 1], k, trim(eq + 1));
}

static void conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n_peers; ++i) {
		free(c->peers[i].key);
		secret_free_str(c->peers[i].psk);
		free(c->peers[i].endpoint);
		free(c->peers[i].keepalive);
		free(c->peers[i].ips.v);
	}
	free(c->peers);
	textbuf_free(&c->quick);
	secret_free_str(c->private_key);
	free(c->listen_port);
	free(c->fwmark);
	free(c->table);
	memset(c, 0, sizeof(*c));
}

/* Parses text; false only when memory runs out (c->bad: it does not parse). */
static bool conf_parse(struct conf *c, const char *text)
{
	char *copy = strdup(text), *save = NULL, *line, *hash;
	int section = 0;
	size_t len = strlen(text);

	memset(c, 0, sizeof(*c));
	if (!copy)
		return false;
	for (line = strtok_r(copy, "\n", &save); line && !c->bad;
	     line = strtok_r(NULL, "\n", &save)) {
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		c->bad = !parse_line(c, line, &section);
	}
	for (size_t i = 0; i < c->n_peers; ++i)
		c->bad = c->bad || !c->peers[i].key;
	sodium_memzero(copy, len);
	free(copy);
	return true;
}

/* ---------------------------------------------------------------- comparing */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool ip_eq(const struct wgallowedip *a, const struct wgallowedip *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(&a->ip6, &b->ip6, a->family == AF_INET ? 4 : 16);
}

static bool ips_has(const struct ips *s, const struct wgallowedip *ip)
{
	size_t i;

	for (i = 0; i < s->n; ++i)
		if (ip_eq(&s->v[i], ip))
			return true;
	return false;
}

static bool ips_eq(const struct ips *a, const struct ips *b)
{
	size_t i;

	for (i = 0; i < a->n; ++i)
		if (!ips_has(b, &a->v[i]))
			return false;
	for (i = 0; i < b->n; ++i)
		if (!ips_has(a, &b->v[i]))
			return false;
	return true;
}

static const struct peer *find_peer(const struct conf *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n_peers; ++i)
		if (!strcmp(c->peers[i].key, key))
			return &c->peers[i];
	return NULL;
}

/*
 * Whether old has the same peers as new. A running interface shows where a
 * peer was last seen (roaming, a name resolved), not the configured endpoint:
 * there only a missing endpoint counts.
 */
static bool peers_eq(const struct conf *old, const struct conf *new, bool running)
{
	const struct peer *o, *n;
	size_t i;

	if (old->n_peers != new->n_peers)
		return false;
	for (i = 0; i < new->n_peers; ++i) {
		n = &new->peers[i];
		o = find_peer(old, n->key);
		if (!o || !str_eq(o->psk, n->psk) || !str_eq(o->keepalive, n->keepalive) ||
		    !ips_eq(&o->ips, &n->ips))
			return false;
		if (running ? n->endpoint && !o->endpoint : !str_eq(o->endpoint, n->endpoint))
			return false;
	}
	return true;
}

/* Every allowed IP of every peer. */
static bool all_ips(const struct conf *c, struct ips *out)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < c->n_peers; ++i) {
		for (j = 0; j < c->peers[i].ips.n; ++j) {
			struct wgallowedip *grown;

			if (ips_has(out, &c->peers[i].ips.v[j]))
				continue;
			grown = realloc(out->v, (out->n + 1) * sizeof(*out->v));
			if (!grown)
				return false;
			out->v = grown;
			out->v[out->n++] = c->peers[i].ips.v[j];
		}
	}
	return true;
}

/* The values of every line of key in lines ("key=value\n"...), joined. */
static void key_values(const char *lines, const char *key, size_t klen, struct textbuf *out)
{
	const char *p, *nl;

	textbuf_clear(out);
	for (p = lines; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!strncmp(p, key, klen) && p[klen] == '=')
			textbuf_add(out, p + klen, nl - p - klen + 1);
	}
}

/* In lines, a key whose values differ in other; false when none does. */
static bool key_differs(const char *lines, const char *other, char *key, size_t len)
{
	struct textbuf a = {0}, b = {0};
	const char *p, *eq;
	bool found = false;

	for (p = lines; *p && !found; p = strchr(p, '\n') + 1) {
		eq = strchr(p, '=');
		key_values(lines, p, eq - p, &a);
		key_values(other, p, eq - p, &b);
		found = a.len != b.len || (a.len && memcmp(a.p, b.p, a.len));
		if (found)
			snprintf(key, len, "%.*s", (int)(eq - p), p);
	}
	textbuf_free(&a);
	textbuf_free(&b);
	return found;
}

/* The first wg-quick key, new ones first, whose lines differ: the reason given. */
static void first_quick_diff(const struct conf *old, const struct conf *new, char *key, size_t len)
{
	const char *o = old->quick.p ? old->quick.p : "", *n = new->quick.p ? new->quick.p : "";

	if (!key_differs(n, o, key, len) && !key_differs(o, n, key, len))
		snprintf(key, len, "?");
}

/* ---------------------------------------------------------------- routes */

static bool parse_route_line(char *line, int family, struct route *r)
{
	static const char *const types[] = {"unicast", "local",	      "broadcast", "multicast",
					    "throw",   "unreachable", "prohibit",  "blackhole",
					    "anycast", "nat"};
	char *save = NULL, *tok = strtok_r(line, " \t", &save);
	size_t i;

	for (i = 0; tok && i < sizeof(types) / sizeof(*types); ++i)
		if (!strcmp(tok, types[i]))
			tok = strtok_r(NULL, " \t", &save);
	if (!tok)
		return false;
	memset(r, 0, sizeof(*r));
	if (!strcmp(tok, "default"))
		r->p.family = family;
	else if (!cidr_parse(&r->p, tok) || r->p.family != family)
		return false;
	while ((tok = strtok_r(NULL, " \t", &save)))
		if (!strcmp(tok, "kernel"))
			r->kernel = true;
	return true;
}

static bool parse_routes(struct routes *rs, const char *text, int family)
{
	char *copy, *save = NULL, *line;
	struct route r, *grown;

	if (!text)
		return true;
	copy = strdup(text);
	if (!copy)
		return false;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!parse_route_line(line, family, &r))
			continue;
		grown = realloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
		if (!grown) {
			free(copy);
			return false;
		}
		rs->v = grown;
		rs->v[rs->n++] = r;
	}
	free(copy);
	return true;
}

/* p lies inside net (a prefix as long or longer, in it). */
static bool prefix_within(const struct wgallowedip *net, const struct wgallowedip *p)
{
	return net->cidr <= p->cidr && plan_prefix_contains(net, p->family, &p->ip6);
}

/* As wg-quick's `ip route show dev IFACE match P' being non-empty (deleted routes aside). */
static bool routes_cover(const struct routes *rs, const struct wgallowedip *p, bool exact)
{
	size_t i;

	for (i = 0; i < rs->n; ++i)
		if (!rs->v[i].gone &&
		    (exact ? ip_eq(&rs->v[i].p, p) : prefix_within(&rs->v[i].p, p)))
			return true;
	return false;
}

static bool routes_push(struct routes *rs, const struct wgallowedip *p)
{
	struct route *grown = realloc(rs->v, (rs->n + 1) * sizeof(*rs->v));

	if (!grown)
		return false;
	rs->v = grown;
	rs->v[rs->n++] = (struct route){.p = *p};
	return true;
}

/* Longest prefix first, as wg-quick's `sort -nr -k 2 -t /'. */
static int ip_cmp(const void *a, const void *b)
{
	const struct wgallowedip *x = a, *y = b;

	if (x->cidr != y->cidr)
		return x->cidr > y->cidr ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(&y->ip6, &x->ip6, x->family == AF_INET ? 4 : 16);
}

struct route_ctx {
	const char *iface, *table; /* table: NULL for the main table */
	struct textbuf *cmds;
	struct change *c;
};

static void route_cmd(struct route_ctx *x, const char *verb, const struct wgallowedip *p)
{
	char buf[CIDR_STR_LEN];

	cidr_print(buf, sizeof(buf), p);
	textbuf_printf(x->cmds, "ip -%c route %s %s dev %s%s%s\n", p->family == AF_INET ? '4' : '6',
		       verb, buf, x->iface, x->table ? " table " : "", x->table ? x->table : "");
}

/* Routes of allowed IPs that went away; never a connected one. */
static void routes_remove(struct route_ctx *x, struct routes *rs, const struct ips *old,
			  const struct ips *new)
{
	size_t i, j;

	for (i = 0; i < old->n; ++i) {
		if (ips_has(new, &old->v[i]))
			continue;
		for (j = 0; j < rs->n; ++j) {
			if (rs->v[j].kernel || rs->v[j].gone || !ip_eq(&rs->v[j].p, &old->v[i]))
				continue;
			rs->v[j].gone = true;
			route_cmd(x, "del", &old->v[i]);
			x->c->routes_del++;
		}
	}
}

/* Routes wg-quick's add_route() would make for new and that are not there. */
static bool routes_add(struct route_ctx *x, struct routes *rs, struct ips *new)
{
	size_t i;

	qsort(new->v, new->n, sizeof(*new->v), ip_cmp);
	for (i = 0; i < new->n; ++i) {
		/* Table=N: wg-quick adds each without looking; the main table: unless covered. */
		if (routes_cover(rs, &new->v[i], x->table != NULL))
			continue;
		if (!routes_push(rs, &new->v[i]))
			return false;
		route_cmd(x, "add", &new->v[i]);
		x->c->routes_add++;
	}
	return true;
}

static bool has_default(const struct ips *s)
{
	size_t i;

	for (i = 0; i < s->n; ++i)
		if (!s->v[i].cidr)
			return true;
	return false;
}

static bool same_defaults(const struct ips *a, const struct ips *b)
{
	size_t i;

	for (i = 0; i < a->n; ++i)
		if (!a->v[i].cidr && !ips_has(b, &a->v[i]))
			return false;
	for (i = 0; i < b->n; ++i)
		if (!b->v[i].cidr && !ips_has(a, &b->v[i]))
			return false;
	return true;
}

/*
 * The route commands for going from the running allowed IPs to the new ones.
 * -EAGAIN when a default route (policy routing, auto table) changes: restart.
 */
static int route_diff(const char *iface, const struct change_site *site, const struct conf *run,
		      const struct conf *new, struct textbuf *cmds, struct change *c)
{
	struct route_ctx x = {iface, NULL, cmds, c};
	struct routes rs = {0};
	struct ips old, nw;
	int ret = -ENOMEM;

	if (new->table && !strcasecmp(new->table, "off"))
		return 0;
	x.table = new->table &&strcasecmp(new->table, "auto") ? new->table : NULL;
	if (!all_ips(run, &old) || !all_ips(new, &nw))
		goto out;
	if (!x.table && (has_default(&old) || has_default(&nw)) && !same_defaults(&old, &nw)) {
		ret = -EAGAIN;
		goto out;
	}
	if (!parse_routes(&rs, site->routes4, AF_INET) ||
	    !parse_routes(&rs, site->routes6, AF_INET6))
		goto out;
	routes_remove(&x, &rs, &old, &nw);
	/* Default routes of the auto table are wg-quick's policy routing, not add_route's. */
	for (size_t i = 0; !x.table && i < nw.n; ++i)
		if (!nw.v[i].cidr)
			nw.v[i--] = nw.v[--nw.n];
	ret = routes_add(&x, &rs, &nw) ? 0 : -ENOMEM;
out:
	free(rs.v);
	free(old.v);
	free(nw.v);
	return ret;
}

/* ---------------------------------------------------------------- commands */

static void cmd_install(struct change *c, const char *iface)
{
	char tmp[300], path[300]; /* interface names are at most 15 bytes */

	snprintf(tmp, sizeof(tmp), CHANGE_DIR "/.%s.conf.wg-mesh", iface);
	snprintf(path, sizeof(path), CHANGE_DIR "/%s.conf", iface);
	remote_install(&c->commands, "wg_mesh_input", "077", tmp, path);
	c->write_conf = true;
}

static void up_cmd(struct textbuf *b, const struct change_site *site, const char *iface)
{
	if (site->systemd)
		textbuf_printf(b, "systemctl enable --now wg-quick@%s", iface);
	else
		textbuf_printf(b, "wg-quick up %s", iface);
}

static void cmd_down(struct change *c, const struct change_site *site, const char *iface,
		     bool disable)
{
	if (site->systemd && site->unit_active)
		textbuf_printf(&c->commands, "systemctl %s wg-quick@%s\n",
			       disable ? "disable --now" : "stop", iface);
	else
		textbuf_printf(&c->commands, "wg-quick down %s\n", iface);
}

static void cmd_sync(struct change *c, const char *iface)
{
	textbuf_printf(&c->commands,
		       "(umask 077 && wg-quick strip %1$s > " CHANGE_DIR "/.%1$s.strip.wg-mesh)\n"
		       "wg syncconf %1$s " CHANGE_DIR "/.%1$s.strip.wg-mesh\n"
		       "rm -f " CHANGE_DIR "/.%1$s.strip.wg-mesh\n",
		       iface);
}

/* Down with the old file (its own PostDown hooks), up with the new; the old again on failure. */
static void cmd_restart(struct change *c, const struct change_site *site, const char *iface)
{
	textbuf_printf(&c->commands,
		       "cp -p " CHANGE_DIR "/%1$s.conf " CHANGE_DIR "/.%1$s.conf.wg-mesh-old\n",
		       iface);
	cmd_down(c, site, iface, false);
	cmd_install(c, iface);
	up_cmd(&c->commands, site, iface);
	textbuf_printf(&c->commands,
		       " || { mv -f " CHANGE_DIR "/.%1$s.conf.wg-mesh-old " CHANGE_DIR
		       "/%1$s.conf && ",
		       iface);
	up_cmd(&c->commands, site, iface);
	textbuf_printf(&c->commands, "; exit 1; }\nrm -f " CHANGE_DIR "/.%s.conf.wg-mesh-old\n",
		       iface);
}

/* ---------------------------------------------------------------- classify */

static bool is_plain_word(const char *s)
{
	return *s &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+=") ==
		   strlen(s);
}

static void set_class(struct change *c, enum change_class class, const char *why)
{
	c->class = class;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

static void classify_gone(const char *iface, const struct change_site *site, struct change *c)
{
	if (!site->conf && !site->running)
		return set_class(c, CHANGE_NONE, "not planned and not there");
	set_class(c, CHANGE_DOWN, "no longer in sites.yaml");
	if (site->running)
		cmd_down(c, site, iface, true);
	else if (site->systemd)
		textbuf_printf(&c->commands, "systemctl disable wg-quick@%s\n", iface);
	if (site->conf) {
		textbuf_printf(&c->commands, "rm -f " CHANGE_DIR "/%s.conf\n", iface);
		c->remove_conf = true;
	}
}

/* The interface runs and the old file parses: restart, sync or nothing. */
static int classify_running(const char *iface, const struct change_site *site,
			    const struct conf *old, const struct conf *run, const struct conf *new,
			    const char *new_conf, struct change *c)
{
	struct textbuf routes = {0};
	char key[24], why[64];
	int ret;

	if (!str_eq(old->quick.p ? old->quick.p : "", new->quick.p ? new->quick.p : "")) {
		first_quick_diff(old, new, key, sizeof(key));
		snprintf(why, sizeof(why), "interface setting `%s' changed", key);
		set_class(c, CHANGE_RESTART, why);
		return 0;
	}
	if (!str_eq(old->listen_port, new->listen_port) || !str_eq(old->fwmark, new->fwmark)) {
		set_class(c, CHANGE_RESTART,
			  str_eq(old->fwmark, new->fwmark) ? "ListenPort changed"
							   : "FwMark changed");
		return 0;
	}
	ret = route_diff(iface, site, run, new, &routes, c);
	if (ret == -EAGAIN)
		set_class(c, CHANGE_RESTART, "a default route (/0) changed");
	else if (!ret &&
		 (!peers_eq(old, new, false) || !str_eq(old->private_key, new->private_key)))
		set_class(c, CHANGE_SYNC, "peers or keys changed");
	else if (!ret && (!peers_eq(run, new, true) || !str_eq(run->private_key, new->private_key)))
		set_class(c, CHANGE_SYNC, "the running interface differs from its file");
	else if (!ret && routes.len)
		set_class(c, CHANGE_SYNC, "routes of allowed IPs differ");
	else if (!ret)
		set_class(c, CHANGE_NONE,
			  strcmp(site->conf, new_conf) ? "only comments changed" : "unchanged");
	if (c->class == CHANGE_SYNC)
		textbuf_add(&c->commands, routes.p ? routes.p : "", routes.len);
	textbuf_free(&routes);
	return ret == -EAGAIN ? 0 : ret;
}

static int classify(const char *iface, const struct change_site *site, const struct conf *new,
		    const char *new_conf, struct change *c)
{
	struct conf old = {0}, run = {0};
	int ret = -ENOMEM;

	if (!site->running) {
		set_class(c, CHANGE_UP, "not running");
		return 0;
	}
	if (!site->conf) {
		set_class(c, CHANGE_RESTART, "running without a config file");
		return 0;
	}
	if (!conf_parse(&old, site->conf) || !conf_parse(&run, site->running))
		goto out;
	ret = 0;
	if (old.bad)
		set_class(c, CHANGE_RESTART, "the old config file does not parse");
	else if (run.bad)
		set_class(c, CHANGE_SYNC, "the running interface could not be read");
	else
		ret = classify_running(iface, site, &old, &run, new, new_conf, c);
out:
	conf_free(&old);
	conf_free(&run);
	return ret;
}

/* The commands for the class, around the route commands classify left. */
static void build_commands(const char *iface, const struct change_site *site, const char *new_conf,
			   struct change *c)
{
	struct textbuf routes = c->commands;
	bool changed = !site->conf || strcmp(site->conf, new_conf);

	memset(&c->commands, 0, sizeof(c->commands));
	switch (c->class) {
	case CHANGE_NONE:
		if (changed)
			cmd_install(c, iface);
		break;
	case CHANGE_SYNC:
		if (changed)
			cmd_install(c, iface);
		cmd_sync(c, iface);
		textbuf_add(&c->commands, routes.p ? routes.p : "", routes.len);
		break;
	case CHANGE_RESTART:
		if (site->conf)
			cmd_restart(c, site, iface);
		else {
			cmd_down(c, site, iface, false);
			cmd_install(c, iface);
			up_cmd(&c->commands, site, iface);
			textbuf_puts(&c->commands, "\n");
		}
		break;
	case CHANGE_UP:
		if (changed)
			cmd_install(c, iface);
		up_cmd(&c->commands, site, iface);
		textbuf_puts(&c->commands, "\n");
		break;
	case CHANGE_DOWN:
		break;
	}
	textbuf_free(&routes);
}

int change_classify(const char *iface, const struct change_site *site, const char *new_conf,
		    struct change *c)
{
	struct conf new = {0};
	int ret;

	memset(c, 0, sizeof(*c));
	if (!is_plain_word(iface))
		return -EINVAL;
	if (!new_conf) {
		classify_gone(iface, site, c);
		return c->commands.failed ? -ENOMEM : 0;
	}
	if (!conf_parse(&new, new_conf))
		return -ENOMEM;
	ret = new.bad || (new.table && !is_plain_word(new.table)) ? -EINVAL : 0;
	if (!ret)
		ret = classify(iface, site, &new, new_conf, c);
	if (!ret)
		build_commands(iface, site, new_conf, c);
	conf_free(&new);
	if (!ret && c->commands.failed)
		ret = -ENOMEM;
	return ret;
}

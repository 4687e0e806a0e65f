// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison behind `wg-mesh status'. Each checked site's dump is
 * indexed by public key once; every planned peer is then looked up, its
 * allowed IPs and endpoint compared, and its handshake noted on the pair.
 * Pairs get their verdict once both sides are read: linear in peers per site.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "textbuf.h"
#include "status.h"

/* One site's dump, sorted by public key, with a mark per peer the plan names. */
struct peer_index {
	struct wgpeer **v;
	bool *used;
	size_t n;
};

/* A set of prefixes, masked and sorted so two sets compare as text. */
struct prefix_list {
	struct wgallowedip *v;
	size_t n, cap;
};

static int add_issue(struct status_report *r, enum status_issue_kind kind, size_t site,
		     const char *peer, const char *runs, const char *planned)
{
	struct status_issue *x;

	if (r->n_issues == r->cap_issues) {
		size_t cap = r->cap_issues ? 2 * r->cap_issues : 16;
		void *v = realloc(r->issues, cap * sizeof(*r->issues));

		if (!v)
			return -ENOMEM;
		r->issues = v;
		r->cap_issues = cap;
	}
	x = &r->issues[r->n_issues];
	*x = (struct status_issue){.kind = kind, .site = site, .peer = peer};
	x->runs = strdup(runs ? runs : "");
	x->planned = strdup(planned ? planned : "");
	r->n_issues++;
	if (!x->runs || !x->planned)
		return -ENOMEM;
	r->n_failed += status_issue_fails(x);
	return 0;
}

static int cmp_peer(const void *a, const void *b)
{
	const struct wgpeer *x = *(struct wgpeer *const *)a, *y = *(struct wgpeer *const *)b;

	return memcmp(x->public_key, y->public_key, WG_KEY_LEN);
}

static int index_peers(struct peer_index *ix, const struct wgdevice *dev)
{
	struct wgpeer *peer;
	size_t n = 0;

	for_each_wgpeer (dev, peer)
		++n;
	ix->v = calloc(n + 1, sizeof(*ix->v));
	ix->used = calloc(n + 1, sizeof(*ix->used));
	if (!ix->v || !ix->used)
		return -ENOMEM;
	ix->n = 0;
	for_each_wgpeer (dev, peer)
		ix->v[ix->n++] = peer;
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp_peer);
	return 0;
}

static void free_index(struct peer_index *ix)
{
	free(ix->v);
	free(ix->used);
}

/* The dump's peer with this key, marked as planned; NULL when it is not there. */
static struct wgpeer *find_peer(struct peer_index *ix, const uint8_t key[WG_KEY_LEN])
{
	struct wgpeer want, *w = &want, **hit;

	memcpy(want.public_key, key, WG_KEY_LEN);
	hit = bsearch(&w, ix->v, ix->n, sizeof(*ix->v), cmp_peer);
	if (!hit)
		return NULL;
	ix->used[hit - ix->v] = true;
	return *hit;
}

static int add_prefix(struct prefix_list *l, const struct wgallowedip *ip)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = *ip;
	l->v[l->n].next_allowedip = NULL;
	l->v[l->n].flags = 0;
	cidr_mask(&l->v[l->n++]);
	return 0;
}

/* "10.0.0.1/32, fd00::/64" as the planner writes a site's own AllowedIPs. */
static int add_prefix_text(struct prefix_list *l, const char *text)
{
	char *copy = strdup(text), *save = NULL, *s;
	struct wgallowedip ip = {0};
	int ret = copy ? 0 : -ENOMEM;

	for (s = copy ? strtok_r(copy, ", ", &save) : NULL; s && !ret;
	     s = strtok_r(NULL, ", ", &save))
		ret = cidr_parse(&ip, s) ? add_prefix(l, &ip) : -EINVAL;
	free(copy);
	return ret;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct wgallowedip *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->cidr != y->cidr)
		return x->cidr < y->cidr ? -1 : 1;
	return memcmp(&x->ip6, &y->ip6, x->family == AF_INET ? 4 : 16);
}

/* The list as sorted "a,b,c" (wg's separator), into b. */
static void prefix_text(struct prefix_list *l, struct textbuf *b)
{
	char s[CIDR_STR_LEN];
	size_t i;

	qsort(l->v, l->n, sizeof(*l->v), cmp_prefix);
	textbuf_clear(b);
	textbuf_reserve(b, 0);
	for (i = 0; i < l->n; ++i) {
		if (i && !cmp_prefix(&l->v[i - 1], &l->v[i]))
			continue;
		cidr_print(s, sizeof(s), &l->v[i]);
		textbuf_printf(b, "%s%s", b->len ? "," : "", s);
	}
}

/* What site i plans for peer site j: its own prefixes and those of the sites it relays. */
static int planned_site_ips(const struct plan *p, size_t j, const long *head, const long *next,
			    struct prefix_list *l)
{
	int ret = add_prefix_text(l, p->sites[j].own);
	long q;

	for (q = head[j]; !ret && q >= 0; q = next[q])
		ret = add_prefix_text(l, p->sites[q].own);
	return ret;
}

static int planned_client_ips(const struct plan_node *c, struct prefix_list *l)
{
	size_t k;
	int ret = 0;

	for (k = 0; !ret && k < c->n_addrs; ++k)
		if (c->addrs[k].family)
			ret = add_prefix(l, &c->addrs[k]);
	return ret;
}

static int running_ips(const struct wgpeer *peer, struct prefix_list *l)
{
	const struct wgallowedip *aip;
	int ret = 0;

	for_each_wgallowedip (peer, aip)
		if (!ret)
			ret = add_prefix(l, aip);
	return ret;
}

/* ---------------------------------------------------------------- one site's dump */

struct site_check {
	struct status_report *r;
	size_t i;
	const struct wgdevice *dev;
	struct peer_index ix;
	long *head, *next; /* the sites i reaches through each relay */
	struct prefix_list planned, running;
	struct textbuf planned_text, running_text;
};

static int compare_ips(struct site_check *c, const char *name, const struct wgpeer *peer)
{
	int ret;

	c->running.n = 0;
	ret = running_ips(peer, &c->running);
	if (ret)
		return ret;
	prefix_text(&c->planned, &c->planned_text);
	prefix_text(&c->running, &c->running_text);
	if (c->planned_text.failed || c->running_text.failed)
		return -ENOMEM;
	if (!strcmp(c->planned_text.p, c->running_text.p))
		return 0;
	return add_issue(c->r, STATUS_ISSUE_ALLOWED_IPS, c->i, name, c->running_text.p,
			 c->planned_text.p);
}

static bool same_endpoint(const union wgendpoint *x, const union wgendpoint *y)
{
	if (x->addr.sa_family != y->addr.sa_family)
		return false;
	if (x->addr.sa_family == AF_INET)
		return x->addr4.sin_port == y->addr4.sin_port &&
		       x->addr4.sin_addr.s_addr == y->addr4.sin_addr.s_addr;
	return x->addr6.sin6_port == y->addr6.sin6_port &&
	       !memcmp(&x->addr6.sin6_addr, &y->addr6.sin6_addr, sizeof(x->addr6.sin6_addr));
}

/* Planned by address only: a name may resolve to anything, and no endpoint means it calls in. */
static int compare_endpoint(struct site_check *c, const char *name, const char *planned,
			    const struct wgpeer *peer)
{
	union wgendpoint want;
	char runs[ENDPOINT_STR_LEN];

	if (!planned || !endpoint_parse_numeric(&want, planned) ||
	    same_endpoint(&want, &peer->endpoint))
		return 0;
	endpoint_print(runs, sizeof(runs), &peer->endpoint);
	return add_issue(c->r, STATUS_ISSUE_ENDPOINT, c->i, name, runs, planned);
}

/* What site i's dump says about one planned peer; side is i's side of the pair. */
static int check_peer(struct site_check *c, const char *name, const char *b64, const char *endpoint,
		      struct status_pair *x, int side)
{
	uint8_t key[WG_KEY_LEN];
	struct wgpeer *peer = NULL;
	int64_t handshake;
	int ret;

	x->side_seen[side] = true;
	if (key_from_base64(key, b64))
		peer = find_peer(&c->ix, key);
	if (!peer) {
		x->side_missing[side] = true;
		return add_issue(c->r, STATUS_ISSUE_MISSING, c->i, name, NULL, b64);
	}
	handshake = peer->last_handshake_time.tv_sec;
	if (handshake > 0)
		x->side_age[side] =
		    c->r->obs[c->i].now > handshake ? c->r->obs[c->i].now - handshake : 0;
	ret = compare_ips(c, name, peer);
	return ret ? ret : compare_endpoint(c, name, endpoint, peer);
}

static int check_interface(struct site_check *c)
{
	const struct plan_node *n = &c->r->p->sites[c->i];
	char runs[KEY_B64_LEN] = "(none)", port[2][8];
	int ret = 0;

	if (!(c->dev->flags & WGDEVICE_HAS_PUBLIC_KEY) ||
	    !key_eq(c->dev->public_key, n->key->public_key)) {
		if (c->dev->flags & WGDEVICE_HAS_PUBLIC_KEY)
			key_to_base64(runs, c->dev->public_key);
		ret = add_issue(c->r, STATUS_ISSUE_KEY, c->i, NULL, runs, n->public_key);
	}
	if (!ret && c->dev->listen_port != n->listen_port) {
		snprintf(port[0], sizeof(port[0]), "%u", c->dev->listen_port);
		snprintf(port[1], sizeof(port[1]), "%u", n->listen_port);
		ret = add_issue(c->r, STATUS_ISSUE_PORT, c->i, NULL, port[0], port[1]);
	}
	return ret;
}

static int check_extras(struct site_check *c)
{
	char b64[KEY_B64_LEN];
	size_t k;
	int ret = 0;

	for (k = 0; !ret && k < c->ix.n; ++k) {
		if (c->ix.used[k])
			continue;
		key_to_base64(b64, c->ix.v[k]->public_key);
		ret = add_issue(c->r, STATUS_ISSUE_EXTRA, c->i, NULL, b64, NULL);
	}
	return ret;
}

static int check_planned_peers(struct site_check *c)
{
	const struct plan *p = c->r->p;
	size_t j, i = c->i;
	int ret = 0;

	plan_relay_lists(p, i, c->head, c->next);
	for (j = 0; !ret && j < p->n_sites; ++j) {
		if (j == i || plan_link(p, i, j) != PLAN_DIRECT)
			continue;
		c->planned.n = 0;
		ret = planned_site_ips(p, j, c->head, c->next, &c->planned);
		if (!ret)
			ret = check_peer(c, p->sites[j].name, p->sites[j].public_key,
					 plan_peer_endpoint(p, i, j), status_site_pair(c->r, i, j),
					 i > j);
	}
	for (j = 0; !ret && j < p->n_clients; ++j) {
		if (p->clients[j].via != (long)i)
			continue;
		c->planned.n = 0;
		ret = planned_client_ips(&p->clients[j], &c->planned);
		if (!ret)
			ret = check_peer(c, p->clients[j].name, p->clients[j].public_key, NULL,
					 status_client_pair(c->r, j), 0);
	}
	return ret;
}

static int check_site(struct site_check *c, size_t i)
{
	int ret;

	c->i = i;
	c->dev = c->r->obs[i].dev;
	ret = index_peers(&c->ix, c->dev);
	if (!ret)
		ret = check_interface(c);
	if (!ret)
		ret = check_planned_peers(c);
	if (!ret)
		ret = check_extras(c);
	free_index(&c->ix);
	memset(&c->ix, 0, sizeof(c->ix));
	return ret;
}

/* ---------------------------------------------------------------- verdicts */

static enum status_pair_state site_verdict(const struct status_obs *o)
{
	switch (o ? o->state : STATUS_SITE_UNCHECKED) {
	case STATUS_SITE_DOWN:
		return STATUS_PAIR_DOWN;
	case STATUS_SITE_UNREACHABLE:
		return STATUS_PAIR_UNREACHABLE;
	case STATUS_SITE_FAILED:
		return STATUS_PAIR_FAILED;
	default:
		return STATUS_PAIR_UP;
	}
}

/* A direct pair, from its two sides (ob is NULL for a client, which is never checked). */
static void judge_direct(struct status_pair *x, const struct status_obs *oa,
			 const struct status_obs *ob)
{
	enum status_pair_state sa = site_verdict(oa), sb = site_verdict(ob);
	int k;

	for (k = 0; k < 2; ++k)
		if (x->side_age[k] >= 0 && (x->age < 0 || x->side_age[k] < x->age))
			x->age = x->side_age[k];
	if (sa != STATUS_PAIR_UP || sb != STATUS_PAIR_UP) {
		x->state = sa >= sb ? sa : sb;
		x->blame = sa >= sb ? (long)x->a : (long)x->b;
	} else if (x->side_missing[0] || x->side_missing[1]) {
		x->state = STATUS_PAIR_MISSING;
		x->blame = x->side_missing[0] ? (long)x->a : (long)x->b;
	} else if (!x->side_seen[0] && !x->side_seen[1]) {
		x->state = STATUS_PAIR_UNCHECKED;
	} else if (x->age < 0) {
		x->state = STATUS_PAIR_NEVER;
	} else if (x->age <= STATUS_FRESH_SECONDS) {
		x->state = STATUS_PAIR_UP;
	} else {
		x->state = x->keepalive ? STATUS_PAIR_STALE : STATUS_PAIR_IDLE;
	}
}

/* A relayed pair is as good as the worse of its two legs through the relay. */
static void judge_relayed(struct status_report *r, struct status_pair *x)
{
	const struct status_pair *la = status_site_pair(r, x->a, x->relay);
	const struct status_pair *lb = status_site_pair(r, x->b, x->relay);
	const struct status_pair *worse = la->state >= lb->state ? la : lb;

	x->state = worse->state;
	x->blame = worse->blame;
}

static void init_pairs(struct status_report *r)
{
	const struct plan *p = r->p;
	size_t a, b, c;

	for (b = 1; b < p->n_sites; ++b) {
		for (a = 0; a < b; ++a) {
			struct status_pair *x = status_site_pair(r, a, b);
			int32_t link = plan_link(p, a, b);

			*x = (struct status_pair){.a = a, .b = b, .relay = link >= 0 ? link : -1};
			x->keepalive = plan_peer_keepalive(p, a, b) | plan_peer_keepalive(p, b, a);
		}
	}
	for (c = 0; c < p->n_clients; ++c) {
		struct status_pair *x = status_client_pair(r, c);

		*x = (struct status_pair){.a = (size_t)p->clients[c].via, .b = c, .client = true};
		x->relay = -1;
		x->keepalive = p->m->keepalive;
	}
	for (c = 0; c < r->n_pairs; ++c) {
		r->pairs[c].age = r->pairs[c].side_age[0] = r->pairs[c].side_age[1] = -1;
		r->pairs[c].blame = -1;
	}
}

static void judge_pairs(struct status_report *r)
{
	size_t k, n_site_pairs = plan_site_pairs(r->p);

	for (k = 0; k < r->n_pairs; ++k) {
		struct status_pair *x = &r->pairs[k];

		if (x->relay < 0)
			judge_direct(x, &r->obs[x->a], x->client ? NULL : &r->obs[x->b]);
	}
	for (k = 0; k < n_site_pairs; ++k)
		if (r->pairs[k].relay >= 0)
			judge_relayed(r, &r->pairs[k]);
	for (k = 0; k < r->n_pairs; ++k)
		r->n_failed += status_pair_failed(&r->pairs[k]);
}

int status_compare(struct status_report *r, const struct plan *p, const struct status_obs *obs)
{
	struct site_check c = {.r = r};
	size_t i;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->p = p;
	r->obs = obs;
	r->n_pairs = plan_site_pairs(p) + p->n_clients;
	r->pairs = calloc(r->n_pairs + 1, sizeof(*r->pairs));
	c.head = calloc(p->n_sites + 1, sizeof(*c.head));
	c.next = calloc(p->n_sites + 1, sizeof(*c.next));
	if (!r->pairs || !c.head || !c.next)
		ret = -ENOMEM;
	if (!ret)
		init_pairs(r);
	for (i = 0; !ret && i < p->n_sites; ++i)
		if (obs[i].state == STATUS_SITE_UP && obs[i].dev)
			ret = check_site(&c, i);
	if (!ret)
		judge_pairs(r);
	free(c.head);
	free(c.next);
	free(c.planned.v);
	free(c.running.v);
	textbuf_free(&c.planned_text);
	textbuf_free(&c.running_text);
	return ret;
}

void status_report_free(struct status_report *r)
{
	size_t i;

	for (i = 0; i < r->n_issues; ++i) {
		free(r->issues[i].runs);
		free(r->issues[i].planned);
	}
	free(r->issues);
	free(r->pairs);
	memset(r, 0, sizeof(*r));
}

const char *status_pair_state_name(enum status_pair_state s)
{
	static const char *const names[] = {
	    [STATUS_PAIR_UP] = "up",
	    [STATUS_PAIR_IDLE] = "idle",
	    [STATUS_PAIR_UNCHECKED] = "unchecked",
	    [STATUS_PAIR_STALE] = "stale",
	    [STATUS_PAIR_NEVER] = "never",
	    [STATUS_PAIR_MISSING] = "missing",
	    [STATUS_PAIR_FAILED] = "failed",
	    [STATUS_PAIR_DOWN] = "down",
	    [STATUS_PAIR_UNREACHABLE] = "unreachable",
	};

	return names[s];
}

const char *status_site_state_name(enum status_site_state s)
{
	static const char *const names[] = {
	    [STATUS_SITE_UNCHECKED] = "unchecked", [STATUS_SITE_UP] = "up",
	    [STATUS_SITE_DOWN] = "down",	   [STATUS_SITE_UNREACHABLE] = "unreachable",
	    [STATUS_SITE_FAILED] = "failed",
	};

	return names[s];
}

const char *status_issue_kind_name(enum status_issue_kind k)
{
	static const char *const names[] = {
	    [STATUS_ISSUE_KEY] = "key",
	    [STATUS_ISSUE_PORT] = "listen-port",
	    [STATUS_ISSUE_MISSING] = "missing-peer",
	    [STATUS_ISSUE_EXTRA] = "extra-peer",
	    [STATUS_ISSUE_ALLOWED_IPS] = "allowed-ips",
	    [STATUS_ISSUE_ENDPOINT] = "endpoint",
	};

	return names[k];
}

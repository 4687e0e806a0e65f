// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh status without a network: `wg show dump' text parsed as
 * wireguard-tools prints it, and the comparison with the plan. Each site's
 * dump is made here from its rendered config (the file apply installs), then
 * changed the way a real site drifts: a peer gone or added, other allowed IPs,
 * a roamed endpoint, another key, old or missing handshakes, a site down or
 * unreachable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "wg-mesh/dump.h"
#include "wg-mesh/status.h"
#include "wg-mesh/report.h"
#include "term.h"

#define NOW 1700000000LL
#define MAX_SITES 8

static struct fixture f;
static char dumps[MAX_SITES][8192];
static struct wgdevice *devs[MAX_SITES];
static struct status_obs obs[MAX_SITES];
static struct status_report rep;

/* ---------------------------------------------------------------- dump parsing */

struct dump_case {
	const char *text, *want_msg; /* want_msg NULL: parses */
};

static const char pub_a[] = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
static const char pub_b[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

static const struct dump_case dump_cases[] = {
    {"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\tHIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="
     "\t51820\toff\n"
     "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\t192.95.5.67:1234\t10.192.122.3/"
     "32,10.192.124.1/24\t1700000000\t123\t456\toff\n"
     "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\t(hidden)\t[2607:5300:60:6b0::c05f:543]:2468"
     "\t10.192.122.4/32,192.168.0.0/16\t0\t0\t0\t25\n",
     NULL},
    {"(hidden)\t(none)\t0\t0x1234\n", NULL},
    {"(hidden)\tHIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\t51820\toff", NULL},
    {"", "line 1: expected the interface line, found nothing"},
    {"a\tb\tc\n", "line 1: expected the interface's 4 tab-separated fields, found 3"},
    {"(hidden)\tnot-a-key\t51820\toff\n", "line 1: expected a base64 public key or `(none)'"},
    {"(hidden)\t(none)\t70000\toff\n", "line 1: expected a listen port, not `70000'"},
    {"(hidden)\t(none)\t1\toff\nxTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\t(none)\t"
     "(none)\t0\t0\t0\n",
     "line 2: expected a peer's 8 tab-separated fields, found 7"},
    {"(hidden)\t(none)\t1\toff\nxTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\tvpn:1\t"
     "(none)\t0\t0\t0\toff\n",
     "line 2: expected an endpoint ADDRESS:PORT or `(none)', not `vpn:1'"},
    {"(hidden)\t(none)\t1\toff\nxTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\t(none)\t"
     "10.0.0.0/33\t0\t0\t0\toff\n",
     "line 2: expected allowed IPs as ADDRESS/CIDR, not `10.0.0.0/33'"},
    {"(hidden)\t(none)\t1\toff\nxTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t(none)\t(none)\t"
     "(none)\t-1\t0\t0\toff\n",
     "line 2: expected the latest handshake in seconds, not `-1'"},
    {"(hidden)\t(none)\t1\toff\n(none)\t(none)\t(none)\t(none)\t0\t0\t0\toff\n",
     "line 2: expected the peer's public key, not `(none)'"},
    {"(hidden)\t(none)\t1\toff\n\n", "line 2: expected a peer's 8 tab-separated fields, found 1"},
};

static void test_dump_cases(void)
{
	char msg[DUMP_MSG_LEN];
	size_t i;

	for (i = 0; i < sizeof(dump_cases) / sizeof(*dump_cases); ++i) {
		const struct dump_case *c = &dump_cases[i];
		struct wgdevice *dev = dump_parse(c->text, strlen(c->text), msg, sizeof(msg));

		if (!c->want_msg)
			ok(dev != NULL, "dump case %zu parses", i);
		else
			ok(!dev && errno == EINVAL &&
			       !strncmp(msg, c->want_msg, strlen(c->want_msg)),
			   "dump case %zu: %s", i, c->want_msg);
		if (!dev && !c->want_msg)
			printf("#   %s\n", msg);
		if (dev && c->want_msg)
			diag("parsed, but should not have");
		model_device_free(dev);
	}
}

static void test_dump_fields(void)
{
	char msg[DUMP_MSG_LEN], s[CIDR_STR_LEN], ep[ENDPOINT_STR_LEN], b64[KEY_B64_LEN];
	struct wgdevice *dev =
	    dump_parse(dump_cases[0].text, strlen(dump_cases[0].text), msg, sizeof(msg));
	struct wgpeer *a = dev ? dev->first_peer : NULL, *b = a ? a->next_peer : NULL;

	if (!ok(b != NULL, "wireguard-tools' dump: two peers"))
		return;
	key_to_base64(b64, dev->public_key);
	is_str(b64, pub_a, "interface public key");
	ok(dev->listen_port == 51820 && !dev->fwmark, "listen port, fwmark off");
	key_to_base64(b64, a->public_key);
	is_str(b64, pub_b, "peer public key");
	endpoint_print(ep, sizeof(ep), &a->endpoint);
	is_str(ep, "192.95.5.67:1234", "IPv4 endpoint");
	endpoint_print(ep, sizeof(ep), &b->endpoint);
	is_str(ep, "[2607:5300:60:6b0::c05f:543]:2468", "IPv6 endpoint");
	cidr_print(s, sizeof(s), a->last_allowedip);
	ok(a->first_allowedip->next_allowedip == a->last_allowedip && !strcmp(s, "10.192.124.1/24"),
	   "allowed IPs, in order");
	ok(a->last_handshake_time.tv_sec == NOW && a->rx_bytes == 123 && a->tx_bytes == 456,
	   "handshake and transfer");
	ok(!a->persistent_keepalive_interval && b->persistent_keepalive_interval == 25,
	   "keepalive off and 25");
	ok(key_is_zero(dev->private_key) && key_is_zero(a->preshared_key),
	   "private and pre-shared keys are never kept");
	model_device_free(dev);
}

/* ---------------------------------------------------------------- the comparison */

/* Handshake times by "site peer" (the peer as its config comment names it); default otherwise. */
struct hs_rule {
	const char *site, *peer;
	long long when; /* 0: never */
};

static const struct hs_rule *rules;
static long long hs_default;

static long long handshake_of(const char *site, const char *peer)
{
	const struct hs_rule *r;

	for (r = rules; r && r->site; ++r)
		if (!strcmp(r->site, site) && !strcmp(r->peer, peer))
			return r->when;
	return hs_default;
}

static const char *value_of(const char *line, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(line, key, n) && !strncmp(line + n, " = ", 3) ? line + n + 3 : NULL;
}

/* "a, b" (wg-quick) -> "a,b" (wg's dump). */
static void put_list(struct textbuf *b, const char *v)
{
	for (; *v && *v != '\n'; ++v)
		if (*v != ' ')
			textbuf_add(b, v, 1);
}

struct conf_peer {
	char name[64];
	const char *key, *psk, *endpoint, *ips, *keepalive; /* into the config, up to '\n' */
};

/* "osaka (and the sites it relays)" -> osaka, "client phone" -> phone. */
static void name_peer(struct conf_peer *x, const char *comment)
{
	if (!strncmp(comment, "client ", 7))
		comment += 7;
	snprintf(x->name, sizeof(x->name), "%.*s", (int)strcspn(comment, " \n"), comment);
}

static void put_field(struct textbuf *b, const char *v, const char *none)
{
	if (!v)
		v = none;
	textbuf_add(b, v, strcspn(v, "\n"));
	textbuf_add(b, "\t", 1);
}

static void put_peer(struct textbuf *b, struct conf_peer *x, const char *site)
{
	if (!x->key)
		return;
	put_field(b, x->key, NULL);
	put_field(b, x->psk ? "(hidden)" : NULL, "(none)");
	put_field(b, x->endpoint, "(none)");
	put_list(b, x->ips ? x->ips : "(none)");
	textbuf_printf(b, "\t%lld\t1000\t2000\t", handshake_of(site, x->name));
	textbuf_add(b, x->keepalive ? x->keepalive : "off",
		    strcspn(x->keepalive ? x->keepalive : "off", "\n"));
	textbuf_add(b, "\n", 1);
	memset(x, 0, sizeof(*x));
}

/* The dump a site shows after `wg-quick up' of this config, with our handshake times. */
static void dump_from_conf(const char *site, const char *conf, char *out, size_t len)
{
	struct textbuf b = {0};
	struct conf_peer x = {0};
	const char *line, *v, *port = "0";
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char b64[KEY_B64_LEN];

	for (line = conf; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		if (!strncmp(line, "[Peer]", 6))
			put_peer(&b, &x, site);
		else if (!strncmp(line, "# ", 2) && !x.key)
			name_peer(&x, line + 2);
		if ((v = value_of(line, "PrivateKey")) && !strncmp(v + 43, "=", 1)) {
			char k[KEY_B64_LEN] = {0};

			memcpy(k, v, 44);
			key_from_base64(priv, k);
			key_public_from_private(pub, priv);
			key_to_base64(b64, pub);
		}
		port = (v = value_of(line, "ListenPort")) ? v : port;
		x.key = (v = value_of(line, "PublicKey")) ? v : x.key;
		x.psk = (v = value_of(line, "PresharedKey")) ? v : x.psk;
		x.endpoint = (v = value_of(line, "Endpoint")) ? v : x.endpoint;
		x.ips = (v = value_of(line, "AllowedIPs")) ? v : x.ips;
		x.keepalive = (v = value_of(line, "PersistentKeepalive")) ? v : x.keepalive;
	}
	put_peer(&b, &x, site);
	snprintf(out, len, "(hidden)\t%s\t%.*s\toff\n%s", b64, (int)strcspn(port, "\n"), port,
		 b.p ? b.p : "");
	textbuf_free(&b);
}

static const char yaml[] = "mesh:\n"
			   "  tunnel: [192.168.0.0/24, fd00:12::/64]\n"
			   "  keepalive: 25\n"
			   "sites:\n"
			   "  tokyo:\n"
			   "    endpoint: [192.0.2.1, 2001:db8:1234:1::1]\n"
			   "    networks: [10.1.1.0/24]\n"
			   "  osaka:\n"
			   "    endpoint: 2001:db8:1234:3::1\n"
			   "    networks: [10.3.3.0/24, 2001:db8:1:3::/64]\n"
			   "  branch:\n"
			   "    networks: [10.5.5.0/24]\n"
			   "  depot:\n"
			   "    networks: [10.6.6.0/24]\n"
			   "clients:\n"
			   "  phone:\n"
			   "    via: tokyo\n";

enum { TOKYO, OSAKA, BRANCH, DEPOT, N_SITES };

/* Every site's dump as it runs its planned config, with these handshakes. */
static void make_dumps(const struct hs_rule *r, long long when)
{
	struct textbuf b = {0};
	size_t i;

	rules = r;
	hs_default = when;
	for (i = 0; i < f.p.n_sites; ++i) {
		textbuf_clear(&b);
		if (render_by_name(&f.p, f.p.sites[i].name, &b))
			diag("render failed");
		dump_from_conf(f.p.sites[i].name, b.p ? b.p : "", dumps[i], sizeof(dumps[i]));
	}
	textbuf_free(&b);
}

static void unobserve(void)
{
	size_t i;

	status_report_free(&rep);
	for (i = 0; i < MAX_SITES; ++i) {
		model_device_free(devs[i]);
		devs[i] = NULL;
	}
}

/* Reads every dump back (as status does) and compares; the sites' states as given. */
static int observe(const enum status_site_state *states)
{
	char msg[DUMP_MSG_LEN];
	size_t i;

	unobserve();
	for (i = 0; i < f.p.n_sites; ++i) {
		obs[i] =
		    (struct status_obs){.state = states ? states[i] : STATUS_SITE_UP, .now = NOW};
		if (obs[i].state != STATUS_SITE_UP)
			continue;
		devs[i] = obs[i].dev = dump_parse(dumps[i], strlen(dumps[i]), msg, sizeof(msg));
		if (!devs[i]) {
			printf("#   %s: %s\n", f.p.sites[i].name, msg);
			return -1;
		}
	}
	return status_compare(&rep, &f.p, obs);
}

static enum status_pair_state pair(size_t a, size_t b)
{
	return status_site_pair(&rep, a, b)->state;
}

static const struct status_issue *issue(enum status_issue_kind kind, size_t site, const char *peer)
{
	size_t i;

	for (i = 0; i < rep.n_issues; ++i)
		if (rep.issues[i].kind == kind && rep.issues[i].site == site &&
		    (!peer ? !rep.issues[i].peer
			   : rep.issues[i].peer && !strcmp(rep.issues[i].peer, peer)))
			return &rep.issues[i];
	return NULL;
}

/* Replaces the first from in site's dump with to. */
static int edit(size_t site, const char *from, const char *to)
{
	static char tail[8192];
	char *at = strstr(dumps[site], from);

	if (!at)
		return 0;
	snprintf(tail, sizeof(tail), "%s", at + strlen(from));
	snprintf(at, sizeof(dumps[site]) - (at - dumps[site]), "%s%s", to, tail);
	return 1;
}

/* Removes the line naming key from site's dump. */
static int drop_peer(size_t site, const char *key)
{
	char *at = strstr(dumps[site], key), *nl = at ? strchr(at, '\n') : NULL;

	if (!nl)
		return 0;
	memmove(at, nl + 1, strlen(nl + 1) + 1);
	return 1;
}

static void test_healthy(void)
{
	size_t a, b;
	int all_up = 1;

	make_dumps(NULL, NOW - 10);
	if (!is_int(observe(NULL), 0, "healthy: compared"))
		return;
	is_int(rep.n_failed, 0, "healthy: nothing fails");
	is_int(rep.n_issues, 0, "healthy: the dumps are the plan");
	for (b = 1; b < N_SITES; ++b)
		for (a = 0; a < b; ++a)
			all_up &=
			    pair(a, b) == STATUS_PAIR_UP && status_site_pair(&rep, a, b)->age <=
								(a + b == BRANCH + DEPOT ? -1 : 10);
	ok(all_up, "healthy: every site pair up, 10 s old (the relayed one with no age)");
	is_int(status_site_pair(&rep, BRANCH, DEPOT)->relay, TOKYO, "branch-depot goes via tokyo");
	is_int(status_client_pair(&rep, 0)->state, STATUS_PAIR_UP, "the phone is up");
	is_int(status_client_pair(&rep, 0)->a, TOKYO, "the phone's row is tokyo's");
	ok(!status_site_pair(&rep, TOKYO, OSAKA)->keepalive &&
	       status_site_pair(&rep, TOKYO, BRANCH)->keepalive == 25,
	   "keepalive only where one side cannot be reached");
}

static void test_handshake_age(void)
{
	static const struct hs_rule one_side[] = {
	    {"tokyo", "osaka", NOW - 10}, {"osaka", "tokyo", NOW - 500}, {NULL, NULL, 0}};

	make_dumps(NULL, 0);
	observe(NULL);
	ok(pair(TOKYO, OSAKA) == STATUS_PAIR_NEVER && pair(BRANCH, DEPOT) == STATUS_PAIR_NEVER,
	   "no handshakes: never, relayed pairs too");
	is_int(rep.n_failed, 6, "no handshakes: all six site pairs fail");
	ok(status_client_pair(&rep, 0)->state == STATUS_PAIR_NEVER &&
	       !status_pair_failed(status_client_pair(&rep, 0)),
	   "a client never seen is reported, but does not fail the check");
	make_dumps(NULL, NOW - 500);
	observe(NULL);
	is_int(pair(TOKYO, OSAKA), STATUS_PAIR_IDLE, "500 s without keepalives: idle");
	is_int(pair(TOKYO, BRANCH), STATUS_PAIR_STALE, "500 s with keepalives: stale");
	is_int(status_site_pair(&rep, TOKYO, BRANCH)->age, 500, "its age");
	is_int(rep.n_failed, 5, "stale pairs fail, idle ones do not");
	make_dumps(one_side, NOW - 10);
	observe(NULL);
	ok(pair(TOKYO, OSAKA) == STATUS_PAIR_UP && status_site_pair(&rep, TOKYO, OSAKA)->age == 10,
	   "the fresher side's handshake counts");
}

static void test_clock_skew(void)
{
	static const struct hs_rule skewed[] = {{"osaka", "tokyo", NOW + 3600 - 20},
						{"osaka", "branch", NOW + 3600 - 20},
						{"osaka", "depot", NOW + 3600 - 20},
						{NULL, NULL, 0}};

	make_dumps(skewed, 0);
	observe(NULL);
	obs[OSAKA].now = NOW + 3600;
	status_report_free(&rep);
	if (!is_int(status_compare(&rep, &f.p, obs), 0, "skew: compared"))
		return;
	ok(pair(TOKYO, OSAKA) == STATUS_PAIR_UP && status_site_pair(&rep, TOKYO, OSAKA)->age == 20,
	   "ages come from each site's own clock: an hour of skew changes nothing");
}

static void test_sites_down(void)
{
	enum status_site_state st[N_SITES] = {STATUS_SITE_DOWN, STATUS_SITE_UP, STATUS_SITE_UP,
					      STATUS_SITE_UNCHECKED};

	make_dumps(NULL, NOW - 10);
	observe(st);
	ok(pair(TOKYO, OSAKA) == STATUS_PAIR_DOWN &&
	       status_site_pair(&rep, TOKYO, OSAKA)->blame == TOKYO,
	   "tokyo down: its pairs are down, blaming tokyo");
	ok(pair(BRANCH, DEPOT) == STATUS_PAIR_DOWN &&
	       status_site_pair(&rep, BRANCH, DEPOT)->blame == TOKYO,
	   "and the pair it relays");
	is_int(status_client_pair(&rep, 0)->state, STATUS_PAIR_DOWN, "and its client");
	ok(status_pair_failed(status_client_pair(&rep, 0)), "a client whose site is down fails");
	is_int(pair(OSAKA, BRANCH), STATUS_PAIR_UP, "osaka-branch is not affected");
	is_int(pair(OSAKA, DEPOT), STATUS_PAIR_UP, "depot, unchecked, is judged by osaka's side");
	is_int(rep.n_failed, 5, "tokyo's three pairs, the relayed one and the client fail");
	st[TOKYO] = STATUS_SITE_UP;
	st[OSAKA] = STATUS_SITE_UNREACHABLE;
	observe(st);
	is_int(pair(TOKYO, OSAKA), STATUS_PAIR_UNREACHABLE, "osaka unreachable");
	is_int(pair(OSAKA, DEPOT), STATUS_PAIR_UNREACHABLE, "even towards an unchecked site");
	st[OSAKA] = STATUS_SITE_UNCHECKED;
	observe(st);
	is_int(pair(OSAKA, DEPOT), STATUS_PAIR_UNCHECKED, "neither side checked: unchecked");
	ok(!status_pair_failed(status_site_pair(&rep, OSAKA, DEPOT)), "which does not fail");
	is_int(rep.n_failed, 0, "the rest is healthy");
}

static void test_drift(void)
{
	const struct status_issue *x;

	make_dumps(NULL, NOW - 10);
	ok(drop_peer(TOKYO, f.p.sites[OSAKA].public_key), "drop osaka from tokyo's dump");
	ok(edit(OSAKA, "(hidden)\t", "(hidden)\t") && strcat(dumps[OSAKA], pub_b) &&
	       strcat(dumps[OSAKA], "\t(none)\t(none)\t10.9.9.0/24\t0\t0\t0\toff\n"),
	   "add a stranger to osaka's");
	ok(edit(BRANCH, "10.6.6.0/24", "10.6.7.0/24"), "change relayed depot's LAN on branch");
	ok(edit(BRANCH, "192.168.0.1/32,", ""), "and drop tokyo's tunnel address there");
	ok(edit(OSAKA, "[2001:db8:1234:1::1]:51820", "[2001:db8:1234:1::99]:40000"),
	   "tokyo roamed, seen from osaka");
	observe(NULL);
	is_int(pair(TOKYO, OSAKA), STATUS_PAIR_MISSING, "a peer gone: missing");
	x = issue(STATUS_ISSUE_MISSING, TOKYO, "osaka");
	ok(x && !strcmp(x->planned, f.p.sites[OSAKA].public_key), "named, with its planned key");
	x = issue(STATUS_ISSUE_EXTRA, OSAKA, NULL);
	ok(x && !strcmp(x->runs, pub_b), "the stranger, by its key");
	x = issue(STATUS_ISSUE_ALLOWED_IPS, BRANCH, "tokyo");
	ok(x && strstr(x->runs, "10.6.7.0/24") && strstr(x->planned, "10.6.6.0/24") &&
	       !strstr(x->runs, "192.168.0.1/32") && strstr(x->planned, "192.168.0.1/32"),
	   "other allowed IPs on the relay's entry: what runs and what was planned");
	x = issue(STATUS_ISSUE_ENDPOINT, OSAKA, "tokyo");
	ok(x && !strcmp(x->runs, "[2001:db8:1234:1::99]:40000") &&
	       !strcmp(x->planned, "[2001:db8:1234:1::1]:51820"),
	   "a roamed endpoint");
	ok(!status_issue_fails(x), "is a note, not a failure");
	is_int(rep.n_issues, 4, "no other difference");
	is_int(rep.n_failed, 4, "missing (pair and peer), extra and allowed IPs fail");
}

static void test_interface(void)
{
	char b64[KEY_B64_LEN];

	make_dumps(NULL, NOW - 10);
	key_to_base64(b64, f.p.sites[OSAKA].key->public_key);
	ok(edit(OSAKA, b64, pub_a) && edit(OSAKA, "\t51820\toff\n", "\t51999\toff\n"),
	   "osaka runs another key and port");
	ok(edit(TOKYO, "10.3.3.0/24,", "") && strstr(dumps[TOKYO], "2001:db8:1:3::/64") &&
	       edit(TOKYO, "2001:db8:1:3::/64", "2001:db8:1:3::/64,10.3.3.7/24"),
	   "tokyo lists osaka's prefixes in another order, with host bits");
	observe(NULL);
	ok(issue(STATUS_ISSUE_KEY, OSAKA, NULL) &&
	       !strcmp(issue(STATUS_ISSUE_KEY, OSAKA, NULL)->runs, pub_a),
	   "another interface key");
	ok(issue(STATUS_ISSUE_PORT, OSAKA, NULL) &&
	       !strcmp(issue(STATUS_ISSUE_PORT, OSAKA, NULL)->runs, "51999") &&
	       !strcmp(issue(STATUS_ISSUE_PORT, OSAKA, NULL)->planned, "51820"),
	   "another listen port");
	ok(!issue(STATUS_ISSUE_ALLOWED_IPS, TOKYO, "osaka"), "order and host bits do not matter");
	is_int(rep.n_issues, 2, "nothing else");
}

/* The report in one format, into a static buffer. */
static const char *report(void (*fn)(const struct status_report *, FILE *), const char *color)
{
	static char *text;
	size_t len;
	FILE *out;

	free(text);
	text = NULL;
	setenv("WG_COLOR_MODE", color, 1);
	term_reset_mode();
	out = open_memstream(&text, &len);
	if (!out)
		return "";
	fn(&rep, out);
	fclose(out);
	return text;
}

static const char want_text[] =
    "            tokyo       osaka       branch      depot\n"
    "tokyo       -           unreachable missing     1m15s\n"
    "osaka       unreachable -           unreachable unreachable\n"
    "branch      missing     unreachable -           missing\n"
    "depot       1m15s       unreachable missing     -\n"
    "phone       1m15s\n"
    "\n"
    "osaka: unreachable (ssh: connect to host osaka port 22: \"refused\" \xff\xc3\xa9)\n"
    "depot: not checked (no ssh: destination)\n"
    "branch: has no peer tokyo (planned key %s)\n"
    "1 of 6 site pairs up, 1 of 1 client connected: 6 problems\n";

static const char want_json[] =
    "{\n"
    "  \"ok\": false,\n"
    "  \"problems\": 6,\n"
    "  \"sites\": [\n"
    "    {\"name\": \"tokyo\", \"state\": \"up\", \"reason\": null},\n"
    "    {\"name\": \"osaka\", \"state\": \"unreachable\", \"reason\": \"ssh: connect to host osaka port 22: \\\"refused\\\"\\u000a\\ufffd\xc3\xa9\"},\n"
    "    {\"name\": \"branch\", \"state\": \"up\", \"reason\": null},\n"
    "    {\"name\": \"depot\", \"state\": \"unchecked\", \"reason\": \"no ssh: destination\"}\n"
    "  ],\n"
    "  \"pairs\": [\n"
    "    {\"site\": \"tokyo\", \"peer\": \"osaka\", \"client\": false, \"via\": null, \"state\": \"unreachable\", \"up\": false, \"failed\": true, \"handshake_age\": 75, \"keepalive\": 0, \"blame\": \"osaka\"},\n"
    "    {\"site\": \"tokyo\", \"peer\": \"branch\", \"client\": false, \"via\": null, \"state\": \"missing\", \"up\": false, \"failed\": true, \"handshake_age\": 75, \"keepalive\": 25, \"blame\": \"branch\"},\n"
    "    {\"site\": \"osaka\", \"peer\": \"branch\", \"client\": false, \"via\": null, \"state\": \"unreachable\", \"up\": false, \"failed\": true, \"handshake_age\": 75, \"keepalive\": 25, \"blame\": \"osaka\"},\n"
    "    {\"site\": \"tokyo\", \"peer\": \"depot\", \"client\": false, \"via\": null, \"state\": \"up\", \"up\": true, \"failed\": false, \"handshake_age\": 75, \"keepalive\": 25, \"blame\": null},\n"
    "    {\"site\": \"osaka\", \"peer\": \"depot\", \"client\": false, \"via\": null, \"state\": \"unreachable\", \"up\": false, \"failed\": true, \"handshake_age\": null, \"keepalive\": 25, \"blame\": \"osaka\"},\n"
    "    {\"site\": \"branch\", \"peer\": \"depot\", \"client\": false, \"via\": \"tokyo\", \"state\": \"missing\", \"up\": false, \"failed\": true, \"handshake_age\": null, \"keepalive\": 0, \"blame\": \"branch\"},\n"
    "    {\"site\": \"tokyo\", \"peer\": \"phone\", \"client\": true, \"via\": null, \"state\": \"up\", \"up\": true, \"failed\": false, \"handshake_age\": 75, \"keepalive\": 25, \"blame\": null}\n"
    "  ],\n"
    "  \"issues\": [\n"
    "    {\"site\": \"branch\", \"kind\": \"missing-peer\", \"peer\": \"tokyo\", \"runs\": \"\", \"planned\": \"%s\", \"failed\": true}\n"
    "  ]\n"
    "}\n";

static const char want_prom[] =
    "# HELP wgmesh_ok 1 when every planned pair that should be up is up and every site runs its "
    "plan.\n"
    "# TYPE wgmesh_ok gauge\n"
    "wgmesh_ok 0\n"
    "# HELP wgmesh_site_reachable Whether wg-mesh status reached the site over SSH (sites "
    "without ssh: are left out).\n"
    "# TYPE wgmesh_site_reachable gauge\n"
    "wgmesh_site_reachable{site=\"tokyo\"} 1\n"
    "wgmesh_site_reachable{site=\"osaka\"} 0\n"
    "wgmesh_site_reachable{site=\"branch\"} 1\n"
    "# HELP wgmesh_site_interface_up Whether the site's WireGuard interface is up.\n"
    "# TYPE wgmesh_site_interface_up gauge\n"
    "wgmesh_site_interface_up{site=\"tokyo\"} 1\n"
    "wgmesh_site_interface_up{site=\"branch\"} 1\n"
    "# HELP wgmesh_pair_up Whether the planned pair is up: 1 up or idle, 0 failing or never "
    "seen.\n"
    "# TYPE wgmesh_pair_up gauge\n"
    "wgmesh_pair_up{site=\"tokyo\",peer=\"osaka\",kind=\"site\"} 0\n"
    "wgmesh_pair_up{site=\"tokyo\",peer=\"branch\",kind=\"site\"} 0\n"
    "wgmesh_pair_up{site=\"osaka\",peer=\"branch\",kind=\"site\"} 0\n"
    "wgmesh_pair_up{site=\"tokyo\",peer=\"depot\",kind=\"site\"} 1\n"
    "wgmesh_pair_up{site=\"osaka\",peer=\"depot\",kind=\"site\"} 0\n"
    "wgmesh_pair_up{site=\"branch\",peer=\"depot\",kind=\"site\",via=\"tokyo\"} 0\n"
    "wgmesh_pair_up{site=\"tokyo\",peer=\"phone\",kind=\"client\"} 1\n"
    "# HELP wgmesh_pair_handshake_age_seconds Seconds since the pair's latest handshake, as the "
    "fresher side saw it.\n"
    "# TYPE wgmesh_pair_handshake_age_seconds gauge\n"
    "wgmesh_pair_handshake_age_seconds{site=\"tokyo\",peer=\"osaka\",kind=\"site\"} 75\n"
    "wgmesh_pair_handshake_age_seconds{site=\"tokyo\",peer=\"branch\",kind=\"site\"} 75\n"
    "wgmesh_pair_handshake_age_seconds{site=\"osaka\",peer=\"branch\",kind=\"site\"} 75\n"
    "wgmesh_pair_handshake_age_seconds{site=\"tokyo\",peer=\"depot\",kind=\"site\"} 75\n"
    "wgmesh_pair_handshake_age_seconds{site=\"tokyo\",peer=\"phone\",kind=\"client\"} 75\n"
    "# HELP wgmesh_site_problems Differences from the plan that fail the check, per site "
    "(missing or extra peers, allowed IPs, key, port).\n"
    "# TYPE wgmesh_site_problems gauge\n"
    "wgmesh_site_problems{site=\"tokyo\"} 0\n"
    "wgmesh_site_problems{site=\"branch\"} 1\n";

/* Osaka unreachable, depot unchecked, branch lost its peer tokyo (and so the relay). */
static void test_reports(void)
{
	enum status_site_state st[N_SITES] = {STATUS_SITE_UP, STATUS_SITE_UNREACHABLE,
					      STATUS_SITE_UP, STATUS_SITE_UNCHECKED};
	static char want[8192];
	const char *colored;

	make_dumps(NULL, NOW - 75);
	drop_peer(BRANCH, f.p.sites[TOKYO].public_key);
	observe(st);
	obs[OSAKA].why = "ssh: connect to host osaka port 22: \"refused\"\n\xff\xc3\xa9";
	obs[DEPOT].why = "no ssh: destination";
	snprintf(want, sizeof(want), want_text, f.p.sites[TOKYO].public_key);
	is_str(report(report_text, "never"), want, "the matrix, without colour");
	colored = report(report_text, "always");
	ok(strstr(colored, TERM_FG_RED "unreachable") && strstr(colored, TERM_FG_GREEN "1m15s") &&
	       strstr(colored, TERM_FG_RED "missing"),
	   "with colour: red failures, green pairs up");
	snprintf(want, sizeof(want), want_json, f.p.sites[TOKYO].public_key);
	is_str(report(report_json, "always"), want, "JSON, strings escaped, never coloured");
	is_str(report(report_prometheus, "always"), want_prom, "Prometheus text format");
	unsetenv("WG_COLOR_MODE");
	term_reset_mode();
}

static void test_ages(void)
{
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {{0, "0s"},	      {59, "59s"},	 {60, "1m00s"},	   {3599, "59m59s"},
		     {3600, "1h00m"}, {86399, "23h59m"}, {86400, "1d00h"}, {90061, "1d01h"}};
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); ++i) {
		report_age(buf, sizeof(buf), cases[i].s);
		is_str(buf, cases[i].want, "age %lld", (long long)cases[i].s);
	}
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_dump_cases();
	test_dump_fields();
	if (!is_int(fixture_plan(&f, yaml, 0), 0, "planned") || !is_int(f.d.count, 0, "no errors"))
		return tap_done();
	test_healthy();
	test_handshake_age();
	test_clock_skew();
	test_sites_down();
	test_drift();
	test_interface();
	test_reports();
	test_ages();
	unobserve();
	fixture_free(&f, 0);
	return tap_done();
}

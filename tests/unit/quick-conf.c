// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for wg-quick's configuration reader: the script's splitting of
 * keys and values, its own [Interface] keys, the text `strip` keeps, FILE:LINE
 * diagnostics for bad values, interface names from file names, and the
 * showconf text `save` writes.
 */
#define _GNU_SOURCE
#include "../lib/tap.h"
#include "../../wg-quick/quick.h"
#include "key.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

static char dir[] = "/tmp/wqunit.XXXXXX";
static char err_path[256];

static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	return path;
}

/* Loads with stderr captured; returns quick_conf_load's result. */
static int load(struct quick *q, const char *path, bool parse_wg, char *err, size_t len)
{
	int saved = dup(2), fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), ret;
	ssize_t n;

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	memset(q, 0, sizeof(*q));
	q->program = "wg-quick";
	ret = quick_conf_load(q, path, parse_wg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fd = open(err_path, O_RDONLY);
	n = read(fd, err, len - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	return ret;
}

/* A config using every wg-quick key, spelled as the script tolerates. */
static const char *good_conf(const char *priv, const char *pub)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "[Interface]\n"
		 "  PrivateKey = %s\n"
		 "address = 10.0.0.1/24, fd00::1/64 # two\n"
		 "Address=10.0.1.1\n"
		 "DNS = 10.0.0.53,fd00::53 , example.com\n"
		 "MTU = 1400\n"
		 "Table = 1234\n"
		 "PostUp = echo %%i = up # not a comment to bash? it is cut, as in the script\n"
		 "PreDown = a\n"
		 "PreDown = b\n"
		 "SaveConfig = True\n"
		 "[Peer]\n"
		 "PublicKey = %s\n"
		 "AllowedIPs = 10.0.0.0/24\n",
		 priv, pub);
	return write_conf("wqu0.conf", text);
}

static void test_good(const char *priv, const char *pub)
{
	static char err[512];
	const char *path = good_conf(priv, pub);
	struct quick q;
	char *want;

	if (!is_int(load(&q, path, true, err, sizeof(err)), 0, "a good config loads"))
		diag(err);
	is_str(q.iface, "wqu0", "interface name from the file name");
	is_int(q.addresses.n, 3, "three addresses from two lines");
	is_str(q.addresses.n > 2 ? q.addresses.v[2] : "", "10.0.1.1",
	       "a bare address kept as written");
	is_int(q.dns.n, 2, "two DNS servers");
	is_int(q.dns_search.n, 1, "one search domain");
	is_int(q.mtu, 1400, "MTU");
	is_int(q.table, QUICK_TABLE_ID, "Table is a number");
	is_int(q.table_id, 1234, "Table 1234");
	is_str(q.post_up.n ? q.post_up.v[0] : "", "echo %i = up",
	       "a hook keeps '=' and loses the comment");
	is_int(q.pre_down.n, 2, "repeated hooks");
	ok(q.save_config, "SaveConfig = True (any case)");
	ok(q.device && q.device->first_peer, "the wg part parsed into a model");
	if (asprintf(
		&want,
		"[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/24\n",
		priv, pub) > 0) {
		is_str(q.wg_config.p, want, "strip keeps the wg lines, trimmed");
		free(want);
	}
	quick_free(&q);
}

static void test_tables(void)
{
	static const struct {
		const char *value;
		enum quick_table table;
		uint32_t id;
	} cases[] = {
	    {"auto", QUICK_TABLE_AUTO, 0}, {"off", QUICK_TABLE_OFF, 0},
	    {"main", QUICK_TABLE_ID, 254}, {"0x10", QUICK_TABLE_ID, 16},
	    {"", QUICK_TABLE_AUTO, 0},
	};
	static char text[128], err[512];
	struct quick q;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[Interface]\nTable = %s\n", cases[i].value);
		if (!is_int(load(&q, write_conf("wqu1.conf", text), false, err, sizeof(err)), 0,
			    "Table = `%s' loads", cases[i].value))
			diag(err);
		is_int(q.table, cases[i].table, "Table = `%s' kind", cases[i].value);
		is_int(q.table_id, cases[i].id, "Table = `%s' number", cases[i].value);
		quick_free(&q);
	}
}

static void test_bad(void)
{
	static const struct {
		const char *text, *line, *says;
	} cases[] = {
	    {"[Interface]\nAddress = 10.0.0.1/33\n", ":2: ", "Address `10.0.0.1/33'"},
	    {"[Interface]\n\nAddress = 10.0.0.1, bogus\n", ":3: ", "Address `bogus'"},
	    {"[Interface]\nMTU = 1x\n", ":2: ", "MTU `1x'"},
	    {"[Interface]\nMTU = 20\n", ":2: ", "MTU `20'"},
	    {"[Interface]\nTable = nosuch\n", ":2: ", "Table `nosuch'"},
	    {"[Interface]\nTable = 0\n", ":2: ", "Table `0'"},
	    {"[Interface]\nSaveConfig = yes\n", ":2: ", "SaveConfig `yes'"},
	    {"[Interface]\nDNS = 1.2.3.999\n", ":2: ", "DNS server `1.2.3.999'"},
	    {"[Interface]\nListenPort = 1\nFoo = bar\n", ":3: ", "Foo"},
	};
	static char err[512], path[300];
	struct quick q;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s", write_conf("wqu2.conf", cases[i].text));
		is_int(load(&q, path, true, err, sizeof(err)), 1, "bad input %zu fails", i);
		ok(!strncmp(err, path, strlen(path)) &&
		       !strncmp(err + strlen(path), cases[i].line, 4),
		   "bad input %zu: FILE%s", i, cases[i].line);
		ok(strstr(err, cases[i].says) != NULL, "bad input %zu names %s", i, cases[i].says);
		if (tap_failed)
			diag(err);
		quick_free(&q);
	}
}

static void test_names(void)
{
	static char err[512], path[300];
	struct quick q;

	snprintf(path, sizeof(path), "%s", write_conf("a-name-too-long0.conf", "[Interface]\n"));
	is_int(load(&q, path, false, err, sizeof(err)), 1, "a 16-character name fails");
	is_str(err, "wg-quick: The config file must be a valid interface name, followed by .conf\n",
	       "with the script's message");
	quick_free(&q);
	snprintf(path, sizeof(path), "%s/wqnone.conf", dir);
	is_int(load(&q, path, false, err, sizeof(err)), 1, "a missing file fails");
	ok(strstr(err, "' does not exist") != NULL, "saying it does not exist");
	quick_free(&q);
	snprintf(path, sizeof(path), "%s", write_conf("wqu3.conf", "[Interface]\n"));
	chmod(path, 0644);
	chmod(dir, 0755);
	is_int(load(&q, path, false, err, sizeof(err)), 0, "a world-readable file loads");
	ok(strstr(err, "is world accessible") != NULL, "with the warning");
	chmod(dir, 0700);
	quick_free(&q);
}

static void test_showconf(const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN],
			  const char *priv64, const char *pub64)
{
	struct wgdevice *dev = model_device_new();
	struct wgpeer *peer = model_peer_append(dev);
	struct wgallowedip *a = model_allowedip_append(peer), *b = model_allowedip_append(peer);
	struct textbuf text = {0};
	char *want;

	dev->flags = WGDEVICE_HAS_PRIVATE_KEY;
	memcpy(dev->private_key, priv, WG_KEY_LEN);
	dev->listen_port = 51820;
	dev->fwmark = 0xca6c;
	memcpy(peer->public_key, pub, WG_KEY_LEN);
	a->family = AF_INET;
	inet_pton(AF_INET, "10.0.0.0", &a->ip4);
	a->cidr = 24;
	b->family = AF_INET6;
	inet_pton(AF_INET6, "fd00::", &b->ip6);
	b->cidr = 64;
	peer->endpoint.addr6.sin6_family = AF_INET6;
	peer->endpoint.addr6.sin6_port = htons(51821);
	inet_pton(AF_INET6, "2001:db8::1", &peer->endpoint.addr6.sin6_addr);
	peer->persistent_keepalive_interval = 25;
	quick_showconf(&text, dev);
	if (asprintf(
		&want,
		"[Interface]\nListenPort = 51820\nFwMark = 0xca6c\nPrivateKey = %s\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/24, fd00::/64\nEndpoint = [2001:db8::1]:51821\nPersistentKeepalive = 25\n",
		priv64, pub64) > 0) {
		is_str(text.p, want, "showconf text as wg(8) prints it");
		free(want);
	}
	textbuf_free(&text);
	model_device_free(dev);
}

int main(void)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char priv64[KEY_B64_LEN], pub64[KEY_B64_LEN];

	if (!mkdtemp(dir) || key_init())
		return 1;
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	key_generate_private(priv);
	key_public_from_private(pub, priv);
	key_to_base64(priv64, priv);
	key_to_base64(pub64, pub);
	test_good(priv64, pub64);
	test_tables();
	test_bad();
	test_names();
	test_showconf(priv, pub, priv64, pub64);
	snprintf(err_path, sizeof(err_path), "rm -rf '%s'", dir);
	if (system(err_path) != 0)
		diag("could not remove the temporary folder");
	return tap_done();
}

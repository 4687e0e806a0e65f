// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/config: wg(8) configuration files and `wg set`
 * arguments into the model. Error messages must carry file:line and, after
 * that prefix, read exactly as Debian's wg prints them for the same input.
 */
#include "../lib/tap.h"
#include "config.h"
#include "key.h"
#include "cidr.h"
#include "endpoint.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>

#define REF_WG "/usr/bin/wg"
#define PUB1 "EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk="
#define PUB2 "hwX5nTqyGMTVeQGS3rWfsmuJ7Mu4F+95lxY14bDTKxU="
#define PRIV "YBsmHbvmyX0mw8Zyq/mmbdDvkLnFcOTCaYKW9SdGxXs="

static char tmpdir[] = "/tmp/wgkit-config-XXXXXX";
static char errbuf[4096];
static int saved_stderr = -1, capture_fd = -1;

static void capture_begin(void)
{
	char path[128];

	fflush(stderr);
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	capture_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved_stderr = dup(2);
	dup2(capture_fd, 2);
}

/* Returns what was written to stderr since capture_begin(). */
static const char *capture_end(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = pread(capture_fd, errbuf, sizeof(errbuf) - 1, 0);
	errbuf[n > 0 ? n : 0] = '\0';
	close(capture_fd);
	return errbuf;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* Parses text as a file named name; *err gets stderr. */
static struct wgdevice *parse_text(const char *name, const char *text, bool append,
				   const char **err)
{
	const char *path = write_file(name, text);
	struct wgdevice *dev;

	capture_begin();
	dev = config_read_file(path, append);
	*err = capture_end();
	return dev;
}

static bool has_ref(void)
{
	return access(REF_WG, X_OK) == 0;
}

/* The first line a shell command prints (stdout and stderr). */
static const char *first_output_line(const char *cmd)
{
	static char line[1024];
	FILE *p = popen(cmd, "r");

	line[0] = '\0';
	if (p) {
		if (!fgets(line, sizeof(line), p))
			line[0] = '\0';
		pclose(p);
	}
	return line;
}

/* The first line Debian's wg prints for `wg setconf` of the same file. */
static const char *ref_setconf_error(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), REF_WG " setconf lcnone0 %s 2>&1", path);
	return first_output_line(cmd);
}

static const struct bad_case {
	const char *text;
	unsigned int line;
	const char *msg;
} bad_cases[] = {
    {"[Interface]\nFoo=bar\n", 2, "Line unrecognized: `Foo=bar'"},
    {"ListenPort=5\n", 1, "Line unrecognized: `ListenPort=5'"},
    {"# c\n[Bogus]\nListenPort=5\n", 2, "Line unrecognized: `[Bogus]'"},
    {"[Interface]\nListenPort\n", 2, "Line unrecognized: `ListenPort'"},
    {"[Interface]\nListen Port =\n", 2, "Line unrecognized: `ListenPort='"},
    {"[Interface]\n=5\n", 2, "Line unrecognized: `=5'"},
    {"[Interface]x\n", 1, "Line unrecognized: `[Interface]x'"},
    {"[Interface]\nPublicKey=" PUB1 "\n", 2, "Line unrecognized: `PublicKey=" PUB1 "'"},
    {"[Peer]\nListenPort=1\n", 2, "Line unrecognized: `ListenPort=1'"},
    {"[Interface]\nPrivateKey=abc\n", 2, "Key is not the correct length or format: `abc'"},
    {"[Interface]\nListenPort=65536\n", 2, NULL},
    {"[Interface]\nListenPort=foo\n", 2, "Servname not supported for ai_socktype: `foo'"},
    {"[Interface]\nFwMark=0x\n", 2, "Fwmark is neither 0/off nor 0-0xffffffff: `0x'"},
    {"[Peer]\nPublicKey=" PUB1 "\nPresharedKey=" PUB1 "x\n", 3,
     "Key is not the correct length or format: `" PUB1 "x'"},
    {"[Peer]\nPublicKey=" PUB1 "\nAllowedIPs=10.0.0.0/8,\n", 3, "Unable to parse IP address: `'"},
    {"[Peer]\nPublicKey=" PUB1 "\nAllowedIPs=10.0.0.0/33\n", 3,
     "AllowedIP is not in the correct format: `10.0.0.0/33'"},
    {"[Peer]\nPublicKey=" PUB1 "\nAllowedIPs=\n", 3, "Line unrecognized: `AllowedIPs='"},
    {"[Peer]\nPublicKey=" PUB1 "\nAllowedIPs=+10.0.0.0/8\n", 3,
     "Unable to parse IP address: `+10.0.0.0'"},
    {"[Peer]\nPublicKey=" PUB1 "\nEndpoint=1.2.3.4\n", 3,
     "Unable to find port of endpoint: `1.2.3.4'"},
    {"[Peer]\nPublicKey=" PUB1 "\nEndpoint=[fd00::1:5\n", 3,
     "Unable to find matching brace of endpoint: `[fd00::1:5'"},
    {"[Peer]\nPublicKey=" PUB1 "\nPersistentKeepalive=x\n", 3,
     "Persistent keepalive interval is neither 0/off nor 1-65535: `x'"},
    {"[Interface]\nSaveConfig=true\n", 2, "Line unrecognized: `SaveConfig=true'"},
    {"[Interface]\nListenPort=1\n\n\n[Peer]\nPublicKey=" PUB1 "\nfoo\n", 7,
     "Line unrecognized: `foo'"},
    {"[Interface]\n[Peer]\nEndpoint=1.2.3.4:5\n", 2, "A peer is missing a public key"},
    {"[Peer]\nEndpoint=1.2.3.4:5\n[Peer]\nPublicKey=" PUB1 "\n", 1,
     "A peer is missing a public key"},
};

static void check_bad(const struct bad_case *c, size_t i)
{
	char name[32], want[1024];
	const char *err, *path, *nl, *tail;
	struct wgdevice *dev;
	size_t first;

	snprintf(name, sizeof(name), "bad%zu.conf", i);
	dev = parse_text(name, c->text, false, &err);
	path = write_file(name, c->text);
	ok(dev == NULL, "%s: rejected", name);
	model_device_free(dev);
	nl = strchr(err, '\n');
	first = nl ? (size_t)(nl - err) : strlen(err);
	snprintf(want, sizeof(want), "%s:%u: %s", path, c->line,
		 c->msg ? c->msg : "Port is not in the range 0-65535: `65536'");
	ok(strlen(want) == first && !strncmp(err, want, first), "%s: says `%s'", name, want);
	tail = c->msg && strstr(c->msg, "missing a public key") ? "Invalid configuration\n"
								: "Configuration parsing error\n";
	ok(nl && !strcmp(nl + 1, tail), "%s: then `%.*s'", name, (int)strlen(tail) - 1, tail);
	if (!c->msg)
		return; /* wg takes 65536 as port 0; we refuse it. */
	if (!has_ref()) {
		printf("ok %d # skip " REF_WG " not installed\n", ++tap_count);
		return;
	}
	snprintf(want, sizeof(want), "%s\n", c->msg);
	is_str(ref_setconf_error(path), want, "%s: " REF_WG " says the same", name);
}

static void test_bad_files(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); ++i)
		check_bad(&bad_cases[i], i);
}

static const char good_conf[] = "# a comment line\n"
				"[Interface]\n"
				"  Private Key = " PRIV " # trailing comment\n"
				"listenport=51820\n"
				"FWMARK = 0x42\n"
				"\n"
				"[ peer ]\n"
				"PublicKey=" PUB1 "\n"
				"PresharedKey=" PUB2 "\n"
				"AllowedIPs = 10.0.0.0/8, fd00::/64\n"
				"AllowedIPs = 192.168.1.1\n"
				"Endpoint = [fd00::1]:51820\n"
				"PersistentKeepalive = 25\n"
				"[Peer]\r\n"
				"PublicKey=" PUB2 "\r\n"
				"Endpoint=1.2.3.4:5\r\n";

static int count_aips(const struct wgpeer *peer)
{
	const struct wgallowedip *aip;
	int n = 0;

	for_each_wgallowedip (peer, aip)
		++n;
	return n;
}

static void check_good_device(const struct wgdevice *dev)
{
	uint8_t key[WG_KEY_LEN];

	key_from_base64(key, PRIV);
	ok(key_eq(dev->private_key, key), "private key");
	is_int(dev->listen_port, 51820, "listen port");
	is_int(dev->fwmark, 0x42, "fwmark");
	is_int(dev->flags,
	       WGDEVICE_REPLACE_PEERS | WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT |
		   WGDEVICE_HAS_FWMARK,
	       "device flags (setconf replaces peers)");
}

static void check_good_peers(const struct wgdevice *dev)
{
	const struct wgpeer *p1 = dev->first_peer, *p2 = p1 ? p1->next_peer : NULL;
	char buf[ENDPOINT_STR_LEN];
	uint8_t key[WG_KEY_LEN];

	if (!ok(p1 && p2 && !p2->next_peer, "two peers"))
		return;
	key_from_base64(key, PUB1);
	ok(key_eq(p1->public_key, key), "peer 1 public key");
	key_from_base64(key, PUB2);
	ok(key_eq(p1->preshared_key, key), "peer 1 preshared key");
	is_int(p1->flags,
	       WGPEER_REPLACE_ALLOWEDIPS | WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_PRESHARED_KEY |
		   WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL,
	       "peer 1 flags");
	is_int(count_aips(p1), 3, "AllowedIPs lines accumulate");
	cidr_print(buf, sizeof(buf), p1->last_allowedip);
	is_str(buf, "192.168.1.1/32", "bare address is /32");
	endpoint_print(buf, sizeof(buf), &p1->endpoint);
	is_str(buf, "[fd00::1]:51820", "peer 1 endpoint");
	is_int(p1->persistent_keepalive_interval, 25, "keepalive");
	ok(key_eq(p2->public_key, key), "peer 2 public key (CRLF lines)");
	endpoint_print(buf, sizeof(buf), &p2->endpoint);
	is_str(buf, "1.2.3.4:5", "peer 2 endpoint");
	is_int(p2->flags, WGPEER_REPLACE_ALLOWEDIPS | WGPEER_HAS_PUBLIC_KEY, "peer 2 flags");
}

static void test_good_file(void)
{
	const char *err;
	struct wgdevice *dev = parse_text("good.conf", good_conf, false, &err);

	if (!ok(dev != NULL, "good file parses"))
		diag(err);
	is_str(err, "", "nothing on stderr");
	if (dev) {
		check_good_device(dev);
		check_good_peers(dev);
	}
	model_device_free(dev);
	dev = parse_text("good.conf", good_conf, true, &err);
	ok(dev && !(dev->flags & WGDEVICE_REPLACE_PEERS) &&
	       (dev->first_peer->flags & WGPEER_REPLACE_ALLOWEDIPS),
	   "addconf keeps other peers but, as wg, replaces each peer's allowed IPs");
	model_device_free(dev);
	dev = parse_text("empty.conf", "", false, &err);
	ok(dev && !dev->first_peer &&
	       dev->flags == (WGDEVICE_REPLACE_PEERS | WGDEVICE_HAS_PRIVATE_KEY |
			      WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK) &&
	       key_is_zero(dev->private_key) && !dev->listen_port && !dev->fwmark,
	   "empty file: setconf resets key, port, fwmark and removes every peer");
	model_device_free(dev);
	dev = parse_text("empty.conf", "", true, &err);
	ok(dev && !dev->first_peer && !dev->flags, "empty file: addconf changes nothing");
	model_device_free(dev);
	if (has_ref())
		ok(strstr(ref_setconf_error(write_file("good.conf", good_conf)), "modify") != NULL,
		   REF_WG " also accepts the good file (and fails only at the interface)");
}

static void test_missing_file(void)
{
	char path[256];
	const char *err;
	struct wgdevice *dev;

	snprintf(path, sizeof(path), "%s/nope.conf", tmpdir);
	capture_begin();
	dev = config_read_file(path, false);
	err = capture_end();
	ok(!dev, "missing file rejected");
	ok(strstr(err, "nope.conf: No such file or directory\n") != NULL, "names the file");
}

static void test_stdin(void)
{
	int saved = dup(0), fd;
	struct wgdevice *dev;

	write_file("stdin.conf", "[Interface]\nListenPort=7\n");
	fd = open(write_file("stdin.conf", "[Interface]\nListenPort=7\n"), O_RDONLY);
	dup2(fd, 0);
	close(fd);
	clearerr(stdin);
	dev = config_read_file("-", false);
	ok(dev && dev->listen_port == 7, "\"-\" reads standard input");
	model_device_free(dev);
	fd = open(write_file("stdin.conf", "[Interface]\nBad=7\n"), O_RDONLY);
	dup2(fd, 0);
	close(fd);
	clearerr(stdin);
	capture_begin();
	dev = config_read_file("/dev/stdin", false);
	ok(!dev && !strncmp(capture_end(), "stdin:2: Line unrecognized: `Bad=7'", 35),
	   "stdin errors say stdin:LINE");
	dup2(saved, 0);
	close(saved);
	clearerr(stdin);
}

/* Runs config_read_cmd on argv; *err gets stderr. */
static struct wgdevice *run_cmd(const char **argv, int argc, const char **err)
{
	struct wgdevice *dev;

	capture_begin();
	dev = config_read_cmd(argv, argc);
	*err = capture_end();
	return dev;
}

/* The first line of `wg set lcnone0 ARGS...` from Debian's wg. */
static const char *ref_set_error(const char **argv, int argc)
{
	char cmd[2048];
	size_t n = (size_t)snprintf(cmd, sizeof(cmd), REF_WG " set lcnone0");
	int i;

	for (i = 0; i < argc && n < sizeof(cmd); ++i)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " '%s'", argv[i]);
	snprintf(cmd + n, sizeof(cmd) - n, " 2>&1");
	return first_output_line(cmd);
}

static void check_cmd_error(const char **argv, int argc, const char *want)
{
	const char *err;
	char line[1024];
	struct wgdevice *dev = run_cmd(argv, argc, &err);

	snprintf(line, sizeof(line), "%s\n", want);
	ok(!dev, "set %s ... %s: rejected", argv[0], argv[argc - 1]);
	is_str(err, line, "set ... %s: message", argv[argc - 1]);
	model_device_free(dev);
	if (!has_ref())
		printf("ok %d # skip " REF_WG " not installed\n", ++tap_count);
	else
		is_str(ref_set_error(argv, argc), line, "set ... %s: " REF_WG " says the same",
		       argv[argc - 1]);
}

static void test_cmd_errors(void)
{
	const char *a1[] = {"bogus"};
	const char *a2[] = {"peer", PUB1, "listen-port", "5"};
	const char *a3[] = {"listen-port"};
	const char *a4[] = {"peer", PUB1, "allowed-ips", "10.0.0.0/8,,fd00::/64"};
	const char *a5[] = {"peer", PUB1, "endpoint", "[fd00::1"};
	const char *a6[] = {"fwmark", "-1"};
	const char *a7[] = {"peer", "abc"};
	const char *a8[] = {"remove"};
	const char *a9[] = {"peer", PUB1, "persistent-keepalive", "65536"};
	const char *a10[] = {"peer", PUB1, "allowed-ips", "10.0.0.0/40"};

	check_cmd_error(a1, 1, "Invalid argument: bogus");
	check_cmd_error(a2, 4, "Invalid argument: listen-port");
	check_cmd_error(a3, 1, "Invalid argument: listen-port");
	check_cmd_error(a4, 4, "Unable to parse IP address: `'");
	check_cmd_error(a5, 4, "Unable to find matching brace of endpoint: `[fd00::1'");
	check_cmd_error(a6, 2, "Fwmark is neither 0/off nor 0-0xffffffff: `-1'");
	check_cmd_error(a7, 2, "Key is not the correct length or format: `abc'");
	check_cmd_error(a8, 1, "Invalid argument: remove");
	check_cmd_error(a9, 4,
			"Persistent keepalive interval is neither 0/off nor 1-65535: `65536'");
	check_cmd_error(a10, 4, "AllowedIP is not in the correct format: `10.0.0.0/40'");
}

static void check_cmd_device(const struct wgdevice *dev)
{
	uint8_t key[WG_KEY_LEN];

	is_int(dev->flags,
	       WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK | WGDEVICE_HAS_PRIVATE_KEY,
	       "set: device flags (set never replaces peers)");
	is_int(dev->listen_port, 0, "set: listen-port 0");
	is_int(dev->fwmark, 0, "set: fwmark off");
	key_from_base64(key, PRIV);
	ok(key_eq(dev->private_key, key), "set: private-key read from a file");
}

static void check_cmd_peers(const struct wgdevice *dev)
{
	const struct wgpeer *p = dev->first_peer;
	const struct wgallowedip *aip;

	is_int(p->flags,
	       WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_PRESHARED_KEY |
		   WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL | WGPEER_REPLACE_ALLOWEDIPS,
	       "set: peer 1 flags");
	ok(key_is_zero(p->preshared_key), "set: preshared-key /dev/null is the zero key");
	is_int(count_aips(p), 2, "set: whitespace in the list is ignored");
	p = p->next_peer;
	is_int(p->flags, WGPEER_HAS_PUBLIC_KEY | WGPEER_REMOVE_ME, "set: remove");
	p = p->next_peer;
	is_int(p->flags, WGPEER_HAS_PUBLIC_KEY | WGPEER_REPLACE_ALLOWEDIPS,
	       "set: empty list replaces");
	is_int(count_aips(p), 0, "set: empty list has no entries");
	p = p->next_peer;
	is_int(p->flags, WGPEER_HAS_PUBLIC_KEY, "set: a signed list does not replace");
	aip = p->first_allowedip;
	ok(aip && aip->flags == 0 && aip->cidr == 16, "set: +10.1.0.0/16 adds");
	aip = aip ? aip->next_allowedip : NULL;
	ok(aip && aip->flags == WGALLOWEDIP_REMOVE_ME && aip->family == AF_INET6,
	   "set: -fd00::/64 removes");
	aip = aip ? aip->next_allowedip : NULL;
	ok(aip && aip->flags == 0 && !aip->next_allowedip,
	   "set: unsigned entry in a signed list adds");
}

static void test_cmd_good(void)
{
	char keyfile[256];
	const char *err;
	struct wgdevice *dev;
	const char *argv[] = {"listen-port",
			      "0",
			      "fwmark",
			      "off",
			      "private-key",
			      keyfile,
			      "peer",
			      PUB1,
			      "preshared-key",
			      "/dev/null",
			      "endpoint",
			      "1.2.3.4:5",
			      "persistent-keepalive",
			      "off",
			      "allowed-ips",
			      " 10.0.0.0/8 , fd00::/64 ",
			      "peer",
			      PUB2,
			      "remove",
			      "peer",
			      PUB1,
			      "allowed-ips",
			      "",
			      "peer",
			      PUB2,
			      "allowed-ips",
			      "+10.1.0.0/16,-fd00::/64,10.2.0.0/16"};

	snprintf(keyfile, sizeof(keyfile), "%s", write_file("priv", PRIV "\n"));
	dev = run_cmd(argv, sizeof(argv) / sizeof(argv[0]), &err);
	if (!ok(dev != NULL, "set: full argument list parses"))
		diag(err);
	if (!dev)
		return;
	check_cmd_device(dev);
	check_cmd_peers(dev);
	model_device_free(dev);
	dev = run_cmd(argv, 0, &err);
	ok(dev && !dev->flags && !dev->first_peer, "set with no arguments changes nothing");
	model_device_free(dev);
}

static void check_keyfile(const char *text, bool want_ok, const char *want_err, bool ref_same)
{
	const char *path = write_file("key", text);
	const char *argv[] = {"private-key", path};
	uint8_t key[WG_KEY_LEN];
	char line[512];
	bool got;

	memset(key, 0xaa, sizeof(key));
	capture_begin();
	got = config_read_keyfile(key, path);
	snprintf(line, sizeof(line), "%s", capture_end());
	ok(got == want_ok, "key file %zu bytes: %s", strlen(text),
	   want_ok ? "accepted" : "rejected");
	is_str(line, want_err, "key file message");
	if (ref_same && has_ref())
		is_str(ref_set_error(argv, 2), want_err, "key file: " REF_WG " says the same");
}

static void test_keyfiles(void)
{
	uint8_t key[WG_KEY_LEN];

	check_keyfile(PRIV "\n", true, "", false);
	check_keyfile(PRIV "\n\n  \t\n", true, "", false);
	check_keyfile("", true, "", false);
	ok(config_read_keyfile(key, "/dev/null") && key_is_zero(key), "/dev/null is the zero key");
	check_keyfile("abc\n", false, "Invalid length key in key file\n", true);
	check_keyfile(PRIV "x\n", false, "Found trailing character in key file: `x'\n", true);
	check_keyfile("  " PRIV, false, "Found trailing character in key file: `s'\n", true);
	check_keyfile("EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mH!=", false,
		      "Key is not the correct length or format in key file\n", false);
	capture_begin();
	ok(!config_read_keyfile(key, "/nonexistent/key"), "missing key file rejected");
	is_str(capture_end(), "fopen: No such file or directory\n", "missing key file message");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_good_file();
	test_bad_files();
	test_missing_file();
	test_stdin();
	test_cmd_errors();
	test_cmd_good();
	test_keyfiles();
	snprintf(errbuf, sizeof(errbuf), "rm -rf '%s'", tmpdir);
	if (system(errbuf))
		diag("could not remove the temporary folder");
	return tap_done();
}

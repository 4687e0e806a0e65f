// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/uapi: both directions round-trip through the model; a
 * set is byte-identical to what Debian's wg sends over the socket; a get
 * reply from Debian's wireguard-go reads and writes back byte for byte; and
 * malformed requests fail cleanly without losing step with the stream.
 */
#include "../lib/tap.h"
#include "uapi.h"
#include "config.h"
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sodium.h>

#define REF_WG "/usr/bin/wg"
#define REF_WGGO "/usr/bin/wireguard-go"
#define SOCK_DIR "/var/run/wireguard"
#define PUB1 "EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk="
#define PUB2 "hwX5nTqyGMTVeQGS3rWfsmuJ7Mu4F+95lxY14bDTKxU="
#define PRIV "YBsmHbvmyX0mw8Zyq/mmbdDvkLnFcOTCaYKW9SdGxXs="

static char tmpdir[] = "/tmp/wgkit-uapi-XXXXXX";

static void skip(const char *why)
{
	printf("ok %d # skip %s\n", ++tap_count, why);
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

/* Runs a writer into a fresh string (caller frees). */
static char *write_to_string(int (*fn)(FILE *, const struct wgdevice *), const struct wgdevice *dev,
			     int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	*ret = fn(f, dev);
	fclose(f);
	return buf;
}

static int read_set_from(const char *text, size_t len, struct wgdevice **dev, char *rest,
			 size_t restlen)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int ret;

	if (!f)
		return -ENOMEM;
	ret = uapi_read_set(f, dev);
	if (rest && !fgets(rest, (int)restlen, f))
		rest[0] = '\0';
	fclose(f);
	return ret;
}

static int read_get_from(const char *text, struct wgdevice *dev)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -ENOMEM;
	ret = uapi_read_get(f, dev);
	fclose(f);
	return ret;
}

static bool same_aips(const struct wgpeer *a, const struct wgpeer *b)
{
	const struct wgallowedip *x = a->first_allowedip, *y = b->first_allowedip;

	for (; x && y; x = x->next_allowedip, y = y->next_allowedip) {
		size_t len = x->family == AF_INET ? 4 : 16;

		if (x->family != y->family || x->cidr != y->cidr || x->flags != y->flags ||
		    memcmp(&x->ip6, &y->ip6, len))
			return false;
	}
	return !x && !y;
}

static bool same_endpoint(const union wgendpoint *a, const union wgendpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return !memcmp(&a->addr4, &b->addr4, sizeof(a->addr4));
	if (a->addr.sa_family == AF_INET6)
		return !memcmp(&a->addr6, &b->addr6, sizeof(a->addr6));
	return true;
}

/* flags_mask: which peer flags must agree (a get reply does not carry them all). */
static bool same_peer(const struct wgpeer *a, const struct wgpeer *b, uint32_t flags_mask)
{
	return (a->flags & flags_mask) == (b->flags & flags_mask) &&
	       key_eq(a->public_key, b->public_key) && key_eq(a->preshared_key, b->preshared_key) &&
	       same_endpoint(&a->endpoint, &b->endpoint) &&
	       a->persistent_keepalive_interval == b->persistent_keepalive_interval &&
	       a->rx_bytes == b->rx_bytes && a->tx_bytes == b->tx_bytes &&
	       a->last_handshake_time.tv_sec == b->last_handshake_time.tv_sec &&
	       a->last_handshake_time.tv_nsec == b->last_handshake_time.tv_nsec && same_aips(a, b);
}

static bool same_device(const struct wgdevice *a, const struct wgdevice *b, uint32_t dev_mask,
			uint32_t peer_mask)
{
	const struct wgpeer *x = a->first_peer, *y = b->first_peer;

	if ((a->flags & dev_mask) != (b->flags & dev_mask) ||
	    !key_eq(a->private_key, b->private_key) || a->listen_port != b->listen_port ||
	    a->fwmark != b->fwmark)
		return false;
	for (; x && y; x = x->next_peer, y = y->next_peer) {
		if (!same_peer(x, y, peer_mask))
			return false;
	}
	return !x && !y;
}

static size_t count_peers(const struct wgdevice *d)
{
	const struct wgpeer *p;
	size_t n = 0;

	for (p = d->first_peer; p; p = p->next_peer)
		++n;
	return n;
}

/*
 * As same_device for the configuration, but the peers may come in any order:
 * wireguard-go lists them from a Go map, whose iteration order is random.
 */
static bool same_device_any_order(const struct wgdevice *a, const struct wgdevice *b,
				  uint32_t peer_mask)
{
	const struct wgpeer *x, *y;

	if (!key_eq(a->private_key, b->private_key) || a->listen_port != b->listen_port ||
	    a->fwmark != b->fwmark || count_peers(a) != count_peers(b))
		return false;
	for (x = a->first_peer; x; x = x->next_peer) {
		for (y = b->first_peer; y && !key_eq(x->public_key, y->public_key);
		     y = y->next_peer)
			;
		if (!y || !same_peer(x, y, peer_mask))
			return false;
	}
	return true;
}

/* write_set, then read_set of the body: the same model comes back. */
static void check_set_roundtrip(const struct wgdevice *dev, const char *what)
{
	struct wgdevice *back = NULL;
	int wret = -1, rret;
	char *text = write_to_string(uapi_write_set, dev, &wret);

	ok(wret == 0 && text && !strncmp(text, "set=1\n", 6), "%s: write_set", what);
	if (!text)
		return;
	rret = read_set_from(text + 6, strlen(text + 6), &back, NULL, 0);
	is_int(rret, 0, "%s: read_set takes it", what);
	ok(back && same_device(dev, back, ~0U, ~0U), "%s: same model after set round trip", what);
	model_device_free(back);
	free(text);
}

static struct wgdevice *cmd_model(const char **argv, int argc)
{
	return config_read_cmd(argv, argc);
}

static __attribute__((noinline)) void test_set_roundtrips(void)
{
	char priv[256], psk[256];
	const char *argv[] = {"listen-port",
			      "51820",
			      "fwmark",
			      "0x42",
			      "private-key",
			      priv,
			      "peer",
			      PUB1,
			      "preshared-key",
			      psk,
			      "endpoint",
			      "[fd00::1]:5",
			      "persistent-keepalive",
			      "25",
			      "allowed-ips",
			      "10.0.0.0/8,fd00::/64,192.168.1.1",
			      "peer",
			      PUB2,
			      "remove"};
	const char *inc[] = {
	    "peer", PUB1, "endpoint",	 "1.2.3.4:9", "allowed-ips", "+10.1.0.0/16,-fd00::/64",
	    "peer", PUB2, "allowed-ips", ""};
	struct wgdevice *dev;

	snprintf(priv, sizeof(priv), "%s", write_file("priv", PRIV "\n"));
	snprintf(psk, sizeof(psk), "%s", write_file("psk", PUB2 "\n"));
	dev = cmd_model(argv, sizeof(argv) / sizeof(argv[0]));
	check_set_roundtrip(dev, "wg set, full");
	model_device_free(dev);
	dev = cmd_model(inc, sizeof(inc) / sizeof(inc[0]));
	check_set_roundtrip(dev, "wg set, incremental allowed IPs");
	model_device_free(dev);
	dev = config_read_file(write_file("rt.conf", "[Interface]\nPrivateKey=" PRIV
						     "\nListenPort=0\n[Peer]\nPublicKey=" PUB1
						     "\nAllowedIPs=0.0.0.0/0,::/0\n"),
			       false);
	check_set_roundtrip(dev, "setconf file");
	model_device_free(dev);
	dev = model_device_new();
	check_set_roundtrip(dev, "empty change");
	model_device_free(dev);
}

static struct wgdevice *stats_model(void)
{
	const char *argv[] = {"listen-port",
			      "51820",
			      "fwmark",
			      "7",
			      "peer",
			      PUB1,
			      "endpoint",
			      "[fe80::1%lo]:5",
			      "persistent-keepalive",
			      "25",
			      "allowed-ips",
			      "10.0.0.0/8,fd00::/64",
			      "peer",
			      PUB2,
			      "endpoint",
			      "1.2.3.4:9"};
	struct wgdevice *dev = config_read_cmd(argv, sizeof(argv) / sizeof(argv[0]));

	if (!dev)
		return NULL;
	key_from_base64(dev->private_key, PRIV);
	dev->first_peer->rx_bytes = 123456789012ULL;
	dev->first_peer->tx_bytes = 42;
	dev->first_peer->last_handshake_time.tv_sec = 1700000000;
	dev->first_peer->last_handshake_time.tv_nsec = 999999999;
	dev->n_drops = 2;
	snprintf(dev->drops[0].name, sizeof(dev->drops[0].name), "rx_bad_type");
	dev->drops[0].count = 7;
	snprintf(dev->drops[1].name, sizeof(dev->drops[1].name), "tx_no_peer");
	dev->drops[1].count = UINT64_MAX;
	return dev;
}

static __attribute__((noinline)) void test_get_roundtrip(void)
{
	struct wgdevice *dev = stats_model(), *back = model_device_new();
	char *text, *again, *reply;
	int wret = -1, rret;

	text = write_to_string(uapi_write_get, dev, &wret);
	is_int(wret, 0, "write_get");
	reply = malloc(strlen(text) + 16);
	sprintf(reply, "%serrno=0\n\n", text);
	rret = read_get_from(reply, back);
	is_int(rret, 0, "read_get takes its own output");
	ok(same_device(dev, back, 0, WGPEER_HAS_PUBLIC_KEY), "same model after get round trip");
	ok(back->flags & WGDEVICE_HAS_PUBLIC_KEY, "read_get derives the public key");
	again = write_to_string(uapi_write_get, back, &wret);
	is_str(again, text, "write_get of what read_get read is byte-identical");
	ok(strstr(text, "endpoint=[fe80::1%lo]:5\n") != NULL,
	   "link-local endpoint keeps its scope");
	ok(strstr(text, "preshared_key=0000") != NULL, "a missing PSK is written as zeros");
	ok(strstr(text, "fwmark=7\ndrop_rx_bad_type=7\ndrop_tx_no_peer=18446744073709551615\n"
			"public_key=") != NULL,
	   "the engine's drop counters go between the device's keys and the peers");
	ok(back->n_drops == 2 && !strcmp(back->drops[1].name, "tx_no_peer") &&
	       back->drops[1].count == UINT64_MAX && back->drops[0].count == 7,
	   "and read_get reads them back");
	free(again);
	free(reply);
	free(text);
	model_device_free(dev);
	model_device_free(back);
}

#define HEX1 "107d70c40bc03433e876e2a3efea573396318ad5d466e088c72902a217f89879"

static const struct {
	const char *body;
	int want;
	const char *why;
} bad_sets[] = {
    {"noequals\n\n", -EPROTO, "a line without '='"},
    {"bogus=1\n\n", -EINVAL, "an unknown device key"},
    {"private_key=abc\n\n", -EINVAL, "a short key"},
    {"private_key=" HEX1 "0\n\n", -EINVAL, "a long key"},
    {"private_key=" HEX1 "\nprivate_key=zz7d70c40bc03433e876e2a3efea573396318ad5d466e088c72902a2"
     "17f89879\n\n",
     -EINVAL, "a key with non-hex digits"},
    {"listen_port=70000\n\n", -EINVAL, "listen_port out of range"},
    {"listen_port=-1\n\n", -EINVAL, "negative listen_port"},
    {"fwmark=0x10\n\n", -EINVAL, "hex fwmark (UAPI is decimal)"},
    {"replace_peers=false\n\n", -EINVAL, "replace_peers=false"},
    {"remove=true\n\n", -EINVAL, "a peer key before public_key"},
    {"public_key=" HEX1 "\nlisten_port=1\n\n", -EINVAL, "a device key after a peer"},
    {"public_key=" HEX1 "\nallowed_ip=10.0.0.0/33\n\n", -EINVAL, "allowed_ip /33"},
    {"public_key=" HEX1 "\nallowed_ip=+10.0.0.0/8\n\n", -EINVAL, "allowed_ip with '+'"},
    {"public_key=" HEX1 "\nendpoint=localhost:5\n\n", -EINVAL, "a host name endpoint"},
    {"public_key=" HEX1 "\nendpoint=1.2.3.4\n\n", -EINVAL, "an endpoint without port"},
    {"public_key=" HEX1 "\nprotocol_version=2\n\n", -EINVAL, "protocol_version=2"},
    {"public_key=" HEX1 "\npersistent_keepalive_interval=65536\n\n", -EINVAL,
     "keepalive out of range"},
    {"public_key=" HEX1 "\nupdate_only=1\n\n", -EINVAL, "update_only=1"},
    {"public_key=" HEX1 "\nreplace_allowed_ips=yes\n\n", -EINVAL, "replace_allowed_ips=yes"},
    {"listen_port=1\n", -EPROTO, "end of input before the blank line"},
    {"", -EPROTO, "no input at all"},
};

static __attribute__((noinline)) void test_bad_sets(void)
{
	struct wgdevice *dev = (struct wgdevice *)1;
	char text[1024], rest[64];
	size_t i;

	for (i = 0; i < sizeof(bad_sets) / sizeof(bad_sets[0]); ++i) {
		int n = snprintf(text, sizeof(text), "%sget=1\n", bad_sets[i].body);
		bool at_eof = strstr(bad_sets[i].body, "\n\n") == NULL;
		int ret = read_set_from(text, at_eof ? strlen(bad_sets[i].body) : (size_t)n, &dev,
					rest, sizeof(rest));

		is_int(ret, bad_sets[i].want, "read_set rejects %s", bad_sets[i].why);
		ok(dev == NULL, "no model for %s", bad_sets[i].why);
		if (!at_eof)
			is_str(rest, "get=1\n", "the next request is intact after %s",
			       bad_sets[i].why);
	}
}

static __attribute__((noinline)) void test_odd_sets(void)
{
	struct wgdevice *dev = NULL;
	char big[2048], rest[64];
	int ret;

	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - 12, "\n\nget=1\n", 8);
	ret = read_set_from(big, sizeof(big) - 4, &dev, rest, sizeof(rest));
	is_int(ret, -EPROTO, "an overlong line is a protocol error");
	is_str(rest, "get=1\n", "and the stream stays in step");
	ret = read_set_from("private_key=\0abc\n\n", 18, &dev, NULL, 0);
	is_int(ret, -EPROTO, "a NUL inside a line is a protocol error");
	ret = read_set_from("public_key=" HEX1 "\nallowed_ip=-10.0.0.0/8\nupdate_only=true\n"
			    "remove=true\nreplace_allowed_ips=true\nprotocol_version=1\n\n",
			    strlen("public_key=" HEX1 "\nallowed_ip=-10.0.0.0/8\nupdate_only=true\n"
				   "remove=true\nreplace_allowed_ips=true\nprotocol_version=1\n\n"),
			    &dev, NULL, 0);
	is_int(ret, 0, "every peer key parses");
	ok(dev && dev->first_peer->first_allowedip->flags == WGALLOWEDIP_REMOVE_ME,
	   "allowed_ip=-PREFIX asks for removal");
	ok(dev && (dev->first_peer->flags & WGPEER_UPDATE_ONLY) &&
	       (dev->first_peer->flags & WGPEER_REMOVE_ME),
	   "update_only and remove are flags");
	model_device_free(dev);
}

/* Lines of 511 characters are the longest read; CRLF and a missing last newline. */
static void test_line_limits(struct wgdevice *dev)
{
	char text[600];

	memset(text, 'a', sizeof(text));
	memcpy(text, "x_newer=", 8);
	strcpy(text + 511, "\nerrno=0\n\n");
	is_int(read_get_from(text, dev), 0, "a 511-character line is read (and skipped)");
	memset(text, 'a', sizeof(text));
	memcpy(text, "x_newer=", 8);
	strcpy(text + 512, "\nerrno=0\n\n");
	is_int(read_get_from(text, dev), -EPROTO, "a 512-character line is too long");
	is_int(read_get_from("errno=-22\r\n\r\n", dev), -EINVAL, "CRLF line ends are taken");
	is_int(read_get_from("errno=0\n", dev), -EPROTO, "EOF before the blank line");
	is_int(read_get_from("errno=0", dev), -EPROTO, "EOF inside the last line");
	is_int(read_get_from("", dev), -EPROTO, "an empty reply");
}

static __attribute__((noinline)) void test_bad_gets(void)
{
	struct wgdevice *dev = model_device_new();

	is_int(read_get_from("errno=-22\n\n", dev), -EINVAL, "errno=-22 is -EINVAL");
	is_int(read_get_from("errno=0\n\n", dev), 0, "errno=0 is success");
	is_int(read_get_from("listen_port=5\n\n", dev), -EPROTO, "a reply without errno");
	is_int(read_get_from("garbage\nerrno=0\n\n", dev), -EPROTO, "a line without '='");
	is_int(read_get_from("errno=x\n\n", dev), -EPROTO, "a bad errno");
	test_line_limits(dev);
	is_int(read_get_from("listen_port=99999\nerrno=0\n\n", dev), -EPROTO, "a bad port");
	is_int(
	    read_get_from("future_key=1\npublic_key=" HEX1 "\nfuture_peer_key=2\nerrno=0\n\n", dev),
	    0, "unknown keys from newer servers are skipped");
	ok(dev->first_peer && !dev->first_peer->next_peer, "and the peer is read");
	is_int(read_get_from("public_key=" HEX1 "\nrx_bytes=-1\nerrno=0\n\n", dev), -EPROTO,
	       "negative counters");
	is_int(read_get_from("listen_port=5\n", dev), -EPROTO, "a reply cut short");
	model_device_free(dev);
}

/* Many random and mutated requests: read_set must never crash or leak. */
static __attribute__((noinline)) void test_fuzz_read_set(void)
{
	static const char seed[] = "private_key=" HEX1 "\nlisten_port=5\nreplace_peers=true\n"
				   "public_key=" HEX1 "\nendpoint=[fd00::1]:5\n"
				   "allowed_ip=10.0.0.0/8\npersistent_keepalive_interval=5\n\n";
	char buf[sizeof(seed)];
	struct wgdevice *dev;
	int i, j, accepted = 0;

	for (i = 0; i < 3000; ++i) {
		memcpy(buf, seed, sizeof(seed));
		for (j = 0; j < 1 + i % 4; ++j)
			buf[randombytes_uniform(sizeof(seed) - 1)] = (char)randombytes_uniform(256);
		if (read_set_from(buf, sizeof(seed) - 1, &dev, NULL, 0) == 0)
			++accepted;
		model_device_free(dev);
	}
	ok(1, "3000 mutated requests, no crash (%d accepted)", accepted);
	is_int(read_set_from(seed, sizeof(seed) - 1, &dev, NULL, 0), 0, "the seed itself parses");
	model_device_free(dev);
}

/* Reads one request from a client, answers errno=0; returns it (caller frees). */
static char *serve_one(int fd)
{
	char *req = NULL, line[1024];
	size_t len = 0;
	FILE *io = fdopen(fd, "r+");
	FILE *out = open_memstream(&req, &len);

	while (io && out && fgets(line, sizeof(line), io)) {
		fputs(line, out);
		if (!strcmp(line, "\n"))
			break;
	}
	if (io) {
		fputs("errno=0\n\n", io);
		fclose(io);
	} else {
		close(fd);
	}
	if (out)
		fclose(out);
	return req;
}

static int listen_at(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	mkdir(SOCK_DIR, 0755);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 4)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Serves connections until the child exits; keeps the last "set=1" request. */
static __attribute__((noinline)) char *serve_until_exit(int lfd, pid_t pid)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	char *set = NULL, *req;
	int status, rounds;

	for (rounds = 0; rounds < 2000; ++rounds) {
		if (poll(&pfd, 1, 5) > 0) {
			req = serve_one(accept(lfd, NULL, NULL));
			if (req && !strncmp(req, "set=1\n", 6)) {
				free(set);
				set = req;
			} else {
				free(req);
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return set;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return set;
}

static char wg_stderr[256] = "/dev/null";

/* What Debian's wg writes to the UAPI socket; its stderr goes to wg_stderr. */
static __attribute__((noinline)) char *capture_wg(const char *const argv[])
{
	char iface[IFNAMSIZ], path[108];
	const char *args[32];
	char *set = NULL;
	int lfd, i;
	pid_t pid;

	snprintf(iface, sizeof(iface), "lcu%d", (int)getpid() % 100000);
	snprintf(path, sizeof(path), SOCK_DIR "/%s.sock", iface);
	for (i = 0; argv[i] && i < 31; ++i)
		args[i] = strcmp(argv[i], "%s") ? argv[i] : iface;
	args[i] = NULL;
	lfd = listen_at(path);
	if (lfd < 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		int err = open(wg_stderr, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(null, 1);
		dup2(err >= 0 ? err : null, 2);
		execv(REF_WG, (char *const *)args);
		_exit(127);
	}
	if (pid > 0)
		set = serve_until_exit(lfd, pid);
	close(lfd);
	unlink(path);
	return set;
}

static void compare_with_wg(const char *const ref_argv[], struct wgdevice *ours, const char *what)
{
	char *want = capture_wg(ref_argv), *got;
	int ret = -1;

	got = ours ? write_to_string(uapi_write_set, ours, &ret) : NULL;
	if (!ok(want != NULL, "%s: captured what " REF_WG " sends", what))
		return free(got);
	ok(ret == 0 && got, "%s: we write a set", what);
	is_str(got, want, "%s: byte-identical to " REF_WG, what);
	free(want);
	free(got);
	model_device_free(ours);
}

static __attribute__((noinline)) void test_against_wg(void)
{
	char priv[256], psk[256], conf[256];
	const char *args[] = {"listen-port",
			      "51999",
			      "fwmark",
			      "0x42",
			      "private-key",
			      priv,
			      "peer",
			      PUB1,
			      "preshared-key",
			      psk,
			      "endpoint",
			      "[fe80::1%lo]:5",
			      "persistent-keepalive",
			      "25",
			      "allowed-ips",
			      "10.0.0.0/8, fd00::/64,10.1.2.3",
			      "peer",
			      PUB2,
			      "remove",
			      "peer",
			      PUB2,
			      "allowed-ips",
			      ""};
	const char *set_argv[32] = {"wg", "set", "%s"};
	const char *setconf_argv[] = {"wg", "setconf", "%s", conf, NULL};
	const char *addconf_argv[] = {"wg", "addconf", "%s", conf, NULL};
	size_t n = sizeof(args) / sizeof(args[0]);

	if (access(REF_WG, X_OK) || geteuid() != 0)
		return skip(REF_WG " missing or not root: no socket to capture on");
	snprintf(priv, sizeof(priv), "%s", write_file("priv", PRIV "\n"));
	snprintf(psk, sizeof(psk), "%s", write_file("psk", PUB2 "\n"));
	snprintf(conf, sizeof(conf), "%s",
		 write_file("ref.conf", "[Interface]\nPrivateKey=" PRIV "\nListenPort=0\n"
					"FwMark=off\n[Peer]\nPublicKey=" PUB1 "\nPresharedKey=" PUB2
					"\nEndpoint=1.2.3.4:51820\nAllowedIPs=0.0.0.0/0,::/0\n"
					"PersistentKeepalive=off\n[Peer]\nPublicKey=" PUB2 "\n"));
	memcpy(set_argv + 3, args, n * sizeof(args[0]));
	compare_with_wg(set_argv, config_read_cmd(args, (int)n), "wg set");
	compare_with_wg(setconf_argv, config_read_file(conf, false), "wg setconf");
	compare_with_wg(addconf_argv, config_read_file(conf, true), "wg addconf");
}

/* Lines a differential case draws from: good or odd, and (rarer) bad. */
static const char *const iface_lines[] = {
    "PrivateKey = " PRIV,
    "privatekey=" PUB1,
    "Private Key=" PUB1 "#c",
    "ListenPort = 51820",
    "ListenPort=0",
    "ListenPort=domain",
    "FwMark = 0x42",
    "FwMark=off",
    "# comment",
    "",
};

static const char *const peer_lines[] = {
    "PresharedKey=" PUB2,
    "AllowedIPs = 10.0.0.0/8, fd00::/64",
    "AllowedIPs=192.168.7.7",
    "AllowedIPs=::/0,0.0.0.0/0",
    "Endpoint = [fd00::1]:51820",
    "Endpoint=1.2.3.4:5",
    "Endpoint=[fe80::1%lo]:7",
    "PersistentKeepalive = 25",
    "PersistentKeepalive=off",
    "PublicKey = " PUB2,
    "",
};

static const char *const bad_lines[] = {
    "[peer]x",
    "PrivateKey=" PUB1 "B",
    "ListenPort=foo",
    "ListenPort==5",
    "FwMark=0x",
    "PresharedKey=abc",
    "AllowedIPs=10.0.0.0/33",
    "AllowedIPs=10.0.0.0/8,",
    "Endpoint=1.2.3.4",
    "PersistentKeepalive=65536",
    "Bogus=1",
    "[Peer]",
};

/* A small deterministic generator, so a failing case can be replayed. */
static unsigned int next_rand(unsigned int *state)
{
	*state = *state * 1103515245U + 12345U;
	return (*state >> 16) & 0x7fff;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Appends n lines drawn from pool (one in 30 from the bad ones instead). */
static size_t add_lines(char *buf, size_t n, size_t len, const char *const *pool, size_t size,
			unsigned int count, unsigned int *state)
{
	unsigned int i, r;

	for (i = 0; i < count && n < len; ++i) {
		r = next_rand(state);
		n += (size_t)snprintf(buf + n, len - n, "%s\n",
				      r % 30 ? pool[r % size] : bad_lines[r % COUNT(bad_lines)]);
	}
	return n;
}

static void make_case(char *buf, size_t len, unsigned int *state)
{
	unsigned int peers = next_rand(state) % 4, i;
	size_t n = (size_t)snprintf(buf, len, "%s\n",
				    next_rand(state) % 2 ? "[Interface]" : "[ interface ]");

	n = add_lines(buf, n, len, iface_lines, COUNT(iface_lines), next_rand(state) % 5, state);
	for (i = 0; i < peers && n < len; ++i) {
		n += (size_t)snprintf(buf + n, len - n, "[Peer]\nPublicKey=%s\n",
				      i % 2 ? PUB2 : PUB1);
		n = add_lines(buf, n, len, peer_lines, COUNT(peer_lines), next_rand(state) % 6,
			      state);
	}
}

/* The first line of a file, without its newline, into buf. */
static __attribute__((noinline)) const char *first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Refused by both: our first line, after "path:N: ", must be wg's. */
static __attribute__((noinline)) bool same_refusal(const char *ours_path, const char *conf)
{
	char ours[512], theirs[512];
	const char *msg;
	size_t plen = strlen(conf);

	first_line(ours_path, ours, sizeof(ours));
	first_line(wg_stderr, theirs, sizeof(theirs));
	if (strncmp(ours, conf, plen) || ours[plen] != ':')
		return false;
	msg = strstr(ours + plen + 1, ": ");
	return msg && !strcmp(msg + 2, theirs);
}

static bool differ(const char *want, const char *got, const char *ours_err, const char *conf)
{
	if (want && got)
		return strcmp(want, got) != 0;
	if (want || got)
		return true;
	return !same_refusal(ours_err, conf);
}

/* Same file to Debian's wg setconf and to us: the same set, or the same refusal. */
static __attribute__((noinline)) void test_differential(void)
{
	char text[1024], path[256], ours_err[256], *want, *got;
	const char *argv[] = {"wg", "setconf", "%s", path, NULL};
	unsigned int state = 20210914, i, same = 0, refused = 0, cases = 50;
	struct wgdevice *dev;
	int ret = 0;

	if (access(REF_WG, X_OK) || geteuid() != 0)
		return skip(REF_WG " missing or not root: no socket to capture on");
	snprintf(wg_stderr, sizeof(wg_stderr), "%s/wg.err", tmpdir);
	snprintf(ours_err, sizeof(ours_err), "%s/our.err", tmpdir);
	for (i = 0; i < cases; ++i) {
		make_case(text, sizeof(text), &state);
		snprintf(path, sizeof(path), "%s", write_file("diff.conf", text));
		want = capture_wg(argv);
		if (!freopen(ours_err, "w", stderr))
			break;
		dev = config_read_file(path, false);
		fflush(stderr);
		got = dev ? write_to_string(uapi_write_set, dev, &ret) : NULL;
		if (!differ(want, got, ours_err, path))
			++same;
		else
			printf("# differs on:\n%s# wg: %s\n# us: %s\n", text,
			       want ? want : "(refused)", got ? got : "(refused)");
		refused += !want;
		free(want);
		free(got);
		model_device_free(dev);
	}
	is_int(same, cases,
	       "%u generated files: same set as " REF_WG " setconf, or same refusal (%u)", cases,
	       refused);
}

static const char *const set_device_args[][2] = {
    {"listen-port", "51820"}, {"listen-port", "0"},   {"listen-port", "domain"},
    {"fwmark", "0x42"},	      {"fwmark", "off"},      {"fwmark", "1234"},
    {"private-key", NULL},    {"listen-port", "x y"}, {"fwmark", "0xg"},
};

static const char *const set_peer_args[][2] = {
    {"remove", NULL},
    {"endpoint", "1.2.3.4:51820"},
    {"endpoint", "[fd00::1]:5"},
    {"endpoint", "[fe80::1%lo]:9"},
    {"endpoint", "[fd00::1"},
    {"persistent-keepalive", "25"},
    {"persistent-keepalive", "off"},
    {"persistent-keepalive", "99999"},
    {"allowed-ips", "10.0.0.0/8, fd00::/64"},
    {"allowed-ips", ""},
    {"allowed-ips", "1.2.3.4,::/0"},
    {"allowed-ips", "10.0.0.0/99"},
    {"preshared-key", NULL},
    {"bogus", NULL},
};

/* Appends one option pair (or a lone keyword) to argv; the file is the key file. */
static int add_arg(const char **argv, int n, const char *const opt[2], const char *file)
{
	argv[n++] = opt[0];
	if (opt[1] || !strcmp(opt[0], "private-key") || !strcmp(opt[0], "preshared-key"))
		argv[n++] = opt[1] ? opt[1] : file;
	return n;
}

static int make_set_case(const char **argv, const char *file, unsigned int *state)
{
	int n = 3, peers = (int)(next_rand(state) % 3), i, j, k;

	for (i = (int)(next_rand(state) % 3); i > 0; --i)
		n = add_arg(argv, n, set_device_args[next_rand(state) % COUNT(set_device_args)],
			    file);
	for (i = 0; i < peers; ++i) {
		argv[n++] = "peer";
		argv[n++] = i % 2 ? PUB2 : PUB1;
		for (j = (int)(next_rand(state) % 3); j > 0; --j) {
			k = (int)(next_rand(state) % COUNT(set_peer_args));
			n = add_arg(argv, n, set_peer_args[k], file);
		}
	}
	argv[n] = NULL;
	return n;
}

static void print_args(const char **argv, int argc)
{
	int i;

	printf("# differs on:");
	for (i = 3; i < argc; ++i)
		printf(" '%s'", argv[i]);
	printf("\n");
}

static const char conf_seed[] = "[Interface]\nPrivateKey = " PRIV "\nListenPort = 51820\n"
				"FwMark = 0x42\n\n[Peer]\nPublicKey = " PUB1 "\n"
				"PresharedKey = " PUB2 "\nAllowedIPs = 10.0.0.0/8, fd00::/64\n"
				"Endpoint = [fd00::1]:51820\nPersistentKeepalive = 25\n";

static void mutate(char *buf, unsigned int *state);

/* Our one deliberate refusal: wg takes port 65536 + n as n (getaddrinfo wraps it). */
static bool is_port_range_refusal(const char *err_path)
{
	char line[512];

	return strstr(first_line(err_path, line, sizeof(line)), "not in the range 0-65535") != NULL;
}

/* Mutated files: wg setconf and we send the same set, or refuse alike. */
static __attribute__((noinline)) void test_conf_mutations(void)
{
	char text[sizeof(conf_seed) + 16], path[256], ours_err[256], *want, *got;
	const char *argv[] = {"wg", "setconf", "%s", path, NULL};
	unsigned int state = 5, i, n = 80, same = 0, shown = 0, wrapped = 0;
	struct wgdevice *dev;
	int ret = 0;

	if (access(REF_WG, X_OK) || geteuid() != 0)
		return skip(REF_WG " missing or not root: no socket to capture on");
	snprintf(ours_err, sizeof(ours_err), "%s/our.err", tmpdir);
	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	for (i = 0; i < n; ++i) {
		memcpy(text, conf_seed, sizeof(conf_seed));
		mutate(text, &state);
		snprintf(path, sizeof(path), "%s", write_file("mut.conf", text));
		want = capture_wg(argv);
		if (!freopen(ours_err, "w", stderr))
			break;
		dev = config_read_file(path, false);
		fflush(stderr);
		got = dev ? write_to_string(uapi_write_set, dev, &ret) : NULL;
		if (!differ(want, got, ours_err, path))
			++same;
		else if (want && !got && is_port_range_refusal(ours_err))
			++wrapped;
		else if (shown++ < 5)
			printf("# differs on:\n%s# wg: %s\n# us: %s\n", text,
			       want ? want : "(refused)", got ? got : "(refused)");
		free(want);
		free(got);
		model_device_free(dev);
	}
	unsetenv("WG_ENDPOINT_RESOLUTION_RETRIES");
	ok(shown == 0,
	   "%u of %u mutated files: same set as " REF_WG " setconf, or same refusal; %u more where"
	   " wg wraps a port above 65535 and we refuse",
	   same, n, wrapped);
}

/* Same arguments to Debian's wg set and to us: the same set, or the same message. */
static __attribute__((noinline)) void test_set_differential(void)
{
	const char *argv[64] = {"wg", "set", "%s"};
	char file[256], ours_err[256], ours[512], theirs[512], *want, *got;
	unsigned int state = 1914, i, same = 0, refused = 0, cases = 40;
	struct wgdevice *dev;
	int argc, ret = 0;

	if (access(REF_WG, X_OK) || geteuid() != 0)
		return skip(REF_WG " missing or not root: no socket to capture on");
	snprintf(file, sizeof(file), "%s", write_file("key", PRIV "\n"));
	snprintf(ours_err, sizeof(ours_err), "%s/our.err", tmpdir);
	for (i = 0; i < cases; ++i) {
		argc = make_set_case(argv, file, &state);
		if (argc == 3) /* `wg set IFACE` alone is a usage error, not parsing */
			argc = add_arg(argv, argc, set_device_args[0], file);
		argv[argc] = NULL;
		want = capture_wg(argv);
		if (!freopen(ours_err, "w", stderr))
			break;
		dev = config_read_cmd(argv + 3, argc - 3);
		fflush(stderr);
		got = dev ? write_to_string(uapi_write_set, dev, &ret) : NULL;
		if ((want && got && !strcmp(want, got)) ||
		    (!want && !got &&
		     !strcmp(first_line(ours_err, ours, sizeof(ours)),
			     first_line(wg_stderr, theirs, sizeof(theirs)))))
			++same;
		else
			print_args(argv, argc);
		refused += !want;
		free(want);
		free(got);
		model_device_free(dev);
	}
	is_int(same, cases,
	       "%u generated argument lists: same set as " REF_WG " set, or same message (%u)",
	       cases, refused);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Starts wireguard-go for iface inside namespace ns; its pid, or -1. */
static pid_t start_wggo(const char *ns, const char *iface, const char *sock)
{
	char cmd[128];
	pid_t pid;
	int i;

	snprintf(cmd, sizeof(cmd), "ip netns add %s", ns);
	if (system(cmd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		setenv("WG_PROCESS_FOREGROUND", "1", 1);
		execl("/usr/sbin/ip", "ip", "netns", "exec", ns, REF_WGGO, iface, (char *)NULL);
		execl("/sbin/ip", "ip", "netns", "exec", ns, REF_WGGO, iface, (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 50 && access(sock, F_OK); ++i)
		usleep(100000);
	return pid;
}

static void stop_wggo(const char *ns, pid_t pid)
{
	char cmd[128];
	int status;

	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	snprintf(cmd, sizeof(cmd), "ip netns del %s", ns);
	if (system(cmd))
		diag("could not delete the test namespace");
}

/* Sends our set for dev; the server's errno. */
static int send_set(const char *sock, const struct wgdevice *dev)
{
	int fd = connect_to(sock), ret;
	FILE *f = fd >= 0 ? fdopen(fd, "r+") : NULL;
	struct wgdevice *reply = model_device_new();

	if (!f) {
		if (fd >= 0)
			close(fd);
		model_device_free(reply);
		return -ENOTCONN;
	}
	ret = uapi_write_set(f, dev);
	if (!ret) {
		fseek(f, 0, SEEK_CUR); /* switch the stream from writing to reading */
		ret = uapi_read_get(f, reply);
	}
	fclose(f);
	model_device_free(reply);
	return ret;
}

/* The raw text of a get reply, up to and with its blank line (caller frees). */
static char *raw_get(const char *sock)
{
	char *text = NULL, line[1024];
	size_t len = 0;
	int fd = connect_to(sock);
	FILE *f = fd >= 0 ? fdopen(fd, "r+") : NULL, *out = open_memstream(&text, &len);

	if (f && out) {
		fputs("get=1\n\n", f);
		fflush(f);
		while (fgets(line, sizeof(line), f)) {
			fputs(line, out);
			if (!strcmp(line, "\n"))
				break;
		}
	}
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	fclose(out);
	return text;
}

static const char wggo_conf[] = "[Interface]\nPrivateKey=" PRIV "\nListenPort=51998\nFwMark=0x42\n"
				"[Peer]\nPublicKey=" PUB1 "\nPresharedKey=" PUB2 "\n"
				"Endpoint=[fd00::1]:51820\nAllowedIPs=10.0.0.0/8,fd00::/64,"
				"10.1.2.3/32\nPersistentKeepalive=25\n"
				"[Peer]\nPublicKey=" PUB2 "\nEndpoint=1.2.3.4:5\n";

static void check_wggo_reply(const char *raw, const struct wgdevice *sent)
{
	struct wgdevice *got = model_device_new();
	struct wgpeer *peer;
	char *again;
	int ret = -1;
	size_t len;

	is_int(read_get_from(raw, got), 0, "wireguard-go's get reply reads");
	again = write_to_string(uapi_write_get, got, &ret);
	len = again ? strlen(again) : 0;
	ok(ret == 0 && again && !strncmp(raw, again, len) && !strcmp(raw + len, "errno=0\n\n"),
	   "write_get reproduces wireguard-go's reply byte for byte");
	if (again && strncmp(raw, again, len))
		printf("# ours:\n%s# theirs:\n%s", again, raw);
	/* Counters move on their own (keepalives go out): compare the configuration. */
	for (peer = got->first_peer; peer; peer = peer->next_peer) {
		peer->rx_bytes = peer->tx_bytes = 0;
		memset(&peer->last_handshake_time, 0, sizeof(peer->last_handshake_time));
	}
	ok(same_device_any_order(sent, got, WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_PRESHARED_KEY),
	   "and holds exactly what we set");
	free(again);
	model_device_free(got);
}

/*
 * Request bodies both servers must judge alike (wireguard-go's errno, or 0).
 * One deliberate difference is left out: "allowed_ip=-PREFIX" (removal) is
 * newer than Debian's wireguard-go and tested on its own above.
 */
static const char *const server_cases[] = {
    "replace_peers=true\n",
    "private_key=0000000000000000000000000000000000000000000000000000000000000000\n",
    "listen_port=0\nfwmark=0\n",
    "public_key=" HEX1 "\nendpoint=[fd00::1]:5\nallowed_ip=10.0.0.0/8\n",
    "public_key=" HEX1 "\nendpoint=[fe80::1%lo]:5\n",
    "public_key=" HEX1 "\nallowed_ip=::ffff:1.2.3.4/128\n",
    "public_key=" HEX1 "\nupdate_only=true\n",
    "public_key=" HEX1 "\nremove=true\n",
    "public_key=" HEX1 "\nprotocol_version=1\npersistent_keepalive_interval=0\n",
    "allowed_ip=10.0.0.0/8\n",
    "persistent_keepalive_interval=5\n",
    "listen_port=\n",
    "listen_port=+5\n",
    "listen_port=65536\n",
    "fwmark=0x10\n",
    "fwmark=4294967296\n",
    "=5\n",
    "nonsense\n",
    "replace_peers=false\n",
    "private_key=" HEX1 "0\n",
    "public_key=107d70c40bc03433e876e2a3efea573396318ad5d466e088c72902a217f8987\n",
    "public_key=" HEX1 "\nprotocol_version=2\n",
    "public_key=" HEX1 "\nendpoint=localhost:5\n",
    "public_key=" HEX1 "\nendpoint=1.2.3.4:70000\n",
    "public_key=" HEX1 "\nendpoint=1.2.3.4\n",
    "public_key=" HEX1 "\nallowed_ip=10.0.0.0/33\n",
    "public_key=" HEX1 "\nallowed_ip=garbage\n",
    "public_key=" HEX1 "\nlisten_port=5\n",
    "public_key=" HEX1 "\nremove=false\n",
    "public_key=" HEX1 "\npreshared_key=xyz\n",
    "public_key=" HEX1 "\npersistent_keepalive_interval=65536\n",
    "public_key=" HEX1 "\nallowed_ip=10.0.0.1\n",
    "public_key=" HEX1 "\nallowed_ip=10.0.0.0/08\n",
    "public_key=" HEX1 "\nallowed_ip=FD00::/64\n",
    "public_key=" HEX1 "\nallowed_ip=10.0.0.0/ 8\n",
    "public_key=107D70C40BC03433E876E2A3EFEA573396318AD5D466E088C72902A217F89879\n",
    "public_key=" HEX1 "\nendpoint=[::ffff:1.2.3.4]:5\n",
    "public_key=" HEX1 "\nendpoint=1.2.3.4:+5\n",
    "public_key=" HEX1 "\nendpoint=fd00::1:5\n",
    "public_key=" HEX1 "\nendpoint=1.2.3:5\n",
    "public_key=" HEX1 "\nendpoint=[1.2.3.4]:5\n",
    "listen_port=5\r\n",
    "public_key=" HEX1 "\r\nallowed_ip=10.0.0.0/8\r\n",
    "listen_port=5\r\r\n",
    "public_key=" HEX1 "\nendpoint=[fd00::1]:0\n",
    "public_key=" HEX1 "\nendpoint=[fd00::1]:05\n",
    "public_key=" HEX1 "\nendpoint=[fe80::1%999]:5\n",
    "listen_port=05\n",
    "listen_port=5 \n",
    "public_key=" HEX1 "\n public_key=" HEX1 "\n",
    "private_key=" HEX1 "\nprivate_key=" HEX1 "\n",
    "replace_peers=true\nreplace_peers=true\n",
    "public_key=" HEX1 "\nupdate_only=true\nremove=true\n",
    "public_key=" HEX1 "\nreplace_allowed_ips=false\n",
    "public_key=" HEX1 "\nprotocol_version=01\n",
};

/* wireguard-go's errno for "set=1" + body (a fresh connection each time). */
static int wggo_errno(const char *sock, const char *body)
{
	char line[256] = "";
	int fd = connect_to(sock), err = -ENOTCONN;
	FILE *f = fd >= 0 ? fdopen(fd, "r+") : NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	fprintf(f, "set=1\n%s\n", body);
	fflush(f);
	shutdown(fd, SHUT_WR); /* never leave it waiting for more */
	if (fgets(line, sizeof(line), f) && sscanf(line, "errno=%d", &err) != 1)
		err = -EPROTO;
	fclose(f);
	return err;
}

static void compare_server_judgement(const char *sock)
{
	char body[512];
	struct wgdevice *dev;
	size_t i, n = sizeof(server_cases) / sizeof(server_cases[0]), same = 0;
	int theirs, ours;

	for (i = 0; i < n; ++i) {
		snprintf(body, sizeof(body), "%s\n", server_cases[i]);
		theirs = wggo_errno(sock, server_cases[i]);
		ours = read_set_from(body, strlen(body), &dev, NULL, 0);
		model_device_free(dev);
		if (ours == theirs)
			++same;
		else
			printf("# server judgement differs (ours %d, wireguard-go %d) on:\n# %s",
			       ours, theirs, server_cases[i]);
	}
	is_int(same, n, "read_set judges %zu requests as wireguard-go does (same errno)", n);
}

static const char mutation_seed[] =
    "private_key=" HEX1 "\nlisten_port=51820\nfwmark=42\nreplace_peers=true\n"
    "public_key=" HEX1 "\npreshared_key=" HEX1 "\nendpoint=[fd00::1]:51820\n"
    "persistent_keepalive_interval=25\nreplace_allowed_ips=true\nallowed_ip=10.0.0.0/8\n"
    "allowed_ip=fd00::/64\npublic_key=" HEX1 "\nendpoint=1.2.3.4:5\nprotocol_version=1\n";

/* One small edit: a character replaced, dropped or doubled. */
static void mutate(char *buf, unsigned int *state)
{
	static const char alphabet[] = "0f9g:/-+ =[].%\r\na";
	size_t len = strlen(buf), at = next_rand(state) % len;

	switch (next_rand(state) % 3) {
	case 0:
		buf[at] = alphabet[next_rand(state) % (sizeof(alphabet) - 1)];
		break;
	case 1:
		memmove(buf + at, buf + at + 1, len - at);
		break;
	default:
		memmove(buf + at + 1, buf + at, len - at + 1);
		break;
	}
}

/* Mutated requests: read_set must give wireguard-go's errno for each. */
static void compare_mutations(const char *sock)
{
	char body[sizeof(mutation_seed) + 16], req[sizeof(body) + 2];
	unsigned int state = 7, i, n = 500, same = 0, shown = 0;
	struct wgdevice *dev;
	int theirs, ours;

	for (i = 0; i < n; ++i) {
		memcpy(body, mutation_seed, sizeof(mutation_seed));
		mutate(body, &state);
		if (body[strlen(body) - 1] != '\n')
			strcat(body, "\n");
		if (strstr(body, "\n\n") || strstr(body, "=-") || body[0] == '\n')
			continue; /* an early end, or the newer removal form */
		snprintf(req, sizeof(req), "%s\n", body);
		theirs = wggo_errno(sock, body);
		ours = read_set_from(req, strlen(req), &dev, NULL, 0);
		model_device_free(dev);
		if (ours == theirs)
			++same;
		else if (shown++ < 5)
			printf("# differs (ours %d, wireguard-go %d) on:\n%s", ours, theirs, body);
	}
	ok(shown == 0, "%u mutated requests judged as wireguard-go does", same);
}

static __attribute__((noinline)) void test_against_wggo(void)
{
	char ns[32], iface[IFNAMSIZ], sock[108], *raw;
	struct wgdevice *dev;
	pid_t pid;

	if (access(REF_WGGO, X_OK) || geteuid() != 0)
		return skip(REF_WGGO " missing or not root");
	snprintf(ns, sizeof(ns), "lcu%d", (int)getpid() % 100000);
	snprintf(iface, sizeof(iface), "lcg%d", (int)getpid() % 100000);
	snprintf(sock, sizeof(sock), SOCK_DIR "/%s.sock", iface);
	pid = start_wggo(ns, iface, sock);
	if (pid < 0 || access(sock, F_OK)) {
		stop_wggo(ns, pid);
		return skip("could not start wireguard-go in a namespace");
	}
	dev = config_read_file(write_file("go.conf", wggo_conf), false);
	is_int(send_set(sock, dev), 0, "wireguard-go takes our set");
	raw = raw_get(sock);
	check_wggo_reply(raw ? raw : "", dev);
	free(raw);
	compare_server_judgement(sock);
	compare_mutations(sock);
	model_device_free(dev);
	stop_wggo(ns, pid);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		diag("could not remove the temporary folder");
}

int main(void)
{
	if (!mkdtemp(tmpdir) || key_init())
		return 1;
	signal(SIGPIPE, SIG_IGN); /* wg may hang up before our reply */
	test_set_roundtrips();
	test_get_roundtrip();
	test_bad_sets();
	test_odd_sets();
	test_bad_gets();
	test_fuzz_read_set();
	test_against_wg();
	test_against_wggo();
	test_differential();
	test_set_differential();
	test_conf_mutations();
	cleanup();
	return tap_done();
}

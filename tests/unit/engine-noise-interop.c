// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol core against a real WireGuard (Debian's wireguard-go) over UDP
 * in a private network namespace, without our device: a handshake with a PSK
 * whose keepalive wireguard-go accepts, our core as a responder under load
 * (cookie reply, then the retried initiation with mac2), and wireguard-go
 * under load answering us with a cookie reply that we consume. Skipped
 * unless run as root with wireguard-go, wg and ip installed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../lib/tap.h"
#include "../lib/engine-pair.h"

#define GO "/usr/bin/wireguard-go"
#define GO_PORT 51999

static char ns[32], ifname[16];
static pid_t go_pid;
static struct pair_side go; /* only its keys: wireguard-go plays this side */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void b64(char out[45], const uint8_t key[32])
{
	sodium_bin2base64(out, 45, key, 32, sodium_base64_VARIANT_ORIGINAL);
}

/* Writes a key to a fresh 0600 file for wg set; path receives its name. */
static void key_file(char path[64], const uint8_t key[32])
{
	char k[45];
	int fd;

	strcpy(path, "/tmp/wgciXXXXXX");
	fd = mkstemp(path);
	b64(k, key);
	if (fd < 0 || write(fd, k, strlen(k)) < 0)
		diag("key file");
	close(fd);
}

static bool start_go(void)
{
	char sock[96];
	int i;

	go_pid = fork();
	if (go_pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp("ip", "ip", "netns", "exec", ns, GO, "-f", ifname, (char *)NULL);
		_exit(127);
	}
	snprintf(sock, sizeof(sock), "/var/run/wireguard/%s.sock", ifname);
	for (i = 0; i < 50 && access(sock, F_OK); ++i)
		usleep(100000);
	return !access(sock, F_OK);
}

/* Gives wireguard-go our side s as a peer, with allowed IP 10.9.9.<host> and an endpoint. */
static int go_add_peer(struct pair_side *s, const uint8_t *psk, int host, int port)
{
	char pub[45], pskpath[64] = "", opt[96] = "";
	int ret;

	b64(pub, s->pub);
	if (psk) {
		key_file(pskpath, psk);
		snprintf(opt, sizeof(opt), "preshared-key %s", pskpath);
	}
	ret = sh("wg set %s peer %s %s allowed-ips 10.9.9.%d/32 endpoint 127.0.0.1:%d", ifname, pub,
		 opt, host, port);
	if (psk)
		unlink(pskpath);
	return ret;
}

static bool setup_ns(void)
{
	char keypath[64];
	int fd, ret;

	snprintf(ns, sizeof(ns), "wgci%d", (int)getpid());
	snprintf(ifname, sizeof(ifname), "wgci%d", (int)getpid() % 100000);
	if (sh("ip netns add %s && ip -n %s link set lo up", ns, ns))
		return false;
	snprintf(keypath, sizeof(keypath), "/var/run/netns/%s", ns);
	fd = open(keypath, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		return false;
	close(fd);
	if (!start_go())
		return false;
	pair_keys(&go);
	key_file(keypath, go.priv);
	ret = sh("wg set %s private-key %s listen-port %d && ip addr add 10.9.9.1/24 dev %s && "
		 "ip link set %s up",
		 ifname, keypath, GO_PORT, ifname, ifname);
	unlink(keypath);
	return ret == 0;
}

static void teardown_ns(void)
{
	if (go_pid > 0) {
		kill(go_pid, SIGTERM);
		waitpid(go_pid, NULL, 0);
	}
	sh("ip netns del %s 2>/dev/null", ns);
}

/* A UDP socket on 127.0.0.1:port (0 = any) talking to wireguard-go, with a receive timeout. */
static int udp_socket(int port, int timeout_ms)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (bind(s, (void *)&a, sizeof(a)))
		diag("bind");
	a.sin_port = htons(GO_PORT);
	if (connect(s, (void *)&a, sizeof(a)))
		diag("connect");
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* wireguard-go's latest handshake time for our side s (0 = none). */
static long go_latest_handshake(struct pair_side *s)
{
	char cmd[160], pub[45], line[160];
	long t = 0;
	FILE *f;

	b64(pub, s->pub);
	snprintf(cmd, sizeof(cmd), "wg show %s latest-handshakes | grep -F '%s'", ifname, pub);
	f = popen(cmd, "r");
	if (f && fgets(line, sizeof(line), f))
		t = strtol(line + strlen(pub), NULL, 10);
	if (f)
		pclose(f);
	return t;
}

/* A keepalive (empty data message) on the current keypair. */
static void send_keepalive(int s, struct pair_side *me)
{
	struct noise_keypair *kp = noise_keypair_current_get(&me->remote);
	uint8_t buf[MESSAGE_MINIMUM_LENGTH], nonce[12] = {0};
	struct message_data *d = (void *)buf;
	uint64_t c, le;

	if (!kp || !noise_keypair_next_counter(kp, &c))
		goto out;
	d->header.type = htole32(MESSAGE_DATA);
	d->key_idx = htole32(kp->remote_index);
	le = htole64(c);
	memcpy(&d->counter, &le, 8);
	memcpy(nonce + 4, &le, 8);
	crypto_aead_chacha20poly1305_ietf_encrypt(buf + sizeof(*d), NULL, NULL, 0, NULL, 0, NULL,
						  nonce, kp->send_key);
	if (send(s, buf, sizeof(buf), 0) < 0)
		diag("send");
out:
	noise_keypair_put(kp);
}

static void test_initiator_psk(void)
{
	struct message_handshake_initiation mi;
	struct message_handshake_response mr;
	struct cookie_checker checker;
	struct pair_side me;
	struct noise_remote *r;
	uint8_t psk[32];
	int s = udp_socket(52001, 3000);

	pair_keys(&me);
	randombytes_buf(psk, sizeof(psk));
	if (pair_init(&me, go.pub, psk, NULL) || cookie_checker_init(&checker))
		diag("init");
	cookie_checker_precompute(&checker, me.pub);
	is_int(go_add_peer(&me, psk, 2, 52001), 0, "wireguard-go knows us, with a PSK");
	ok(!noise_create_initiation(&me.remote, &mi, clock_wall_ns()), "initiation");
	cookie_maker_add_macs(&me.maker, &mi, sizeof(mi), clock_now_ns());
	ok(send(s, &mi, sizeof(mi), 0) == sizeof(mi) && recv(s, &mr, sizeof(mr), 0) == sizeof(mr),
	   "wireguard-go answers our initiation");
	ok(cookie_checker_mac1_ok(&checker, &mr, sizeof(mr)), "its response carries a good mac1");
	is_int(noise_consume_response(&me.local, &mr, &r), 0, "we accept its response");
	is_int(noise_begin_session(&me.remote, clock_now_ns()), 0, "session keys derived");
	send_keepalive(s, &me);
	usleep(300000);
	ok(go_latest_handshake(&me) > 0, "wireguard-go decrypts our keepalive: handshake complete");
	cookie_checker_free(&checker);
	pair_free(&me);
	close(s);
}

/* Sends a datagram into the tunnel towards 10.9.9.<host>, making wireguard-go initiate. */
static void poke_tunnel(int host)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char addr[16];

	snprintf(addr, sizeof(addr), "10.9.9.%d", host);
	inet_pton(AF_INET, addr, &a.sin_addr);
	if (sendto(s, "hi", 2, 0, (void *)&a, sizeof(a)) < 0)
		diag("poke");
	close(s);
}

/* Receives wireguard-go's next initiation and judges it as a responder under load. */
static enum cookie_verdict next_initiation(int s, struct cookie_checker *checker,
					   struct message_handshake_initiation *mi)
{
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(GO_PORT)};

	inet_pton(AF_INET, "127.0.0.1", &from.sin_addr);
	if (recv(s, mi, sizeof(*mi), 0) != sizeof(*mi))
		return COOKIE_DROP;
	return cookie_checker_validate(checker, mi, sizeof(*mi), (void *)&from, true, NULL,
				       clock_now_ns());
}

static void test_responder_cookie(void)
{
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(GO_PORT)};
	struct message_handshake_initiation mi;
	struct message_handshake_response mr;
	struct message_handshake_cookie reply;
	struct cookie_checker checker;
	struct noise_remote *r;
	struct pair_side me;
	int s = udp_socket(52002, 3000);
	struct timeval tv = {REKEY_TIMEOUT + 3, 0};

	inet_pton(AF_INET, "127.0.0.1", &from.sin_addr);
	pair_keys(&me);
	if (pair_init(&me, go.pub, NULL, NULL) || cookie_checker_init(&checker))
		diag("init");
	cookie_checker_precompute(&checker, me.pub);
	go_add_peer(&me, NULL, 3, 52002);
	poke_tunnel(3);
	is_int(next_initiation(s, &checker, &mi), COOKIE_SEND_REPLY,
	       "under load, wireguard-go's first initiation (no mac2) gets a cookie reply");
	ok(!cookie_reply_create(&checker, &reply, &mi, sizeof(mi), le32toh(mi.sender_index),
				(void *)&from, clock_now_ns()) &&
	       send(s, &reply, sizeof(reply), 0) == sizeof(reply),
	   "cookie reply sent");
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	is_int(next_initiation(s, &checker, &mi), COOKIE_ACCEPT,
	       "its retry REKEY_TIMEOUT later carries a mac2 we accept");
	ok(!noise_consume_initiation(&me.local, &mi, &r, clock_now_ns()) &&
	       !noise_create_response(r, &mr),
	   "we consume it and respond");
	cookie_maker_add_macs(&me.maker, &mr, sizeof(mr), clock_now_ns());
	ok(!noise_begin_session(r, clock_now_ns()) && send(s, &mr, sizeof(mr), 0) == sizeof(mr),
	   "session begun");
	usleep(300000);
	ok(go_latest_handshake(&me) > 0, "wireguard-go completes the handshake");
	cookie_checker_free(&checker);
	pair_free(&me);
	close(s);
}

/* Floods wireguard-go with initiations that pass mac1 but not decryption, then sends ours. */
static void flood_then_initiate(int s, struct pair_side *me, struct cookie_maker *junk_maker)
{
	struct message_handshake_initiation junk, mi;
	int i;

	for (i = 0; i < 3000; ++i) {
		randombytes_buf(&junk, sizeof(junk));
		junk.header.type = htole32(MESSAGE_HANDSHAKE_INITIATION);
		cookie_maker_add_macs(junk_maker, &junk, sizeof(junk), clock_now_ns());
		if (send(s, &junk, sizeof(junk), 0) < 0)
			break;
	}
	/*
	 * wireguard-go stays under load for a second after it saw its queue
	 * full; a short pause lets its socket buffer drain, so a loaded machine
	 * does not drop our initiation behind the junk.
	 */
	usleep(20000);
	if (noise_create_initiation(&me->remote, &mi, clock_wall_ns()))
		diag("initiation");
	cookie_maker_add_macs(&me->maker, &mi, sizeof(mi), clock_now_ns());
	if (send(s, &mi, sizeof(mi), 0) < 0)
		diag("send");
}

/* Reads replies until one of them is the cookie reply to our own initiation. */
static bool take_our_cookie(int s, struct pair_side *me)
{
	uint8_t buf[128];
	ssize_t n;

	while ((n = recv(s, buf, sizeof(buf), 0)) > 0)
		if (n == sizeof(struct message_handshake_cookie) &&
		    !cookie_reply_consume(&me->maker, (void *)buf, clock_now_ns()))
			return true;
	return false;
}

static void test_initiator_under_load(void)
{
	struct message_handshake_initiation mi;
	struct cookie_maker junk_maker;
	struct noise_remote *r = NULL;
	struct pair_side me;
	bool cookie = false;
	uint8_t buf[128];
	int i, s = udp_socket(52003, 300);

	pair_keys(&me);
	if (pair_init(&me, go.pub, NULL, NULL) || cookie_maker_init(&junk_maker, go.pub))
		diag("init");
	go_add_peer(&me, NULL, 4, 52003);
	for (i = 0; i < 10 && !cookie; ++i) {
		flood_then_initiate(s, &me, &junk_maker);
		cookie = take_our_cookie(s, &me);
	}
	ok(cookie, "flooded, wireguard-go answers our initiation with a cookie reply we decrypt");
	ok(!noise_create_initiation(&me.remote, &mi, clock_wall_ns()), "a new initiation");
	cookie_maker_add_macs(&me.maker, &mi, sizeof(mi), clock_now_ns());
	ok(!sodium_is_zero(mi.macs.mac2, COOKIE_LEN), "carries mac2 from the cookie");
	if (send(s, &mi, sizeof(mi), 0) < 0)
		diag("send");
	for (i = 0; i < 20 && !r; ++i)
		if (recv(s, buf, sizeof(buf), 0) == sizeof(struct message_handshake_response))
			if (noise_consume_response(&me.local, (void *)buf, &r))
				r = NULL;
	ok(r == &me.remote, "wireguard-go, still under load, accepts it and responds");
	cookie_maker_free(&junk_maker);
	pair_free(&me);
	close(s);
}

int main(void)
{
	if (geteuid() || access(GO, X_OK) ||
	    system("command -v wg >/dev/null && command -v ip >/dev/null")) {
		printf("1..0 # SKIP needs root, wireguard-go, wg and ip\n");
		return 0;
	}
	if (noise_init())
		return 1;
	if (!setup_ns()) {
		teardown_ns();
		printf("1..0 # SKIP cannot set up a network namespace with wireguard-go\n");
		return 0;
	}
	test_initiator_psk();
	test_responder_cookie();
	test_initiator_under_load();
	teardown_ns();
	return tap_done();
}

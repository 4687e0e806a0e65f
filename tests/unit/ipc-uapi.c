// SPDX-License-Identifier: GPL-2.0
/*
 * lib/ipc-uapi against fake servers: a thread on the other end of a socketpair
 * or behind a listening socket in a temporary directory answers get and set
 * the way wireguard-go does, and we check what the client read and sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ipc.h"
#include "ipc-uapi.h"
#include "key.h"
#include "model.h"
#include "tests/lib/tap.h"

#define PRIV_HEX "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a"
#define PEER_HEX "b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33"
#define PSK_HEX "188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52"
#define ZERO_HEX "0000000000000000000000000000000000000000000000000000000000000000"

static const char get_reply[] = "private_key=" PRIV_HEX "\n"
				"listen_port=51820\n"
				"fwmark=4660\n"
				"public_key=" PEER_HEX "\n"
				"preshared_key=" PSK_HEX "\n"
				"protocol_version=1\n"
				"endpoint=[fd00::1]:51821\n"
				"last_handshake_time_sec=1700000000\n"
				"last_handshake_time_nsec=5\n"
				"tx_bytes=1300\n"
				"rx_bytes=1500000\n"
				"persistent_keepalive_interval=25\n"
				"allowed_ip=10.0.0.0/8\n"
				"allowed_ip=fd00::/64\n"
				"public_key=" PRIV_HEX "\n"
				"preshared_key=" ZERO_HEX "\n"
				"protocol_version=1\n"
				"last_handshake_time_sec=0\n"
				"last_handshake_time_nsec=0\n"
				"tx_bytes=0\n"
				"rx_bytes=0\n"
				"persistent_keepalive_interval=0\n"
				"errno=0\n\n";

/* What one fake server connection does: read a request, send ANSWER. */
struct fake {
	int fd; /* connected end, or listening socket when listening */
	bool listening;
	const char *answer;
	char request[2048];
	size_t request_len;
};

/* Reads until the blank line that ends a UAPI request. */
static void read_request(struct fake *f, int fd)
{
	ssize_t n;

	while (f->request_len < sizeof(f->request) - 1) {
		n = read(fd, f->request + f->request_len, sizeof(f->request) - 1 - f->request_len);
		if (n <= 0)
			break;
		f->request_len += (size_t)n;
		f->request[f->request_len] = '\0';
		if (strstr(f->request, "\n\n"))
			break;
	}
}

/*
 * Serves one request. A listening fake skips the connections that close
 * without asking anything (ipc_uapi_has() only probes), as wireguard-go does.
 */
static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	int fd, tries;

	for (tries = 0; tries < 8; ++tries) {
		fd = f->listening ? accept(f->fd, NULL, NULL) : f->fd;
		if (fd < 0)
			return NULL;
		read_request(f, fd);
		if (f->request_len || !f->listening)
			break;
		close(fd);
	}
	if (write(fd, f->answer, strlen(f->answer)) < 0)
		perror("write");
	close(fd);
	return NULL;
}

/* A client stream connected to a fake server thread answering ANSWER. */
static FILE *fake_pair(struct fake *f, pthread_t *thread, const char *answer)
{
	int sv[2];

	memset(f, 0, sizeof(*f));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return NULL;
	f->fd = sv[1];
	f->answer = answer;
	pthread_create(thread, NULL, fake_serve, f);
	return fdopen(sv[0], "r+");
}

static void test_get_stream(void)
{
	struct fake f;
	pthread_t t;
	struct wgdevice *dev = model_device_new();
	FILE *s = fake_pair(&f, &t, get_reply);
	uint8_t want[WG_KEY_LEN], pub[WG_KEY_LEN];
	struct wgpeer *p;

	is_int(ipc_uapi_get_stream(s, dev), 0, "get over a socketpair parses the reply");
	fclose(s);
	pthread_join(t, NULL);
	is_str(f.request, "get=1\n\n", "the request is exactly get=1 and a blank line");
	is_int(dev->listen_port, 51820, "listen port");
	is_int(dev->fwmark, 4660, "fwmark");
	ok(dev->flags & WGDEVICE_HAS_PRIVATE_KEY, "private key flagged");
	key_from_hex(want, PRIV_HEX);
	key_public_from_private(pub, want);
	ok((dev->flags & WGDEVICE_HAS_PUBLIC_KEY) && !memcmp(dev->public_key, pub, WG_KEY_LEN),
	   "public key derived from the private one");
	p = dev->first_peer;
	ok(p && (p->flags & WGPEER_HAS_PRESHARED_KEY), "first peer keeps its preshared key");
	ok(p && p->endpoint.addr.sa_family == AF_INET6, "first peer has a v6 endpoint");
	ok(p && p->first_allowedip && p->first_allowedip->next_allowedip, "two allowed IPs");
	is_int(p ? p->rx_bytes : 0, 1500000, "rx bytes");
	is_int(p ? p->last_handshake_time.tv_sec : 0, 1700000000, "handshake seconds");
	p = p ? p->next_peer : NULL;
	ok(p && !(p->flags & WGPEER_HAS_PRESHARED_KEY), "a zero preshared key means none");
	ok(p && !p->next_peer, "exactly two peers");
	model_device_free(dev);
}

static void test_get_errno(void)
{
	struct fake f;
	pthread_t t;
	struct wgdevice *dev = model_device_new();
	FILE *s = fake_pair(&f, &t, "errno=19\n\n");

	ok(ipc_uapi_get_stream(s, dev) < 0, "a get answered with errno fails");
	fclose(s);
	pthread_join(t, NULL);
	model_device_free(dev);
}

static int read_errno_of(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = ipc_uapi_read_errno(f);

	fclose(f);
	return ret;
}

static void test_read_errno(void)
{
	is_int(read_errno_of("errno=0\n\n"), 0, "errno=0 is success");
	is_int(read_errno_of("errno=22\n\n"), -EINVAL, "errno=22 is -EINVAL");
	is_int(read_errno_of("errno=-5\n\n"), -5, "a negative errno stays negative");
	is_int(read_errno_of("errno=x\n\n"), -EPROTO, "a non-number is -EPROTO");
	is_int(read_errno_of("errno=99999999999\n\n"), -EPROTO, "an overflow is -EPROTO");
	is_int(read_errno_of("\n"), -EPROTO, "a bare blank line is -EPROTO");
	is_int(read_errno_of(""), -EPROTO, "a closed connection is -EPROTO");
	is_int(read_errno_of("errno=0"), -EPROTO, "a line without newline is -EPROTO");
}

static void test_set_stream(const char *answer, int want, const char *what)
{
	struct fake f;
	pthread_t t;
	struct wgdevice *dev = model_device_new();
	FILE *s = fake_pair(&f, &t, answer);

	dev->flags = WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK;
	dev->listen_port = 4242;
	dev->fwmark = 7;
	is_int(ipc_uapi_set_stream(s, dev), want, "%s", what);
	fclose(s);
	pthread_join(t, NULL);
	ok(!strncmp(f.request, "set=1\n", 6), "a set starts with set=1");
	ok(strstr(f.request, "listen_port=4242\n") && strstr(f.request, "fwmark=7\n"),
	   "the set carries the listen port and fwmark");
	ok(f.request_len >= 2 && !strcmp(f.request + f.request_len - 2, "\n\n"),
	   "the set ends with a blank line");
	model_device_free(dev);
}

/* A server that refuses a set after its first line and hangs up. */
static void *hangup_serve(void *arg)
{
	struct fake *f = arg;
	char buf[64];

	if (read(f->fd, buf, sizeof(buf)) <= 0)
		perror("read");
	if (write(f->fd, f->answer, strlen(f->answer)) < 0)
		perror("write");
	shutdown(f->fd, SHUT_RDWR);
	close(f->fd);
	return NULL;
}

/*
 * A set too big for the socket buffers, refused early: the client must not
 * die of SIGPIPE but report the server's errno, and leave no SIGPIPE behind.
 */
static void test_set_hangup(void)
{
	struct wgdevice *dev = model_device_new();
	struct fake f = {.answer = "errno=-98\n\n"};
	struct wgallowedip *aip;
	struct wgpeer *peer;
	sigset_t pending;
	pthread_t t;
	FILE *s;
	int sv[2], i;

	for (i = 0; i < 4000; ++i) {
		peer = model_peer_append(dev);
		peer->flags = WGPEER_HAS_PUBLIC_KEY;
		peer->public_key[0] = (uint8_t)i;
		peer->public_key[1] = (uint8_t)(i >> 8);
		aip = model_allowedip_append(peer);
		aip->family = AF_INET;
		aip->cidr = 32;
	}
	signal(SIGPIPE, SIG_DFL);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	f.fd = sv[1];
	pthread_create(&t, NULL, hangup_serve, &f);
	s = fdopen(sv[0], "r+");
	is_int(ipc_uapi_set_stream(s, dev), -98,
	       "a set refused mid-way reports the server's errno");
	fclose(s);
	pthread_join(t, NULL);
	sigpending(&pending);
	ok(!sigismember(&pending, SIGPIPE), "and no SIGPIPE is left pending");
	signal(SIGPIPE, SIG_IGN);
	model_device_free(dev);
}

static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4) < 0)
		perror(path);
	return fd;
}

static bool list_has(const char *buf, size_t len, const char *name)
{
	size_t off;

	for (off = 0; off < len; off += strlen(buf + off) + 1) {
		if (!strcmp(buf + off, name))
			return true;
	}
	return false;
}

/* A dead socket is a socket file whose listener has gone: connect is refused. */
static void make_dead_socket(const char *path)
{
	close(listen_at(path));
}

static void test_list(const char *dir)
{
	char path[256], *buf = NULL;
	size_t len = 0;
	struct stat st;
	int live, fd;

	snprintf(path, sizeof(path), "%s/wgta.sock", dir);
	live = listen_at(path);
	snprintf(path, sizeof(path), "%s/wgtb.sock", dir);
	make_dead_socket(path);
	snprintf(path, sizeof(path), "%s/wgtc.sock", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	snprintf(path, sizeof(path), "%s/.sock", dir);
	close(listen_at(path));
	is_int(ipc_uapi_list(&buf, &len), 0, "listing a directory of sockets works");
	ok(list_has(buf, len, "wgta"), "the live socket is listed");
	ok(!list_has(buf, len, "wgtb") && !list_has(buf, len, "wgtc"), "dead ones are not");
	is_int(len, strlen("wgta") + 1, "nothing else is listed");
	snprintf(path, sizeof(path), "%s/wgtb.sock", dir);
	ok(stat(path, &st) < 0 && errno == ENOENT, "the dead socket file was removed");
	snprintf(path, sizeof(path), "%s/wgtc.sock", dir);
	ok(!stat(path, &st), "a regular file is left alone");
	ok(ipc_uapi_has("wgta") && !ipc_uapi_has("wgtc") && !ipc_uapi_has("nope"),
	   "ipc_uapi_has follows the same rules");
	ok(!ipc_uapi_has("../wgta") && !ipc_uapi_has(""), "names with a slash are refused");
	free(buf);
	close(live);
}

static void test_get_by_name(const char *dir)
{
	char path[256];
	struct fake f = {.listening = true, .answer = get_reply};
	struct wgdevice *dev = NULL;
	pthread_t t;

	snprintf(path, sizeof(path), "%s/wgtd.sock", dir);
	f.fd = listen_at(path);
	pthread_create(&t, NULL, fake_serve, &f);
	is_int(ipc_uapi_get(&dev, "wgtd"), 0, "get by interface name through the directory");
	pthread_join(t, NULL);
	is_str(dev ? dev->name : NULL, "wgtd", "the model is named after the interface");
	ok(dev && dev->first_peer, "and has the peers");
	model_device_free(dev);
	close(f.fd);
	is_int(ipc_uapi_get(&dev, "wgtzz"), -ENOENT, "a missing socket is -ENOENT");
	ok(!dev, "and no model is returned");
}

/* lib/ipc: userspace devices are listed after the kernel's and served by UAPI. */
static void test_ipc(const char *dir)
{
	char path[256], *names = NULL, *name;
	struct fake f = {.listening = true, .answer = get_reply};
	struct wgdevice *dev = NULL;
	bool seen = false;
	pthread_t t;
	size_t len;

	snprintf(path, sizeof(path), "%s/wgte.sock", dir);
	f.fd = listen_at(path);
	is_int(ipc_list_devices(&names), 0, "ipc_list_devices succeeds");
	for (name = names; names && (len = strlen(name)); name += len + 1)
		seen |= !strcmp(name, "wgte");
	ok(seen, "and lists the userspace device");
	ok(names && !*name, "the list ends with an empty name");
	free(names);
	pthread_create(&t, NULL, fake_serve, &f);
	is_int(ipc_get_device(&dev, "wgte"), 0, "ipc_get_device reads it over its socket");
	pthread_join(t, NULL);
	ok(dev && dev->listen_port == 51820, "with its state");
	model_device_free(dev);
	dev = NULL;
	ok(ipc_get_device(&dev, "wgtnosuch") < 0 && !dev, "a device nobody serves is an error");
	close(f.fd);
}

int main(void)
{
	char dir[] = "/tmp/wgt-ipc-uapi-XXXXXX";
	char cmd[128];

	if (key_init() < 0 || !mkdtemp(dir))
		return 1;
	/* A fake whose client went away must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	test_get_stream();
	test_get_errno();
	test_read_errno();
	test_set_stream("errno=0\n\n", 0, "a set answered errno=0 succeeds");
	test_set_stream("errno=98\n\n", -98, "a set answered errno=98 gives -98");
	test_set_hangup();
	ipc_uapi_override_dir(dir);
	test_list(dir);
	test_get_by_name(dir);
	test_ipc(dir);
	ipc_uapi_override_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		diag("could not remove the temporary directory");
	return tap_done();
}

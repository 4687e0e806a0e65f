// SPDX-License-Identifier: GPL-2.0
/*
 * Shutting a device down while UAPI connections are still open: idle ones,
 * ones halfway through a request and one flooding requests without reading
 * the replies. The server must wake and join them all before it returns, so
 * that freeing the device afterwards leaves no thread to use it (ASan checks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "device.h"
#include "model.h"
#include "tun.h"
#include "uapi-server.h"

#define N_IDLE 6

enum { C_GET, C_HALF_SET, C_HALF_GET, C_FLOOD, C_IDLE, N_CONNS = C_IDLE + N_IDLE };

struct fixture {
	int tun_fds[2];
	struct tun tun;
	struct uapi_server uapi;
	struct sockaddr_un sun;
	char dir[32];
	struct device *dev;
	pthread_t server;
	int conns[N_CONNS];
};

static void *server_main(void *arg)
{
	struct fixture *f = arg;

	uapi_server_run(&f->uapi, f->dev);
	return NULL;
}

/* A listening socket in a directory of our own, adopted as wg-engine adopts WG_UAPI_FD. */
static int listen_uapi(struct fixture *f)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || !mkdtemp(strcpy(f->dir, "/tmp/wguapi.XXXXXX")))
		return -errno;
	f->sun.sun_family = AF_UNIX;
	snprintf(f->sun.sun_path, sizeof(f->sun.sun_path), "%s/s.sock", f->dir);
	if (bind(fd, (struct sockaddr *)&f->sun, sizeof(f->sun)) < 0 || listen(fd, 16) < 0)
		return -errno;
	return uapi_server_adopt(&f->uapi, fd, "engtuapi");
}

/*
 * Peers enough that every get reply is large: a flooding client then leaves
 * many expensive requests queued, which a stopping server must not answer.
 */
#define N_PEERS 200

static int add_peers(struct device *dev)
{
	struct wgdevice *m = model_device_new();
	int ret = m ? 0 : -ENOMEM;

	for (int i = 0; !ret && i < N_PEERS; ++i) {
		struct wgpeer *p = model_peer_append(m);
		struct wgallowedip *a = p ? model_allowedip_append(p) : NULL;

		if (!a) {
			ret = -ENOMEM;
			break;
		}
		p->flags = WGPEER_HAS_PUBLIC_KEY;
		randombytes_buf(p->public_key, sizeof(p->public_key));
		a->family = AF_INET;
		a->ip4.s_addr = htonl(0x0a000000 + (uint32_t)i + 1);
		a->cidr = 32;
	}
	if (!ret)
		ret = device_uapi_set(dev, m);
	model_device_free(m);
	return ret;
}

static int setup(struct fixture *f)
{
	int ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->tun_fds) < 0)
		return -errno;
	tun_from_packet_fd(&f->tun, f->tun_fds[0], "engtuapi");
	ret = listen_uapi(f);
	if (ret < 0)
		return ret;
	f->dev = device_new(&f->tun, &f->uapi);
	if (!f->dev)
		return -errno;
	ret = device_start(f->dev);
	if (ret < 0)
		return ret;
	ret = add_peers(f->dev);
	if (ret < 0)
		return ret;
	return pthread_create(&f->server, NULL, server_main, f) ? -EAGAIN : 0;
}

static int connect_uapi(struct fixture *f)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&f->sun, sizeof(f->sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads until the blank line that ends a reply; true when it ends in "errno=0". */
static bool read_reply(int fd)
{
	/* A reply with every peer: tens of kilobytes. */
	static char buf[1 << 17];
	size_t len = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (len < sizeof(buf) - 1 && poll(&p, 1, 5000) == 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (len >= 2 && !strcmp(buf + len - 2, "\n\n"))
			return strstr(buf, "errno=0\n\n") != NULL;
	}
	return false;
}

/* Requests until the socket buffers are full: the server ends up blocked writing. */
static void flood(int fd)
{
	/* Many requests per write: the socket buffers then hold tens of thousands. */
	static char reqs[512 * 7];
	size_t sent = 0;
	ssize_t n;

	for (size_t i = 0; i < sizeof(reqs); i += 7)
		memcpy(reqs + i, "get=1\n\n", 7);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < (8 << 20) && (n = write(fd, reqs, sizeof(reqs))) > 0)
		sent += (size_t)n;
}

static void open_conns(struct fixture *f)
{
	int good = 0;

	for (int i = 0; i < N_CONNS; ++i)
		good += (f->conns[i] = connect_uapi(f)) >= 0;
	is_int(good, N_CONNS, "every UAPI connection opens");
	ok(write(f->conns[C_GET], "get=1\n\n", 7) == 7 && read_reply(f->conns[C_GET]),
	   "a get is answered");
	ok(write(f->conns[C_HALF_SET], "set=1\nlisten_port=", 18) == 18, "half a set is sent");
	ok(write(f->conns[C_HALF_GET], "get=1\n", 6) == 6, "half a get is sent");
	flood(f->conns[C_FLOOD]);
	/* Give every connection thread time to block where we left it. */
	usleep(300 * 1000);
}

/* Joins the server thread; false when it still runs after 5 s. */
static bool join_server(struct fixture *f)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	return pthread_timedjoin_np(f->server, NULL, &until) == 0;
}

/* True when the server closed its end: EOF (or a reset) after any queued replies. */
static bool is_closed(int fd)
{
	char buf[2048];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	do {
		if (poll(&p, 1, 1000) != 1)
			return false;
		n = read(fd, buf, sizeof(buf));
	} while (n > 0);
	return n == 0 || errno == ECONNRESET;
}

static void test_shutdown(struct fixture *f)
{
	int closed = 0;

	device_request_stop(f->dev);
	if (!ok(join_server(f), "the server returns within 5 s of the stop")) {
		/* Its connection threads still use the device: freeing it would crash. */
		printf("Bail out! the UAPI server did not return\n");
		exit(1);
	}
	for (int i = 0; i < N_CONNS; ++i)
		closed += is_closed(f->conns[i]);
	is_int(closed, N_CONNS, "every connection was closed by the server before it returned");
	device_free(f->dev);
	/* Any connection thread left behind would now serve this on the freed device. */
	for (int i = 0; i < N_CONNS; ++i)
		send(f->conns[i], "get=1\n\n", 7, MSG_NOSIGNAL);
	usleep(200 * 1000);
	ok(true, "late requests after the device was freed reach no thread");
}

static struct fixture f = {.uapi = {.fd = -1}};

int main(void)
{

	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (!is_int(setup(&f), 0, "a device and its UAPI server start"))
		return tap_done();
	open_conns(&f);
	test_shutdown(&f);
	for (int i = 0; i < N_CONNS; ++i)
		close(f.conns[i]);
	close(f.uapi.fd);
	unlink(f.sun.sun_path);
	rmdir(f.dir);
	close(f.tun_fds[0]);
	close(f.tun_fds[1]);
	return tap_done();
}

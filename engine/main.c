// SPDX-License-Identifier: GPL-2.0
/*
 * wg-engine's process contract, as wireguard-go's: `wg-engine [-f] IFACE`,
 * daemonizing unless told not to, inheriting WG_TUN_FD and WG_UAPI_FD, and
 * exiting cleanly on SIGINT/SIGTERM, on deletion of the UAPI socket and on
 * removal of the interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sodium.h>
#include "clock.h"
#include "aead.h"
#include "device.h"
#include "log.h"
#include "tun.h"
#include "uapi-server.h"

struct options {
	bool foreground;
	const char *iface;
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f, "Usage: %s [-f/--foreground] INTERFACE-NAME\n", prog);
}

static void version(void)
{
	printf("wg-engine v%s\n\nUserspace WireGuard daemon for Linux.\n"
	       "Information available at https://www.wireguard.com.\n",
	       WG_VERSION);
}

/* Interface names as the kernel accepts them. */
static bool iface_is_valid(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; ++s) {
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	}
	return true;
}

/* Returns -1 to go on, else the exit code. */
static int parse_args(struct options *o, int argc, char *argv[])
{
	int i = 1;

	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
		version();
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout, argv[0]);
		return 0;
	}
	if (argc == 3 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--foreground"))) {
		o->foreground = true;
		i = 2;
	}
	if (argc != i + 1 || argv[i][0] == '-') {
		usage(stderr, argv[0]);
		return 1;
	}
	o->iface = argv[i];
	if (!iface_is_valid(o->iface)) {
		fprintf(stderr, "Invalid interface name: `%s'\n", o->iface);
		return 1;
	}
	return -1;
}

/* Reads an inherited fd from the environment; -1 when unset, -2 when bad. */
static int env_fd(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 65535 || fcntl((int)v, F_GETFD) < 0)
		return -2;
	return (int)v;
}

/*
 * WG_ENGINE_TEST_CLOCK_SCALE=N (2..1000) runs the protocol's clock N times as
 * fast, so a soak test sees rekeys, key expiry and keepalives N times as
 * often. For tests only; unset (the normal case) it changes nothing.
 */
static void test_clock_from_env(void)
{
	const char *s = getenv("WG_ENGINE_TEST_CLOCK_SCALE");
	char *end;
	long v;

	if (!s)
		return;
	v = strtol(s, &end, 10);
	if (*end || v < 2 || v > 1000) {
		log_err("Ignoring WG_ENGINE_TEST_CLOCK_SCALE=%s: not 2-1000", s);
		return;
	}
	clock_speedup_install((unsigned int)v);
	log_info("Test clock: protocol timers run %ld times as fast", v);
}

/* Logs which AEAD seals the data, and a WG_ENGINE_AEAD it could not honour. */
static void aead_report(void)
{
	const char *want = getenv("WG_ENGINE_AEAD"), *got = aead_backend();

	if (want && strcmp(want, got))
		log_err("Ignoring WG_ENGINE_AEAD=%s: not builtin, openssl or sodium, or not "
			"available here; using %s",
			want, got);
	log_info("ChaCha20-Poly1305: %s", got);
}

static int open_tun(struct tun *tun, const char *iface)
{
	int fd = env_fd("WG_TUN_FD"), ret;

	if (fd == -2)
		return -EBADF;
	ret = fd >= 0 ? tun_from_fd(tun, fd) : tun_create(tun, iface);
	if (ret == 0)
		fcntl(tun->fd, F_SETFD, FD_CLOEXEC);
	return ret;
}

static int open_uapi(struct uapi_server *u, const char *iface)
{
	int fd = env_fd("WG_UAPI_FD");

	if (fd == -2)
		return -EBADF;
	if (fd >= 0) {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		return uapi_server_adopt(u, fd, iface);
	}
	return uapi_server_listen(u, iface);
}

/* Forks; the parent exits 0 once the child runs on in a new session. */
static int daemonize(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (!getenv("LOG_LEVEL"))
			dup2(null, STDERR_FILENO);
		close(null);
	}
	return 0;
}

static void *uapi_thread(void *arg)
{
	struct device *dev = arg;

	uapi_server_run(device_uapi(dev), dev);
	return NULL;
}

/* Waits for a signal or for the device to ask to stop. */
static void wait_for_stop(struct device *dev, const sigset_t *set)
{
	struct timespec tick = {0, 250 * 1000 * 1000};

	while (!device_is_stopping(dev)) {
		int sig = sigtimedwait(set, NULL, &tick);

		if (sig == SIGINT || sig == SIGTERM) {
			log_info("Shutting down on signal %d", sig);
			break;
		}
	}
	device_request_stop(dev);
}

static int run(struct tun *tun, struct uapi_server *uapi)
{
	struct device *dev;
	pthread_t ut;
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	dev = device_new(tun, uapi);
	if (!dev)
		return -errno;
	ret = device_start(dev);
	if (ret == 0 && pthread_create(&ut, NULL, uapi_thread, dev))
		ret = -EAGAIN;
	if (ret == 0) {
		log_info("Device started");
		wait_for_stop(dev, &set);
		pthread_join(ut, NULL);
	}
	device_free(dev);
	return ret;
}

int main(int argc, char *argv[])
{
	struct options o = {0};
	struct uapi_server uapi = {.fd = -1};
	struct tun tun = {.fd = -1};
	const char *fg = getenv("WG_PROCESS_FOREGROUND");
	int ret = parse_args(&o, argc, argv);

	if (ret >= 0)
		return ret;
	if (fg && !strcmp(fg, "1"))
		o.foreground = true;
	log_set_level(log_level_parse(getenv("LOG_LEVEL")));
	log_set_iface(o.iface);
	test_clock_from_env();
	if (sodium_init() < 0) {
		fprintf(stderr, "Unable to initialise libsodium\n");
		return 1;
	}
	aead_report();
	ret = open_tun(&tun, o.iface);
	if (ret < 0) {
		fprintf(stderr, "Unable to create TUN device %s: %s\n", o.iface, strerror(-ret));
		return 1;
	}
	ret = open_uapi(&uapi, tun.name);
	if (ret < 0) {
		fprintf(stderr, "Unable to create UAPI socket for %s: %s\n", tun.name,
			strerror(-ret));
		tun_close(&tun);
		return 1;
	}
	if (!o.foreground && daemonize() < 0) {
		fprintf(stderr, "Unable to daemonize: %s\n", strerror(errno));
		return 1;
	}
	ret = run(&tun, &uapi);
	uapi_server_close(&uapi);
	tun_close(&tun);
	if (ret < 0)
		log_err("Unable to run: %s", strerror(-ret));
	return ret < 0 ? 1 : 0;
}

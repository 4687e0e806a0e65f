// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/endpoint: host:port splitting, bracketed IPv6 with
 * scopes, wg(8)'s messages for malformed input, name resolution retries, and
 * printing as `wg show` does.
 */
#define _GNU_SOURCE /* unshare */
#include "../lib/tap.h"
#include "endpoint.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>

#define REF_WG "/usr/bin/wg"
#define PUB "EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk="
#define HOST "some.example.org:5"

static void check_print(const char *in, const char *want)
{
	union wgendpoint ep;
	char buf[ENDPOINT_STR_LEN], msg[ENDPOINT_MSG_LEN] = "";

	if (!ok(endpoint_parse_msg(&ep, in, msg, sizeof(msg)), "parses `%s'", in)) {
		diag(msg);
		return;
	}
	endpoint_print(buf, sizeof(buf), &ep);
	is_str(buf, want, "`%s' prints as wg show does", in);
}

static void test_good(void)
{
	union wgendpoint ep;
	char msg[ENDPOINT_MSG_LEN];

	check_print("1.2.3.4:51820", "1.2.3.4:51820");
	check_print("[fd00::1]:51820", "[fd00::1]:51820");
	check_print("fd00::1:51820", "[fd00::1]:51820");
	check_print("[fe80::1%lo]:5", "[fe80::1%lo]:5");
	check_print("[::ffff:1.2.3.4]:7", "[::ffff:1.2.3.4]:7");
	check_print("1.2.3.4:0", "1.2.3.4:0");
	check_print("1.2.3.4:65535", "1.2.3.4:65535");
	check_print("1.2.3.4:domain", "1.2.3.4:53");
	ok(endpoint_parse_msg(&ep, "[fe80::1%lo]:5", msg, sizeof(msg)) &&
	       ep.addr6.sin6_scope_id == if_nametoindex("lo"),
	   "scope names an interface index");
	ok(endpoint_parse_msg(&ep, "1.2.3.4:51820", msg, sizeof(msg)) &&
	       ep.addr4.sin_family == AF_INET && ntohs(ep.addr4.sin_port) == 51820 &&
	       ep.addr4.sin_addr.s_addr == htonl(0x01020304),
	   "IPv4 fields");
	ok(endpoint_parse_msg(&ep, "localhost:9", msg, sizeof(msg)) && endpoint_is_set(&ep),
	   "a host name resolves");
	memset(&ep, 0, sizeof(ep));
	ok(!endpoint_is_set(&ep), "zeroed endpoint is unset");
	endpoint_print(msg, sizeof(msg), &ep);
	is_str(msg, "(none)", "unset endpoint prints (none)");
}

static void test_bad(void)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"1.2.3.4", "Unable to find port of endpoint: `1.2.3.4'"},
	    {"1.2.3.4:", "Unable to find port of endpoint: `1.2.3.4:'"},
	    {"[fd00::1]", "Unable to find port of endpoint: `[fd00::1]'"},
	    {"[fd00::1]:", "Unable to find port of endpoint: `[fd00::1]:'"},
	    {"[fd00::1]x5", "Unable to find port of endpoint: `[fd00::1]x5'"},
	    {"[fd00::1:51820", "Unable to find matching brace of endpoint: `[fd00::1:51820'"},
	    {"1.2.3.4:65536", "Port of endpoint is not in the range 0-65535: `1.2.3.4:65536'"},
	    {"1.2.3.4:999999999999",
	     "Port of endpoint is not in the range 0-65535: `1.2.3.4:999999999999'"},
	    {"1.2.3.4:foo", "Servname not supported for ai_socktype: `1.2.3.4:foo'"},
	    {"", "Unable to parse empty endpoint"},
	};
	union wgendpoint ep;
	char msg[ENDPOINT_MSG_LEN];
	size_t i;

	/* An unknown service may be a passing failure: no retries here. */
	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
		ok(!endpoint_parse_msg(&ep, bad[i].in, msg, sizeof(msg)), "rejects `%s'",
		   bad[i].in);
		is_str(msg, bad[i].msg, "message for `%s'", bad[i].in);
	}
	unsetenv("WG_ENDPOINT_RESOLUTION_RETRIES");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_resolution(void)
{
	union wgendpoint ep;
	char msg[ENDPOINT_MSG_LEN];
	double t;

	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "3", 1);
	t = now();
	ok(!endpoint_parse_msg(&ep, "[]:5", msg, sizeof(msg)), "empty host rejected");
	ok(strstr(msg, ": `[]:5'") != NULL, "resolver message quotes the endpoint");
	ok(!endpoint_parse_msg(&ep, "[fe80::1%nonexistent0]:5", msg, sizeof(msg)),
	   "unknown scope rejected");
	ok(now() - t < 0.9, "no such name is final: no retries");
	unsetenv("WG_ENDPOINT_RESOLUTION_RETRIES");
	ok(endpoint_parse_numeric(&ep, "[fd00::1]:5"), "numeric: bracketed v6");
	ok(endpoint_parse_numeric(&ep, "[fe80::1%lo]:5"), "numeric: scope by name");
	ok(!endpoint_parse_numeric(&ep, "localhost:5"), "numeric: no host names");
	ok(!endpoint_parse_numeric(&ep, "1.2.3.4:domain"), "numeric: no service names");
	ok(!endpoint_parse_numeric(&ep, "1.2.3.4:70000"), "numeric: port range");
	ok(!endpoint_parse_numeric(&ep, "1.2.3.4:+5"), "numeric: digits only in the port");
	ok(!endpoint_parse_numeric(&ep, "fd00::1:5"), "numeric: IPv6 only in brackets");
	ok(!endpoint_parse_numeric(&ep, "1.2.3:5"), "numeric: IPv4 only as a dotted quad");
	ok(!endpoint_parse_numeric(&ep, "[1.2.3.4]:5"), "numeric: no IPv4 in brackets");
}

/* In a child with a private mount namespace whose resolver points nowhere. */
static bool enter_dead_resolver(const char *conf)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return false;
	return mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) == 0;
}

/* Runs ours (wg == false) or Debian's wg; its stderr lands in out. 0 or -1. */
static int run_transient(const char *conf, const char *out, bool wg)
{
	union wgendpoint ep;
	char msg[ENDPOINT_MSG_LEN];
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0 || !enter_dead_resolver(conf))
			_exit(2);
		setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "1", 1);
		if (wg)
			execl(REF_WG, "wg", "set", "lcnone0", "peer", PUB, "endpoint", HOST, NULL);
		if (!wg && !endpoint_parse_msg(&ep, HOST, msg, sizeof(msg)))
			fprintf(stderr, "%s\n", msg);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || WEXITSTATUS(status) == 2)
		return -1;
	return 0;
}

static void test_transient_vs_wg(void)
{
	char dir[] = "/tmp/wgkit-endpoint-XXXXXX", conf[64], ours[64], theirs[64];
	char a[1024] = "", b[1024] = "";
	FILE *f;

	if (geteuid() || access(REF_WG, X_OK) || !mkdtemp(dir))
		return (void)printf("ok %d # skip needs root and " REF_WG "\n", ++tap_count);
	snprintf(conf, sizeof(conf), "%s/resolv.conf", dir);
	snprintf(ours, sizeof(ours), "%s/ours", dir);
	snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
	f = fopen(conf, "w");
	if (f) {
		fputs("nameserver 127.0.0.9\noptions timeout:1 attempts:1\n", f);
		fclose(f);
	}
	if (run_transient(conf, ours, false) || run_transient(conf, theirs, true)) {
		printf("ok %d # skip no private mount namespace here\n", ++tap_count);
	} else {
		f = fopen(ours, "r");
		if (f && fread(a, 1, sizeof(a) - 1, f) == 0)
			a[0] = '\0';
		if (f)
			fclose(f);
		f = fopen(theirs, "r");
		if (f && fread(b, 1, sizeof(b) - 1, f) == 0)
			b[0] = '\0';
		if (f)
			fclose(f);
		ok(strstr(a, "Trying again in 1.00 seconds...") != NULL,
		   "a transient failure is retried, saying so");
		is_str(a, b, "retry messages and final error as " REF_WG);
	}
	unlink(conf);
	unlink(ours);
	unlink(theirs);
	rmdir(dir);
}

int main(void)
{
	test_good();
	test_bad();
	test_resolution();
	test_transient_vs_wg();
	return tap_done();
}

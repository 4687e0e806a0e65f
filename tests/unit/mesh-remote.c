// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh's SSH transport against a fake $WG_MESH_SSH that records its
 * arguments and plays the remote end with a local sh: exit status, output,
 * input delivered byte for byte, unreachable apart from a failed script, the
 * command time limit, and no deadlock on large input and output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "../lib/tap.h"
#include "wg-mesh/remote.h"

static char dir[] = "/tmp/ma-remote.XXXXXX";
static const struct remote_target site = {"tokyo", "root@192.0.2.1"};

static const char fake_ssh[] =
    "#!/bin/sh\n"
    "# A fake ssh: records its arguments, then runs the remote command here.\n"
    "printf '%s\\n' \"$@\" > \"$FAKE_DIR/args\"\n"
    "for last; do :; done\n"
    "case $FAKE_MODE in\n"
    "refuse) echo 'ssh: connect to host 192.0.2.1 port 22: Connection refused' >&2; exit 255 ;;\n"
    "esac\n"
    "exec sh -c \"$last\"\n";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static char *read_file(const char *name)
{
	static char buf[4096];
	char path[128];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int run(const char *script, const char *input, const struct remote_limits *lim,
	       struct remote_result *r)
{
	return remote_run(&site, script, input, input ? strlen(input) : 0, lim, r);
}

static void test_status_and_output(void)
{
	struct remote_result r;
	int ret = run("echo out; echo err >&2; exit 3", NULL, NULL, &r);

	is_int(ret, 0, "a script that fails still ran");
	is_int(r.verdict, REMOTE_FAILED, "exit 3: failed");
	is_int(r.status, 3, "its exit status");
	is_str(r.out.p, "out\n", "stdout without the transport's marker");
	is_str(r.err.p, "err\n", "stderr");
	remote_result_free(&r);
	ret = run("exit 255", NULL, NULL, &r);
	ok(!ret && r.verdict == REMOTE_FAILED && r.status == 255,
	   "a script exiting 255 is a failed script, not an unreachable site");
	remote_result_free(&r);
	ret = run("printf ''", NULL, NULL, &r);
	ok(!ret && r.verdict == REMOTE_OK && r.status == 0 && r.out.len == 0 && r.out.p &&
	       !*r.out.p,
	   "exit 0 with no output: ok, empty strings");
	remote_result_free(&r);
}

static void test_arguments(void)
{
	struct remote_limits lim = {.connect_timeout = 7};
	struct remote_result r;
	const char *args;

	ok(!run("true", NULL, &lim, &r) && r.verdict == REMOTE_OK, "runs through $WG_MESH_SSH");
	remote_result_free(&r);
	args = read_file("args");
	ok(!strncmp(args, "--fake-flag\nwith space\n-T\n", 26),
	   "$WG_MESH_SSH is a command line split by sh, arguments after it");
	ok(strstr(args, "\n-o\nBatchMode=yes\n") && strstr(args, "\n-o\nConnectTimeout=7\n"),
	   "BatchMode=yes and the connect time limit");
	ok(!strstr(args, "StrictHostKeyChecking"), "host keys are never accepted blindly");
	ok(strstr(args, "\nroot@192.0.2.1\nsh -c ") != NULL, "the destination as written");
	ok(!remote_run(&(struct remote_target){"x", "ssh://root@[2001:db8::1]:2222"}, "true", NULL,
		       0, NULL, &r) &&
	       r.verdict == REMOTE_OK,
	   "an ssh:// destination");
	remote_result_free(&r);
	ok(strstr(read_file("args"), "\n-p\n2222\nroot@2001:db8::1\nsh -c ") != NULL,
	   "goes to ssh as -p PORT user@host, brackets dropped (OpenSSH refuses them in URIs)");
	is_int(remote_run(&(struct remote_target){"x", "-oProxyCommand=evil"}, "true", NULL, 0,
			  NULL, &r),
	       -EINVAL, "a destination starting with '-' is refused");
	remote_result_free(&r);
}

static void test_input(void)
{
	static const char conf[] = "[Interface]\nPrivateKey = a'b\"c$d`e\\f\n"
				   "WG_MESH_INPUT_0\nno final blank\n";
	struct remote_result r;

	ok(!run("wg_mesh_input", conf, NULL, &r) && r.verdict == REMOTE_OK, "input read back");
	is_str(r.out.p, conf, "input arrives byte for byte, even quotes and the delimiter");
	remote_result_free(&r);
	ok(!run("cat; echo done", conf, NULL, &r) && !strcmp(r.out.p, "done\n"),
	   "the script's own stdin is empty");
	remote_result_free(&r);
	is_int(run("true", "no newline", NULL, &r), -EINVAL, "input must end in a newline");
	remote_result_free(&r);
}

static void test_unreachable(void)
{
	struct remote_result r;
	int ret;

	setenv("FAKE_MODE", "refuse", 1);
	ret = run("echo never", NULL, NULL, &r);
	unsetenv("FAKE_MODE");
	ok(!ret && r.verdict == REMOTE_UNREACHABLE && r.status == 255, "ssh exit 255: unreachable");
	ok(strstr(r.err.p, "Connection refused") && !strstr(r.out.p, "never"),
	   "ssh's own message is kept");
	is_str(remote_verdict_str(r.verdict), "unreachable", "verdict name");
	remote_result_free(&r);
}

static bool is_gone(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;
	int i;

	for (i = 0; i < 100; ++i) {
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			return true;
		state = 0;
		if (fscanf(f, "%*d %*s %c", &state) != 1)
			state = 0;
		fclose(f);
		if (state == 'Z' || state == 'X')
			return true;
		usleep(20000);
	}
	return false;
}

static void test_timeout(void)
{
	struct remote_limits lim = {.command_timeout_ms = 300};
	struct remote_result r;
	struct timespec a, b;
	char script[256];
	long ms;
	pid_t pid;

	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s/pid; wait", dir);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ok(!run(script, NULL, &lim, &r), "a hanging script");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	ok(r.verdict == REMOTE_TIMEOUT && r.status == -1, "times out");
	ok(ms >= 250 && ms < 5000, "after its time limit (%ld ms)", ms);
	pid = atoi(read_file("pid"));
	ok(pid > 0 && is_gone(pid), "and what it started is killed");
	remote_result_free(&r);
}

static void test_large(void)
{
	struct textbuf in = {0};
	struct remote_result r;
	size_t i;

	for (i = 0; i < 20000; ++i)
		textbuf_printf(&in, "AllowedIPs = 10.%zu.%zu.0/24\n", i / 256, i % 256);
	ok(!remote_run(&site, "wg_mesh_input; wg_mesh_input >&2", in.p, in.len, NULL, &r) &&
	       r.verdict == REMOTE_OK,
	   "%zu bytes in, twice as much out on both pipes", in.len);
	ok(r.out.len == in.len && !memcmp(r.out.p, in.p, in.len) && r.err.len == in.len,
	   "all of it, in order");
	remote_result_free(&r);
	textbuf_free(&in);
}

static void test_quote(void)
{
	struct textbuf b = {0};

	remote_quote(&b, "it's $HOME");
	is_str(b.p, "'it'\\''s $HOME'", "remote_quote");
	textbuf_free(&b);
}

int main(void)
{
	char cmd[160];

	if (!mkdtemp(dir))
		return 1;
	write_file("fake-ssh", fake_ssh, 0755);
	setenv("FAKE_DIR", dir, 1);
	snprintf(cmd, sizeof(cmd), "'%s/fake-ssh' --fake-flag 'with space'", dir);
	setenv("WG_MESH_SSH", cmd, 1);
	test_status_and_output();
	test_arguments();
	test_input();
	test_unreachable();
	test_timeout();
	test_large();
	test_quote();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("could not remove the temporary directory");
	return tap_done();
}

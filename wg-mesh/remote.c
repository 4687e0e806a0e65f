// SPDX-License-Identifier: GPL-2.0
/*
 * Runs a shell script on a site over OpenSSH. The remote command prints a
 * marker line and then evaluates whatever arrives on its stdin: the marker
 * tells a script that ran and failed apart from an ssh that never connected,
 * and the script never competes with its own commands for stdin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sodium.h>
#include "remote.h"
#include "sites.h"

#define MARKER "wg-mesh-remote-v1"
/* Prints the marker, reads the whole script until EOF, runs it with stdin empty. */
#define REMOTE_COMMAND "sh -c 'echo " MARKER "; eval \"$(cat)\"'"
#define MAX_ARGS 16

/* What goes on ssh's command line for a destination. */
struct ssh_args {
	char connect[40];
	char dest[SITES_SSH_USER_LEN + SITES_HOST_LEN + 1];
	char port[8]; /* "" when ssh's default or ssh_config decides */
};

struct child {
	pid_t pid;
	int pidfd, in, out, err; /* in: a socket, so a dead reader gives EPIPE, not SIGPIPE */
};

const char *remote_verdict_str(enum remote_verdict v)
{
	switch (v) {
	case REMOTE_OK:
		return "ok";
	case REMOTE_FAILED:
		return "failed";
	case REMOTE_UNREACHABLE:
		return "unreachable";
	case REMOTE_TIMEOUT:
		return "timed out";
	}
	return "?";
}

void remote_quote(struct textbuf *b, const char *s)
{
	const char *q;

	textbuf_puts(b, "'");
	while ((q = strchr(s, '\''))) {
		textbuf_add(b, s, q - s);
		textbuf_puts(b, "'\\''");
		s = q + 1;
	}
	textbuf_puts(b, s);
	textbuf_puts(b, "'");
}

void remote_install(struct textbuf *b, const char *func, const char *mask, const char *tmp,
		    const char *path)
{
	textbuf_printf(b, "rm -f %1$s\n(umask %2$s && set -C && %3$s > %1$s)\nmv -f %1$s %4$s\n",
		       tmp, mask, func, path);
}

void remote_result_free(struct remote_result *r)
{
	textbuf_free(&r->out);
	textbuf_free(&r->err);
}

/* True when a line of input is exactly delim. */
static bool has_line(const char *input, size_t len, const char *delim)
{
	size_t dlen = strlen(delim);
	const char *p = input, *end = input + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l == dlen && !memcmp(p, delim, dlen))
			return true;
		p += l + 1;
	}
	return false;
}

/* The input as a quoted here-document inside a function, then the script. */
static int build_stdin(struct textbuf *b, const char *script, const char *input, size_t len)
{
	char delim[40];
	unsigned int n = 0;

	if (input) {
		if (!len || input[len - 1] != '\n' || memchr(input, '\0', len))
			return -EINVAL;
		do
			snprintf(delim, sizeof(delim), "WG_MESH_INPUT_%u", n++);
		while (has_line(input, len, delim));
		textbuf_printf(b, "wg_mesh_input() {\ncat <<'%s'\n", delim);
		textbuf_add(b, input, len);
		textbuf_printf(b, "%s\n}\n", delim);
	}
	textbuf_puts(b, script);
	textbuf_puts(b, "\n");
	return b->failed ? -ENOMEM : 0;
}

/*
 * OpenSSH takes ssh:// destinations since 7.7 but not with an IPv6 host in
 * brackets (9.2 still refuses them), so a URI becomes [user@]host and -p.
 */
static int ssh_args_init(struct ssh_args *a, const char *dest, unsigned int timeout)
{
	struct sites_ssh t;

	snprintf(a->connect, sizeof(a->connect), "ConnectTimeout=%u", timeout);
	a->port[0] = '\0';
	if (!dest || !*dest || dest[0] == '-' || strlen(dest) >= sizeof(a->dest))
		return -EINVAL;
	if (strncmp(dest, "ssh://", 6)) {
		strcpy(a->dest, dest);
		return 0;
	}
	if (!sites_parse_ssh(&t, dest))
		return -EINVAL;
	snprintf(a->dest, sizeof(a->dest), "%s%s%s", t.user, *t.user ? "@" : "", t.host);
	if (t.port)
		snprintf(a->port, sizeof(a->port), "%u", t.port);
	return 0;
}

/* argv for ssh, or for sh -c "$WG_MESH_SSH \"$@\"" with the same arguments. */
static void build_argv(const char **argv, const struct ssh_args *a)
{
	const char *wrapper = getenv("WG_MESH_SSH");
	size_t n = 0;

	if (wrapper && *wrapper) {
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = "eval \"$WG_MESH_SSH\" '\"$@\"'";
		argv[n++] = "wg-mesh-ssh";
	} else {
		argv[n++] = "ssh";
	}
	argv[n++] = "-T";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	argv[n++] = "-o";
	argv[n++] = a->connect;
	if (*a->port) {
		argv[n++] = "-p";
		argv[n++] = a->port;
	}
	argv[n++] = a->dest;
	argv[n++] = REMOTE_COMMAND;
	argv[n] = NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_child(struct child *c)
{
	close_fd(&c->pidfd);
	close_fd(&c->in);
	close_fd(&c->out);
	close_fd(&c->err);
}

/* Between fork and exec: only async-signal-safe calls. */
static void exec_child(const char **argv, int in, int out, int err)
{
	setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

static int spawn(struct child *c, const char **argv)
{
	int sv[2] = {-1, -1}, po[2] = {-1, -1}, pe[2] = {-1, -1};
	int ret = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	c->pid = fork();
	if (c->pid < 0) {
		ret = -errno;
		goto out;
	}
	if (!c->pid)
		exec_child(argv, sv[1], po[1], pe[1]);
	setpgid(c->pid, c->pid); /* also here: no race with a kill before the child ran */
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	c->in = sv[0], c->out = po[0], c->err = pe[0];
	sv[0] = po[0] = pe[0] = -1;
	fcntl(c->in, F_SETFL, O_NONBLOCK);
out:
	close_fd(&sv[0]), close_fd(&sv[1]), close_fd(&po[0]), close_fd(&po[1]);
	close_fd(&pe[0]), close_fd(&pe[1]);
	return ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Reads what is there into b; false at EOF or on an error. */
static bool drain(int fd, struct textbuf *b)
{
	ssize_t n;

	/* Straight into the buffer: no copy of a key left on the stack. */
	if (!textbuf_reserve(b, 16384))
		return false;
	n = read(fd, b->p + b->len, 16384);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

/* Writes more of stdin; false when done (all written, or the reader left). */
static bool feed(int fd, const struct textbuf *in, size_t *off)
{
	ssize_t n = send(fd, in->p + *off, in->len - *off, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	*off += n;
	if (*off < in->len)
		return true;
	shutdown(fd, SHUT_WR);
	return false;
}

/*
 * Moves data until the child exits or the deadline passes. Output written
 * after the child is gone (by a process it left behind) is not waited for.
 */
static bool pump(struct child *c, const struct textbuf *in, struct remote_result *r,
		 long long deadline)
{
	struct pollfd p[4] = {
	    {c->in, POLLOUT, 0}, {c->out, POLLIN, 0}, {c->err, POLLIN, 0}, {c->pidfd, POLLIN, 0}};
	size_t off = 0;
	bool exited = false;

	if (!in->len)
		close_fd(&c->in);
	while (c->out >= 0 || c->err >= 0) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return false;
		p[0].fd = c->in, p[1].fd = c->out, p[2].fd = c->err;
		if (poll(p, 4, exited ? 0 : (int)left) < 0 && errno != EINTR)
			return false;
		if (p[0].revents && !feed(c->in, in, &off))
			close_fd(&c->in);
		if (p[1].revents && !drain(c->out, &r->out))
			close_fd(&c->out);
		if (p[2].revents && !drain(c->err, &r->err))
			close_fd(&c->err);
		if (exited && !(p[1].revents | p[2].revents))
			break;
		exited = exited || p[3].revents;
		p[3].fd = exited ? -1 : c->pidfd;
	}
	return true;
}

static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The verdict from the marker line, which is then cut from the output. */
static void judge(struct remote_result *r, int status)
{
	size_t mlen = strlen(MARKER);

	r->status = status;
	if (r->out.len > mlen && !memcmp(r->out.p, MARKER "\n", mlen + 1)) {
		memmove(r->out.p, r->out.p + mlen + 1, r->out.len - mlen);
		r->out.len -= mlen + 1;
		sodium_memzero(r->out.p + r->out.len + 1, mlen + 1);
		r->verdict = status ? REMOTE_FAILED : REMOTE_OK;
		return;
	}
	r->verdict = REMOTE_UNREACHABLE;
}

int remote_run(const struct remote_target *t, const char *script, const char *input,
	       size_t input_len, const struct remote_limits *lim, struct remote_result *r)
{
	struct remote_limits dflt = {0};
	struct child c = {.pid = -1, .pidfd = -1, .in = -1, .out = -1, .err = -1};
	struct textbuf in = {0};
	const char *argv[MAX_ARGS];
	struct ssh_args a;
	long long deadline;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!textbuf_reserve(&r->out, 1) || !textbuf_reserve(&r->err, 1))
		return -ENOMEM;
	r->out.p[0] = r->err.p[0] = '\0';
	lim = lim ? lim : &dflt;
	ret = ssh_args_init(&a, t->dest,
			    lim->connect_timeout ? lim->connect_timeout : REMOTE_CONNECT_TIMEOUT);
	if (!ret)
		ret = build_stdin(&in, script, input, input_len);
	if (ret)
		goto out;
	build_argv(argv, &a);
	deadline =
	    now_ms() + (lim->command_timeout_ms ? lim->command_timeout_ms : REMOTE_COMMAND_TIMEOUT);
	ret = spawn(&c, argv);
	if (ret)
		goto out;
	if (!pump(&c, &in, r, deadline)) {
		kill(-c.pid, SIGKILL);
		reap(c.pid);
		r->verdict = REMOTE_TIMEOUT;
		r->status = -1;
		goto out;
	}
	judge(r, reap(c.pid));
out:
	close_child(&c);
	textbuf_free(&in);
	return ret;
}

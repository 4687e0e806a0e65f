// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the external commands wg-quick cannot do itself (nft, resolvconf,
 * iptables-restore, the userspace implementation): fork, an optional pipe
 * feeding its input at a chosen fd, an optional pipe collecting its output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "quick.h"

/* In the child: moves the pipe ends into place and execs. */
static void child(const char *const argv[], int in_fd, int input_fd, int out_fd)
{
	if (in_fd >= 0 && in_fd == input_fd)
		fcntl(in_fd, F_SETFD, 0);
	else if (in_fd >= 0 && dup2(in_fd, input_fd) < 0)
		_exit(127);
	/* Whoever reads a command's output wants it quiet, as `2>/dev/null`. */
	if (out_fd >= 0 && (dup2(out_fd, 1) < 0 || !freopen("/dev/null", "w", stderr)))
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int feed(int fd, const char *input)
{
	size_t len = strlen(input), off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, input + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

static int slurp(int fd, char **output)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf + len, cap - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (cap - len > 1)
			continue;
		nbuf = realloc(buf, cap *= 2);
		if (!nbuf)
			break;
		buf = nbuf;
	}
	buf[len] = '\0';
	*output = buf;
	return 0;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int quick_run(const char *const argv[], const char *input, int input_fd, char **output)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	pid_t pid;

	if ((input && pipe2(in, O_CLOEXEC)) || (output && pipe2(out, O_CLOEXEC)))
		return -errno;
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		child(argv, in[0], input_fd, out[1]);
	if (input) {
		close(in[0]);
		signal(SIGPIPE, SIG_IGN);
		feed(in[1], input);
		close(in[1]);
	}
	if (output) {
		close(out[1]);
		slurp(out[0], output);
		close(out[0]);
	}
	return wait_child(pid);
}

int quick_run_result(struct quick *q, int ret)
{
	if (!ret)
		return 0;
	q->status = ret > 0 ? ret : 1;
	return -1;
}

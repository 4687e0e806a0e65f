// SPDX-License-Identifier: GPL-2.0
/*
 * UAPI sockets: find them, connect to them, and run one get or set per
 * connection. The text itself is lib/uapi's business; this file owns the
 * socket files, the "errno=" answer to a set, and what happens when a server
 * hangs up on a set it refused.
 */
#include "ipc-uapi.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sodium.h>

#include "key.h"
#include "uapi.h"

#define SOCK_SUFFIX ".sock"

static const char *sock_dir_override;

void ipc_uapi_override_dir(const char *dir)
{
	sock_dir_override = dir;
}

static const char *sock_dir(void)
{
	return sock_dir_override ? sock_dir_override : RUNSTATEDIR "/wireguard";
}

/* Fills ADDR with DIR/IFACE.sock; a name with a slash could escape DIR. */
static int sock_addr(struct sockaddr_un *addr, const char *iface)
{
	int n;

	if (!iface[0] || strchr(iface, '/'))
		return -EINVAL;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	n = snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s" SOCK_SUFFIX, sock_dir(),
		     iface);
	if (n < 0 || (size_t)n >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Connects to IFACE's socket and returns the fd or -errno. A socket file whose
 * server is gone (ECONNREFUSED) is unlinked so it stops being listed.
 */
static int sock_connect(const char *iface)
{
	struct sockaddr_un addr;
	struct stat st;
	int fd, ret;

	ret = sock_addr(&addr, iface);
	if (ret < 0)
		return ret;
	if (stat(addr.sun_path, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EBADF;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		if (ret == -ECONNREFUSED)
			unlink(addr.sun_path);
		close(fd);
		return ret;
	}
	return fd;
}

bool ipc_uapi_has(const char *iface)
{
	int fd = sock_connect(iface);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * One connection: the stream and the buffer stdio uses for it. The buffer is
 * ours so it can be wiped: gets carry the private key and sets may too.
 */
struct conn {
	FILE *f;
	char *buf;
};

#define CONN_BUF_LEN (1 << 16)

static void conn_close(struct conn *c)
{
	if (c->f)
		fclose(c->f);
	if (c->buf)
		sodium_memzero(c->buf, CONN_BUF_LEN);
	free(c->buf);
}

/*
 * A get of 10,000 peers is megabytes of text read a character at a time: a
 * large buffer saves hundreds of read(2) calls, and as one thread owns the
 * stream, stdio need not lock it for every character.
 */
static int conn_open(struct conn *c, const char *iface)
{
	int fd = sock_connect(iface);

	c->f = NULL;
	c->buf = NULL;
	if (fd < 0)
		return fd;
	c->buf = malloc(CONN_BUF_LEN);
	c->f = c->buf ? fdopen(fd, "r+") : NULL;
	if (!c->f) {
		close(fd);
		conn_close(c);
		return -ENOMEM;
	}
	setvbuf(c->f, c->buf, _IOFBF, CONN_BUF_LEN);
	__fsetlocking(c->f, FSETLOCKING_BYCALLER);
	return 0;
}

static int list_append(char **buf, size_t *len, const char *name, size_t n)
{
	char *grown = realloc(*buf, *len + n + 1);

	if (!grown)
		return -ENOMEM;
	memcpy(grown + *len, name, n);
	grown[*len + n] = '\0';
	*buf = grown;
	*len += n + 1;
	return 0;
}

/* The interface name of a directory entry "IFACE.sock", or 0 when it is not one. */
static size_t entry_iface_len(const char *entry)
{
	size_t n = strlen(entry), s = strlen(SOCK_SUFFIX);

	if (n <= s || n - s >= IFNAMSIZ || strcmp(entry + n - s, SOCK_SUFFIX))
		return 0;
	return n - s;
}

int ipc_uapi_list(char **buf, size_t *len)
{
	char name[IFNAMSIZ];
	struct dirent *ent;
	size_t n;
	int ret = 0;
	DIR *dir = opendir(sock_dir());

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (ent = readdir(dir))) {
		n = entry_iface_len(ent->d_name);
		if (!n)
			continue;
		memcpy(name, ent->d_name, n);
		name[n] = '\0';
		if (ipc_uapi_has(name))
			ret = list_append(buf, len, name, n);
	}
	closedir(dir);
	return ret;
}

/*
 * wireguard-go sends the private key but not the public one, and a zero
 * preshared key for a peer without one: derive and normalise like wg does.
 */
static void complete_device(struct wgdevice *dev)
{
	struct wgpeer *peer;

	if ((dev->flags & WGDEVICE_HAS_PRIVATE_KEY) && !(dev->flags & WGDEVICE_HAS_PUBLIC_KEY)) {
		key_public_from_private(dev->public_key, dev->private_key);
		dev->flags |= WGDEVICE_HAS_PUBLIC_KEY;
	}
	for_each_wgpeer (dev, peer) {
		if (key_is_zero(peer->preshared_key))
			peer->flags &= ~WGPEER_HAS_PRESHARED_KEY;
	}
}

int ipc_uapi_get_stream(FILE *f, struct wgdevice *dev)
{
	int ret;

	if (fputs("get=1\n\n", f) < 0 || fflush(f))
		return errno ? -errno : -EIO;
	ret = uapi_read_get(f, dev);
	if (ret < 0)
		return ret;
	complete_device(dev);
	return 0;
}

int ipc_uapi_get(struct wgdevice **out, const char *iface)
{
	struct wgdevice *dev;
	struct conn c;
	int ret;

	*out = NULL;
	ret = conn_open(&c, iface);
	if (ret < 0)
		return ret;
	dev = model_device_new();
	if (!dev) {
		conn_close(&c);
		return -ENOMEM;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", iface);
	ret = ipc_uapi_get_stream(c.f, dev);
	conn_close(&c);
	if (ret < 0) {
		model_device_free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

/* Parses the value of an "errno=" line: an int, optionally negative. */
static int parse_errno_value(const char *value, int *out)
{
	long long num;
	char *end;

	if (value[0] != '-' && (value[0] < '0' || value[0] > '9'))
		return -EPROTO;
	errno = 0;
	num = strtoll(value, &end, 10);
	if (errno || *end || num > INT_MAX || num < INT_MIN)
		return -EPROTO;
	*out = num < 0 ? (int)num : -(int)num;
	return 0;
}

int ipc_uapi_read_errno(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = -EPROTO, value;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break;
		line[n - 1] = '\0';
		if (!line[0])
			break;
		if (!strncmp(line, "errno=", 6)) {
			if (!parse_errno_value(line + 6, &value))
				ret = value;
			break;
		}
	}
	free(line);
	return ret;
}

/*
 * After a write failed because the server hung up (it answers a failed set
 * before it has read all of it, then closes), its "errno=" answer may still
 * wait in the socket: read it from the fd, past stdio's spoiled stream.
 */
static int errno_after_hangup(FILE *f)
{
	char buf[256];
	size_t len = 0;
	ssize_t n;
	FILE *mem;
	int ret;

	while (len < sizeof(buf) - 1 && (n = read(fileno(f), buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	if (!len)
		return -EPIPE;
	mem = fmemopen(buf, len, "r");
	if (!mem)
		return -EPIPE;
	ret = ipc_uapi_read_errno(mem);
	fclose(mem);
	return ret == -EPROTO ? -EPIPE : ret;
}

/*
 * SIGPIPE is held back while we write, so a server that hangs up makes the
 * write fail with EPIPE instead of killing the process. A SIGPIPE this raised
 * is taken off the pending set before the old mask returns, and tells the
 * caller the server is gone (so reading its answer cannot block). A server
 * that closed with our request still unread resets the connection instead:
 * that write fails with ECONNRESET and raises no SIGPIPE, but means the same.
 */
static int write_set(FILE *f, const struct wgdevice *dev, bool *hung_up)
{
	sigset_t pipe, old, pending;
	struct timespec zero = {0};
	bool was_pending, raised, reset;
	int ret;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	ret = uapi_write_set(f, dev);
	if (!ret && fflush(f))
		ret = -errno;
	reset = ret < 0 && errno == ECONNRESET;
	sigpending(&pending);
	raised = !was_pending && sigismember(&pending, SIGPIPE);
	*hung_up = reset || raised;
	if (raised)
		sigtimedwait(&pipe, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int ipc_uapi_set_stream(FILE *f, const struct wgdevice *dev)
{
	bool hung_up;
	int ret = write_set(f, dev, &hung_up), answer;

	if (ret < 0 && hung_up) {
		/* The server's reason beats ours (EPIPE, or EIO from stdio). */
		answer = errno_after_hangup(f);
		return answer == -EPIPE ? ret : answer;
	}
	if (ret < 0)
		return ret;
	return ipc_uapi_read_errno(f);
}

int ipc_uapi_set(const struct wgdevice *dev)
{
	struct conn c;
	int ret = conn_open(&c, dev->name);

	if (ret < 0)
		return ret;
	ret = ipc_uapi_set_stream(c.f, dev);
	conn_close(&c);
	return ret;
}

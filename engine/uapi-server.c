// SPDX-License-Identifier: GPL-2.0
/*
 * Text protocol framing: the first line names the operation, lib/uapi parses
 * and prints the body, the device applies a parsed set atomically. Replies end
 * in "errno=N" where N is 0 or, like wireguard-go, a negative errno. The
 * server joins its connection threads before it returns, so none outlives the device.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sodium.h>
#include "device.h"
#include "log.h"
#include "model.h"
#include "uapi-server.h"
#include "uapi.h"

static int path_for(struct uapi_server *s, const char *iface)
{
	int n = snprintf(s->path, sizeof(s->path), "%s/wireguard/%s.sock", RUNSTATEDIR, iface);

	return n < 0 || (size_t)n >= sizeof(s->path) ? -ENAMETOOLONG : 0;
}

static void remember_ino(struct uapi_server *s)
{
	struct stat st;

	s->ino = stat(s->path, &st) == 0 ? st.st_ino : 0;
}

/* -EADDRINUSE when a live server answers on path, else removes a stale file. */
static int clear_stale(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		ret = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sun->sun_path);
	close(fd);
	return ret;
}

int uapi_server_listen(struct uapi_server *s, const char *iface)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int ret = path_for(s, iface);

	if (ret < 0)
		return ret;
	if (mkdir(RUNSTATEDIR "/wireguard", 0755) == 0)
		chmod(RUNSTATEDIR "/wireguard", 0755); /* whatever the umask */
	else if (errno != EEXIST)
		return -errno;
	memcpy(sun.sun_path, s->path, sizeof(s->path));
	ret = clear_stale(&sun);
	if (ret < 0)
		return ret;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	old = umask(0077);
	ret = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old);
	if (ret == 0 && (chmod(s->path, 0600) < 0 || listen(s->fd, 16) < 0))
		ret = -errno;
	if (ret < 0) {
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	remember_ino(s);
	return 0;
}

int uapi_server_adopt(struct uapi_server *s, int fd, const char *iface)
{
	int ret = path_for(s, iface);

	if (ret < 0)
		return ret;
	s->fd = fd;
	remember_ino(s);
	return 0;
}

bool uapi_server_is_alive(const struct uapi_server *s)
{
	struct stat st;

	if (!s->ino)
		return true;
	return stat(s->path, &st) == 0 && st.st_ino == s->ino;
}

void uapi_server_close(struct uapi_server *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (uapi_server_is_alive(s))
		unlink(s->path);
}

static int serve_get(struct device *dev, FILE *out)
{
	struct wgdevice *m = NULL;
	int ret = device_uapi_get(dev, &m);

	if (ret == 0)
		ret = uapi_write_get(out, m);
	model_device_free(m);
	return ret;
}

enum uapi_request uapi_server_read_request(FILE *in, struct wgdevice **set, int *err)
{
	char line[64];

	*set = NULL;
	*err = 0;
	if (!fgets(line, sizeof(line), in))
		return UAPI_REQUEST_END;
	if (!strcmp(line, "get=1\n")) {
		/* A get has no body: the blank line must follow at once. */
		if (!fgets(line, sizeof(line), in) || strcmp(line, "\n"))
			return UAPI_REQUEST_END;
		return UAPI_REQUEST_GET;
	}
	if (strcmp(line, "set=1\n"))
		return UAPI_REQUEST_END;
	*err = uapi_read_set(in, set);
	if (*err) {
		model_device_free(*set);
		*set = NULL;
	}
	return UAPI_REQUEST_SET;
}

void uapi_server_serve(struct device *dev, FILE *in, FILE *out)
{
	enum uapi_request r;
	struct wgdevice *m;
	int ret;

	/*
	 * Requests already buffered are not answered once the device stops or
	 * the reply cannot be written (the client is gone, or the server shut
	 * the connection down): a client that floods requests without reading
	 * would otherwise hold the stop for as long as the queue lasts.
	 */
	while (!device_is_stopping(dev) &&
	       (r = uapi_server_read_request(in, &m, &ret)) != UAPI_REQUEST_END) {
		if (r == UAPI_REQUEST_GET)
			ret = serve_get(dev, out);
		else if (!ret)
			ret = device_uapi_set(dev, m);
		model_device_free(m);
		/* A set's parsed model is freed between the nodes it made: give its pages back. */
		if (r == UAPI_REQUEST_SET)
			malloc_trim(0);
		if (ret < 0 && !ferror(out))
			log_err("UAPI request failed: %s", strerror(-ret));
		fprintf(out, "errno=%d\n\n", ret);
		if (fflush(out) == EOF || ferror(out))
			break;
	}
}

/* stdio buffers of our own, so the keys that pass through them can be wiped. */
struct conn_bufs {
	char in[4096], out[4096];
};

/*
 * The connections uapi_server_run has spawned and not yet joined. It owns the
 * list; a connection thread only marks itself done, under the lock and before
 * it closes its socket, so the server never shuts down a reused descriptor.
 */
struct conn_set {
	pthread_mutex_t lock;
	struct conn *head; /* caller holds lock */
};

struct conn {
	struct conn *next; /* caller holds set->lock */
	struct conn_set *set;
	struct device *dev;
	pthread_t thread;
	int fd;
	bool done; /* caller holds set->lock */
};

static void mark_done(struct conn *c)
{
	pthread_mutex_lock(&c->set->lock);
	c->done = true;
	pthread_mutex_unlock(&c->set->lock);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct conn_bufs *b = calloc(1, sizeof(*b));
	int fd2 = dup(c->fd);
	FILE *in = fdopen(c->fd, "r"), *out = fd2 >= 0 ? fdopen(fd2, "w") : NULL;

	if (b && in && out && !setvbuf(in, b->in, _IOFBF, sizeof(b->in)) &&
	    !setvbuf(out, b->out, _IOFBF, sizeof(b->out)))
		uapi_server_serve(c->dev, in, out);
	mark_done(c);
	if (in)
		fclose(in);
	else
		close(c->fd);
	if (out)
		fclose(out);
	else if (fd2 >= 0)
		close(fd2);
	if (b)
		sodium_memzero(b, sizeof(*b));
	free(b);
	return NULL;
}

static void spawn_conn(struct conn_set *set, struct device *dev, int fd)
{
	struct conn *c = malloc(sizeof(*c));

	if (!c) {
		close(fd);
		return;
	}
	*c = (struct conn){.set = set, .dev = dev, .fd = fd};
	if (pthread_create(&c->thread, NULL, conn_main, c)) {
		close(fd);
		free(c);
		return;
	}
	pthread_mutex_lock(&set->lock);
	c->next = set->head;
	set->head = c;
	pthread_mutex_unlock(&set->lock);
}

/* Caller holds set->lock. Unlinks the finished connections (every one if all). */
static struct conn *take_conns(struct conn_set *set, bool all)
{
	struct conn **pp = &set->head, *taken = NULL, *c;

	mutex_assert_held(&set->lock);
	while ((c = *pp)) {
		if (!all && !c->done) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		c->next = taken;
		taken = c;
	}
	return taken;
}

/* Joins the finished connection threads, or all of them, and frees their state. */
static void reap_conns(struct conn_set *set, bool all)
{
	struct conn *c, *next;

	pthread_mutex_lock(&set->lock);
	c = take_conns(set, all);
	pthread_mutex_unlock(&set->lock);
	for (; c; c = next) {
		next = c->next;
		pthread_join(c->thread, NULL);
		free(c);
	}
}

/*
 * Wakes every connection still being served, whether blocked reading a
 * request or writing a reply, and waits for its thread: the device they use
 * is freed once we return.
 */
static void stop_conns(struct conn_set *set)
{
	pthread_mutex_lock(&set->lock);
	for (struct conn *c = set->head; c; c = c->next) {
		if (!c->done)
			shutdown(c->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&set->lock);
	reap_conns(set, true);
}

static void accept_loop(struct uapi_server *s, struct device *dev, struct conn_set *set)
{
	struct pollfd p = {.fd = s->fd, .events = POLLIN};

	while (!device_is_stopping(dev)) {
		reap_conns(set, false);
		if (!uapi_server_is_alive(s)) {
			log_info("UAPI socket %s removed, shutting down", s->path);
			device_request_stop(dev);
			break;
		}
		if (poll(&p, 1, 250) <= 0)
			continue;
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd >= 0)
			spawn_conn(set, dev, fd);
	}
}

void uapi_server_run(struct uapi_server *s, struct device *dev)
{
	struct conn_set set = {.head = NULL};

	pthread_mutex_init(&set.lock, NULL);
	accept_loop(s, dev, &set);
	stop_conns(&set);
	pthread_mutex_destroy(&set.lock);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UAPI socket RUNSTATEDIR/wireguard/IFACE.sock (mode 0600): get=1 and
 * set=1 requests as wireguard-go answers them, each connection served by its
 * own thread, any number of requests per connection.
 */
#ifndef ENGINE_UAPI_SERVER_H
#define ENGINE_UAPI_SERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct device;
struct wgdevice;

/* What one request asks for. */
enum uapi_request {
	UAPI_REQUEST_END, /* end of input, or a line that is no request: close the connection */
	UAPI_REQUEST_GET,
	UAPI_REQUEST_SET,
};

struct uapi_server {
	int fd;
	char path[108];
	ino_t ino; /* of the socket file, to notice its deletion */
};

/* Creates the directory (0755) and the listening socket. 0 or -errno. */
int uapi_server_listen(struct uapi_server *s, const char *iface)
    __attribute__((warn_unused_result));
/* Adopts an inherited listening socket (WG_UAPI_FD). */
int uapi_server_adopt(struct uapi_server *s, int fd, const char *iface)
    __attribute__((warn_unused_result));
/*
 * Serves connections until the device stops; run on its own thread. Before it
 * returns it shuts down the connections still open and joins their threads, so
 * the device may be freed as soon as it has.
 */
void uapi_server_run(struct uapi_server *s, struct device *dev);
/* True while the socket file we created is still there. */
bool uapi_server_is_alive(const struct uapi_server *s);
/* Closes the socket and removes the file. */
void uapi_server_close(struct uapi_server *s);
/*
 * Reads one request from in, as the server does: GET after "get=1" and a blank
 * line; SET after "set=1" with *set the parsed change, or NULL and *err the
 * parser's -errno (the reply to send). No device involved: the fuzzer calls it.
 */
enum uapi_request uapi_server_read_request(FILE *in, struct wgdevice **set, int *err)
    __attribute__((warn_unused_result));
/* Answers every request read from in on out; returns at EOF or on a bad operation. */
void uapi_server_serve(struct device *dev, FILE *in, FILE *out);

#endif

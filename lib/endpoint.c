// SPDX-License-Identifier: GPL-2.0
/*
 * host:port endpoints, split and resolved as wg(8) does: "[v6]:port" or
 * "host:port" split at the last colon, getaddrinfo() retried with a growing
 * pause while the failure may pass (anything but "no such name").
 */
#define _GNU_SOURCE /* EAI_NODATA */
#include "endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* WG_ENDPOINT_RESOLUTION_RETRIES: a count, "infinity" (-1), default 15. */
static int resolution_retries(void)
{
	const char *env = getenv("WG_ENDPOINT_RESOLUTION_RETRIES");
	char *end;
	long v;

	if (!env)
		return 15;
	if (!strcmp(env, "infinity"))
		return -1;
	v = strtol(env, &end, 10);
	if (*env == '\0' || *end || v < 0 || v > 1000000)
		return 15;
	return (int)v;
}

static void pause_us(unsigned long us)
{
	struct timespec ts = {.tv_sec = (time_t)(us / 1000000),
			      .tv_nsec = (long)(us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Splits s (a private copy) into host and port; prints wg(8)'s messages. */
static bool split(char *copy, char **host, char **port, const char *orig, char *msg, size_t len)
{
	char *colon;

	if (copy[0] == '[') {
		char *end = strchr(copy, ']');

		if (!end) {
			snprintf(msg, len, "Unable to find matching brace of endpoint: `%s'", orig);
			return false;
		}
		*end = '\0';
		*host = copy + 1;
		colon = end + 1;
		if (*colon != ':')
			colon = NULL;
	} else {
		colon = strrchr(copy, ':');
		*host = copy;
	}
	if (!colon || !colon[1]) {
		snprintf(msg, len, "Unable to find port of endpoint: `%s'", orig);
		return false;
	}
	*colon = '\0';
	*port = colon + 1;
	return true;
}

static bool port_in_range(const char *port, const char *orig, char *msg, size_t len)
{
	const char *p;

	for (p = port; *p; ++p) {
		if (*p < '0' || *p > '9')
			return true; /* A service name: getaddrinfo decides. */
	}
	if (strlen(port) <= 5 && strtoul(port, NULL, 10) <= 65535)
		return true;
	snprintf(msg, len, "Port of endpoint is not in the range 0-65535: `%s'", orig);
	return false;
}

static bool is_permanent(int ret)
{
#ifdef EAI_NODATA
	if (ret == EAI_NODATA)
		return true;
#endif
	return ret == EAI_NONAME || ret == EAI_FAIL;
}

static const char *gai_reason(int ret)
{
	return ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret);
}

/*
 * No such name (EAI_NONAME, EAI_FAIL, EAI_NODATA) is final; anything else may
 * pass, so it is retried with a pause growing by a fifth each time, saying so
 * on stderr as wg(8) does.
 */
static int resolve(struct addrinfo **res, const char *host, const char *port, bool numeric,
		   const char *orig)
{
	const struct addrinfo hints = {.ai_family = AF_UNSPEC,
				       .ai_socktype = SOCK_DGRAM,
				       .ai_protocol = IPPROTO_UDP,
				       .ai_flags = numeric ? AI_NUMERICHOST | AI_NUMERICSERV : 0};
	int retries = numeric ? 0 : resolution_retries(), ret;
	unsigned long timeout = 1000000;

	for (int i = 0;; ++i) {
		ret = getaddrinfo(host, port, &hints, res);
		if (!ret)
			return 0;
		if (is_permanent(ret) || (retries >= 0 && i >= retries))
			return ret;
		fprintf(stderr, "%s: `%s'. Trying again in %.2f seconds...\n", gai_reason(ret),
			orig, (double)timeout / 1000000.0);
		pause_us(timeout);
		timeout = timeout * 6 / 5 > 20000000 ? 20000000 : timeout * 6 / 5;
	}
}

static bool take_result(union wgendpoint *out, const struct addrinfo *res, const char *orig,
			char *msg, size_t len)
{
	if ((res->ai_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in)) ||
	    (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6))) {
		memset(out, 0, sizeof(*out));
		memcpy(out, res->ai_addr, res->ai_addrlen);
		return true;
	}
	snprintf(msg, len, "Neither IPv4 nor IPv6 address found: `%s'", orig);
	return false;
}

/*
 * The UAPI form, as wireguard-go takes it: digits for the port, IPv6 only in
 * brackets, IPv4 only dotted-quad (getaddrinfo() would take "1.2.3" too).
 */
static bool is_strict_numeric(const char *host, const char *port, bool bracketed)
{
	struct in_addr v4;
	const char *p;

	for (p = port; *p; ++p) {
		if (*p < '0' || *p > '9')
			return false;
	}
	if (bracketed)
		return strchr(host, ':') != NULL;
	return inet_pton(AF_INET, host, &v4) == 1;
}

static bool parse(union wgendpoint *out, const char *s, bool numeric, char *msg, size_t len)
{
	char *copy, *host, *port;
	struct addrinfo *res = NULL;
	bool ok = false;
	int ret;

	if (!s || !*s) {
		snprintf(msg, len, "Unable to parse empty endpoint");
		return false;
	}
	copy = strdup(s);
	if (!copy) {
		snprintf(msg, len, "strdup: %s", strerror(errno));
		return false;
	}
	if (!split(copy, &host, &port, s, msg, len) || !port_in_range(port, s, msg, len))
		goto out;
	if (numeric && !is_strict_numeric(host, port, copy[0] == '[')) {
		snprintf(msg, len, "Not a numeric IPv4 or [IPv6] endpoint: `%s'", s);
		goto out;
	}
	ret = resolve(&res, host, port, numeric, s);
	if (ret) {
		snprintf(msg, len, "%s: `%s'", gai_reason(ret), s);
		goto out;
	}
	ok = take_result(out, res, s, msg, len);
	freeaddrinfo(res);
out:
	free(copy);
	return ok;
}

bool endpoint_parse_msg(union wgendpoint *out, const char *s, char *msg, size_t len)
{
	return parse(out, s, false, msg, len);
}

bool endpoint_parse_numeric(union wgendpoint *out, const char *s)
{
	char msg[ENDPOINT_MSG_LEN];

	return parse(out, s, true, msg, sizeof(msg));
}

bool endpoint_is_set(const union wgendpoint *ep)
{
	return ep->addr.sa_family == AF_INET || ep->addr.sa_family == AF_INET6;
}

void endpoint_print(char *buf, size_t len, const union wgendpoint *ep)
{
	char host[NI_MAXHOST], service[NI_MAXSERV];
	socklen_t addrlen = ep->addr.sa_family == AF_INET6 ? sizeof(ep->addr6) : sizeof(ep->addr4);
	int ret;

	if (!endpoint_is_set(ep)) {
		snprintf(buf, len, "(none)");
		return;
	}
	ret = getnameinfo(&ep->addr, addrlen, host, sizeof(host), service, sizeof(service),
			  NI_DGRAM | NI_NUMERICSERV | NI_NUMERICHOST);
	if (ret) {
		snprintf(buf, len, "(none)");
		return;
	}
	if (ep->addr.sa_family == AF_INET6 && strchr(host, ':'))
		snprintf(buf, len, "[%s]:%s", host, service);
	else
		snprintf(buf, len, "%s:%s", host, service);
}

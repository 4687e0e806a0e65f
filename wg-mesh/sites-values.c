// SPDX-License-Identifier: GPL-2.0
/*
 * The values of sites.yaml written as strings that need more than a number:
 * host names, endpoints, SSH destinations and key ages. Pure parsers with no
 * YAML and no diag, so the planner, apply and the tests can use them too.
 */
#include <string.h>
#include <arpa/inet.h>
#include "num.h"
#include "sites-values.h"

bool sites_is_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;
	const char *p;
	char prev = '.';

	if (!len || len > SITES_HOST_LEN - 1)
		return false;
	for (p = s; *p; prev = *p++) {
		if (*p == '.') {
			if (prev == '.' || prev == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
		if ((*p == '-' && prev == '.') || ++label > 63)
			return false;
	}
	/* A name of digits and dots only would be a mistyped IPv4 address. */
	return prev != '-' && strspn(s, "0123456789.") != len;
}

static bool split_port(char *host, uint16_t *port, const char *s)
{
	const char *colon = strrchr(s, ':');
	size_t len;

	*port = 0;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && (end[1] != ':' || !num_parse_u16(port, end + 2) || !*port)))
			return false;
		len = end - s - 1;
		s++;
	} else if (colon && colon == strchr(s, ':')) {
		if (!num_parse_u16(port, colon + 1) || !*port)
			return false;
		len = colon - s;
	} else {
		len = strlen(s); /* no colon, or a bare IPv6 address */
	}
	if (!len || len >= SITES_HOST_LEN)
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	return true;
}

bool sites_parse_endpoint(struct sites_endpoint *out, const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	bool bracketed = s[0] == '[';

	memset(out, 0, sizeof(*out));
	if (!split_port(out->host, &out->port, s))
		return false;
	if (inet_pton(AF_INET6, out->host, buf) == 1) {
		out->family = AF_INET6;
		/* A bare IPv6 address may not carry a port: "2001:db8::1:51820" is ambiguous. */
		return true;
	}
	if (bracketed)
		return false;
	if (inet_pton(AF_INET, out->host, buf) == 1) {
		out->family = AF_INET;
		return true;
	}
	return sites_is_hostname(out->host);
}

/* A login name: letters, digits, '.', '_' and '-', not starting with '-'. */
static bool is_ssh_user(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= SITES_SSH_USER_LEN || s[0] == '-')
		return false;
	for (i = 0; i < len; ++i)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    s[i]))
			return false;
	return true;
}

/* A host name, or a Host alias of ssh_config, which may also hold '_'. */
static bool is_ssh_name(const char *s)
{
	char copy[SITES_HOST_LEN];
	size_t i, len = strlen(s);

	if (!len || len >= sizeof(copy) || s[0] == '_')
		return false;
	for (i = 0; i <= len; ++i)
		copy[i] = s[i] == '_' ? 'u' : s[i];
	return sites_is_hostname(copy);
}

static bool is_address(int family, const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(family, s, buf) == 1;
}

/* host of a "user@host" or "host" form: a name, an IPv4 or a bare IPv6 address. */
static bool parse_ssh_host(struct sites_ssh *out, const char *s, size_t len, bool uri)
{
	if (!len || len >= SITES_HOST_LEN)
		return false;
	memcpy(out->host, s, len);
	out->host[len] = '\0';
	if (is_address(AF_INET, out->host) || is_ssh_name(out->host))
		return true;
	/* In a URI an IPv6 address needs its brackets: [addr]:port is unambiguous. */
	return !uri && is_address(AF_INET6, out->host);
}

/* "[2001:db8::1]:22", "host:22", "host" after ssh://[user@]. */
static bool parse_ssh_uri_host(struct sites_ssh *out, const char *s)
{
	const char *end = s, *colon;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= SITES_HOST_LEN)
			return false;
		memcpy(out->host, s + 1, end - s - 1);
		out->host[end - s - 1] = '\0';
		if (!is_address(AF_INET6, out->host))
			return false;
		colon = ++end;
		if (!*colon)
			return true;
		if (*colon != ':')
			return false;
	} else {
		colon = strchr(s, ':');
		if (!parse_ssh_host(out, s, colon ? (size_t)(colon - s) : strlen(s), true))
			return false;
		if (!colon)
			return true;
	}
	return num_parse_u16(&out->port, colon + 1) && out->port;
}

bool sites_parse_ssh(struct sites_ssh *out, const char *s)
{
	struct sites_ssh tmp;
	const char *at, *host = s;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	if (!strncmp(s, "ssh://", 6)) {
		out->is_uri = true;
		host = s += 6;
	}
	at = strchr(s, '@');
	if (at) {
		if (!is_ssh_user(s, at - s))
			return false;
		memcpy(out->user, s, at - s);
		host = at + 1;
	}
	if (out->is_uri)
		return parse_ssh_uri_host(out, host);
	return parse_ssh_host(out, host, strlen(host), false);
}

bool sites_parse_age(uint64_t *secs, const char *s)
{
	static const struct {
		char unit;
		uint64_t secs;
	} units[] = {{'h', 3600}, {'d', 86400}, {'w', 7 * 86400}, {'y', 365 * 86400}};
	size_t digits = strspn(s, "0123456789"), i;
	uint64_t n = 0;

	if (!digits || digits > 6 || !s[digits] || s[digits + 1])
		return false;
	for (i = 0; i < digits; ++i)
		n = n * 10 + (uint64_t)(s[i] - '0');
	for (i = 0; i < sizeof(units) / sizeof(*units); ++i) {
		if (s[digits] == units[i].unit) {
			*secs = n * units[i].secs;
			return n > 0;
		}
	}
	return false;
}

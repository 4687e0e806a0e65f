// SPDX-License-Identifier: GPL-2.0
/*
 * Strict unsigned parsers. strtoul() alone accepts leading spaces, signs and
 * wraps negative numbers, so every parser first checks that the string is
 * nothing but digits of the right base.
 */
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

/* Digits of the base only, at least one, value <= max. */
static bool parse_base(uint64_t *out, const char *s, int base, uint64_t max)
{
	unsigned long long v;
	const char *p;
	char *end;

	if (!s || !*s)
		return false;
	for (p = s; *p; ++p) {
		if (base == 16 ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
			return false;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool num_parse_u16(uint16_t *out, const char *s)
{
	uint64_t v;

	if (!parse_base(&v, s, 10, UINT16_MAX))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool num_parse_u32(uint32_t *out, const char *s)
{
	uint64_t v;

	if (!parse_base(&v, s, 10, UINT32_MAX))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool num_parse_u32_any(uint32_t *out, const char *s)
{
	uint64_t v;

	if (s && s[0] == '0' && s[1] == 'x') {
		if (!parse_base(&v, s + 2, 16, UINT32_MAX))
			return false;
		*out = (uint32_t)v;
		return true;
	}
	return num_parse_u32(out, s);
}

static bool is_all_digits(const char *s)
{
	for (; *s; ++s) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

/* A service name through getaddrinfo, with wg(8)'s messages. */
static bool parse_service(uint16_t *out, const char *s, char *msg, size_t len)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_DGRAM,
				 .ai_protocol = IPPROTO_UDP,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *res;
	int ret = getaddrinfo(NULL, s, &hints, &res);

	if (ret) {
		snprintf(msg, len, "%s: `%s'",
			 ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret), s);
		return false;
	}
	if (res->ai_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in)) {
		*out = ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port);
	} else if (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6)) {
		*out = ntohs(((struct sockaddr_in6 *)res->ai_addr)->sin6_port);
	} else {
		snprintf(msg, len, "Neither IPv4 nor IPv6 address found: `%s'", s);
		freeaddrinfo(res);
		return false;
	}
	freeaddrinfo(res);
	return true;
}

bool num_parse_port_msg(uint16_t *out, const char *s, char *msg, size_t len)
{
	if (!s || !*s) {
		snprintf(msg, len, "Unable to parse empty port");
		return false;
	}
	/* getaddrinfo() would silently truncate 65536 to 0: refuse it instead. */
	if (is_all_digits(s)) {
		if (num_parse_u16(out, s))
			return true;
		snprintf(msg, len, "Port is not in the range 0-65535: `%s'", s);
		return false;
	}
	return parse_service(out, s, msg, len);
}

bool num_parse_fwmark_msg(uint32_t *out, const char *s, char *msg, size_t len)
{
	if (s && !strcasecmp(s, "off")) {
		*out = 0;
		return true;
	}
	if (num_parse_u32_any(out, s))
		return true;
	snprintf(msg, len, "Fwmark is neither 0/off nor 0-0xffffffff: `%s'", s ? s : "");
	return false;
}

bool num_parse_keepalive_msg(uint16_t *out, const char *s, char *msg, size_t len)
{
	if (s && !strcasecmp(s, "off")) {
		*out = 0;
		return true;
	}
	if (num_parse_u16(out, s))
		return true;
	snprintf(msg, len, "Persistent keepalive interval is neither 0/off nor 1-65535: `%s'",
		 s ? s : "");
	return false;
}

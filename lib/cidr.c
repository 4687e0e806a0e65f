// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and prefixes. An address containing ':' is IPv6, anything else
 * IPv4, as wg(8) decides; the prefix length must be plain decimal digits.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

unsigned int cidr_max_len(uint16_t family)
{
	if (family == AF_INET)
		return 32;
	if (family == AF_INET6)
		return 128;
	return 0;
}

bool cidr_parse_addr(uint16_t *family, void *addr, const char *s)
{
	uint16_t fam = strchr(s, ':') ? AF_INET6 : AF_INET;
	struct in6_addr tmp;

	if (inet_pton(fam, s, &tmp) != 1)
		return false;
	memcpy(addr, &tmp, fam == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr));
	*family = fam;
	return true;
}

/* Plain decimal, no sign, no spaces, at most max. */
static bool parse_prefix(uint8_t *out, const char *s, unsigned int max)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; ++s) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint8_t)v;
	return true;
}

/* Splits "addr/len" into a NUL-terminated address copy; NULL prefix if none. */
static bool split(char addr[CIDR_STR_LEN], const char **prefix, const char *s)
{
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (len >= CIDR_STR_LEN)
		return false;
	memcpy(addr, s, len);
	addr[len] = '\0';
	*prefix = slash ? slash + 1 : NULL;
	return true;
}

enum cidr_error cidr_parse_why(struct wgallowedip *out, const char *s)
{
	char addr[CIDR_STR_LEN];
	const char *prefix;
	struct wgallowedip tmp = {0};

	if (!s || !split(addr, &prefix, s))
		return CIDR_BAD_ADDRESS;
	if (!cidr_parse_addr(&tmp.family, &tmp.ip6, addr))
		return CIDR_BAD_ADDRESS;
	tmp.cidr = (uint8_t)cidr_max_len(tmp.family);
	if (prefix && !parse_prefix(&tmp.cidr, prefix, cidr_max_len(tmp.family)))
		return CIDR_BAD_PREFIX;
	out->family = tmp.family;
	memcpy(&out->ip6, &tmp.ip6, sizeof(tmp.ip6));
	out->cidr = tmp.cidr;
	return CIDR_OK;
}

bool cidr_parse(struct wgallowedip *out, const char *s)
{
	return cidr_parse_why(out, s) == CIDR_OK;
}

bool cidr_parse_msg(struct wgallowedip *out, const char *s, char *msg, size_t len)
{
	char addr[CIDR_STR_LEN];
	const char *prefix;

	switch (cidr_parse_why(out, s)) {
	case CIDR_OK:
		return true;
	case CIDR_BAD_ADDRESS:
		if (s && split(addr, &prefix, s))
			snprintf(msg, len, "Unable to parse IP address: `%s'", addr);
		else
			snprintf(msg, len, "Unable to parse IP address: `%s'", s ? s : "");
		return false;
	case CIDR_BAD_PREFIX:
		snprintf(msg, len, "AllowedIP is not in the correct format: `%s'", s);
		return false;
	}
	return false;
}

void cidr_print_addr(char *buf, size_t len, uint16_t family, const void *addr)
{
	if ((family != AF_INET && family != AF_INET6) || !inet_ntop(family, addr, buf, len)) {
		if (len)
			buf[0] = '\0';
	}
}

void cidr_print(char *buf, size_t len, const struct wgallowedip *aip)
{
	char addr[INET6_ADDRSTRLEN];

	cidr_print_addr(addr, sizeof(addr), aip->family, &aip->ip6);
	snprintf(buf, len, "%s/%u", addr, aip->cidr);
}

void cidr_mask(struct wgallowedip *aip)
{
	uint8_t *bytes = (uint8_t *)&aip->ip6;
	unsigned int max = cidr_max_len(aip->family), i;

	for (i = 0; i < max / 8; ++i) {
		if (i * 8 >= aip->cidr)
			bytes[i] = 0;
		else if (i * 8 + 8 > aip->cidr)
			bytes[i] &= (uint8_t)(0xff00 >> (aip->cidr - i * 8));
	}
}

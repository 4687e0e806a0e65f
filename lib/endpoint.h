/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host:port endpoints. IPv6 goes in brackets ("[fd00::1]:51820", with an
 * optional %scope); names are resolved with getaddrinfo, and failures that may
 * pass are retried like wireguard-tools (WG_ENDPOINT_RESOLUTION_RETRIES,
 * default 15, or "infinity"), announcing each retry on stderr.
 */
#ifndef WG_ENDPOINT_H
#define WG_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"

/* "[" + INET6_ADDRSTRLEN + "%" + IFNAMSIZ + "]:65535" + NUL, rounded up. */
#define ENDPOINT_STR_LEN 96
/* Room for a diagnostic quoting the input (longer input is cut). */
#define ENDPOINT_MSG_LEN 512

/* Parses and resolves; on failure one diagnostic (no newline) is in msg. */
bool endpoint_parse_msg(union wgendpoint *out, const char *s, char *msg, size_t len);
/*
 * The UAPI form, as wireguard-go takes it: a dotted-quad IPv4 or a bracketed
 * IPv6 (with %scope) and a decimal port. Never touches DNS, never sleeps, silent.
 */
bool endpoint_parse_numeric(union wgendpoint *out, const char *s);
/* As `wg show` prints it; "(none)" when the family is 0. */
void endpoint_print(char *buf, size_t len, const union wgendpoint *ep);
/* True when an address family is set. */
bool endpoint_is_set(const union wgendpoint *ep);

#endif

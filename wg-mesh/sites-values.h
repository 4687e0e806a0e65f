/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The values of sites.yaml written as strings: host names, endpoints, SSH
 * destinations and key ages. Pure parsers: no YAML, no diag, no I/O.
 */
#ifndef MESH_SITES_VALUES_H
#define MESH_SITES_VALUES_H

#include <stdbool.h>
#include <stdint.h>
#include "diag.h"

#define SITES_HOST_LEN 254 /* a DNS name is at most 253 characters */

struct sites_endpoint {
	char host[SITES_HOST_LEN]; /* address or name, no brackets */
	uint16_t port;		   /* 0: the mesh port */
	uint16_t family;	   /* AF_INET/AF_INET6 for addresses, 0 for names */
	struct diag_pos pos;
};

/* "192.0.2.1", "[2001:db8::1]:51821", "vpn.example.com:51820": true when valid. */
bool sites_parse_endpoint(struct sites_endpoint *out, const char *s);

#define SITES_SSH_USER_LEN 33 /* login names as useradd(8) takes them: 32 characters */

/*
 * An SSH destination: "user@host", "host" (a name, an address or a Host alias
 * of ssh_config) or "ssh://[user@]host[:port]" (an IPv6 host in brackets).
 * user is "" and port 0 when not given; host has no brackets.
 */
struct sites_ssh {
	char user[SITES_SSH_USER_LEN];
	char host[SITES_HOST_LEN];
	uint16_t port;
	bool is_uri;
};

/* True when s is one of the forms above; out may be NULL. */
bool sites_parse_ssh(struct sites_ssh *out, const char *s);
/* "90d", "12w", "36h", "1y" (365 days) into seconds: true when valid and not 0. */
bool sites_parse_age(uint64_t *secs, const char *s);
/* A DNS name made of letters, digits, '-' and '.' labels of 1..63 characters. */
bool sites_is_hostname(const char *s);

#endif

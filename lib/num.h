/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict number parsers: the whole string must be the number, no sign, no
 * spaces, no overflow. Values as wg(8) accepts them.
 */
#ifndef WG_NUM_H
#define WG_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any diagnostic below, quoted input included (longer input is cut). */
#define NUM_MSG_LEN 512

/* Decimal only. */
bool num_parse_u16(uint16_t *out, const char *s);
bool num_parse_u32(uint32_t *out, const char *s);
/* Decimal, or hex with a 0x prefix. */
bool num_parse_u32_any(uint32_t *out, const char *s);

/*
 * A listen port as wg(8): 0..65535 (0 = pick one at random) or a UDP service
 * name. Unlike wg(8), which lets getaddrinfo() wrap 65536 to 0, numbers above
 * 65535 are refused. On failure, wg(8)'s diagnostic (no newline) is in msg.
 */
bool num_parse_port_msg(uint16_t *out, const char *s, char *msg, size_t len);
/* "off" (any case) = 0, else decimal or 0x hex up to 2^32-1; a diagnostic in msg on failure. */
bool num_parse_fwmark_msg(uint32_t *out, const char *s, char *msg, size_t len);
/* "off" (any case) = 0, else decimal 0..65535; a diagnostic in msg on failure. */
bool num_parse_keepalive_msg(uint16_t *out, const char *s, char *msg, size_t len);

#endif

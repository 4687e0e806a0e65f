// SPDX-License-Identifier: GPL-2.0
/*
 * What every subcommand shares: the program name usage lines print (kept out
 * of main.c so the unit tests that link the subcommands have it), and the
 * number and address formatting the show views use per peer, without the
 * printf machinery that dominated a 10,000-peer `wg show`.
 */
#include <arpa/inet.h>

#include "wg.h"

const char *wg_prog_name = "wg";

const char *wg_utoa(char buf[WG_UTOA_LEN], uint64_t v)
{
	char *p = buf + WG_UTOA_LEN;

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

const char *wg_ip4(char buf[INET_ADDRSTRLEN], const struct in_addr *addr)
{
	const uint8_t *b = (const uint8_t *)&addr->s_addr;
	char num[WG_UTOA_LEN], *out = buf;
	const char *s;
	int i;

	for (i = 0; i < 4; ++i) {
		for (s = wg_utoa(num, b[i]); *s; ++s)
			*out++ = *s;
		*out++ = i < 3 ? '.' : '\0';
	}
	return buf;
}

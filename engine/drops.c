// SPDX-License-Identifier: GPL-2.0
/*
 * The drop counters and their log lines. A log line names the peer as
 * wireguard-go does, by the first and last four characters of its public key.
 */
#include <stdio.h>
#include <string.h>
#include "drops.h"
#include "key.h"
#include "log.h"
#include "peer.h"

_Static_assert(sizeof(((struct device_stats *)0)->drops) == DEVICE_N_DROPS * sizeof(atomic_ulong),
	       "the named counters and the array are the same memory");

const char *const device_drop_names[DEVICE_N_DROPS] = {
#define DROP_NAME(name, text) #name,
    DEVICE_DROPS(DROP_NAME)
#undef DROP_NAME
};

static const char *const drop_texts[DEVICE_N_DROPS] = {
#define DROP_TEXT(name, text) text,
    DEVICE_DROPS(DROP_TEXT)
#undef DROP_TEXT
};

/* "peer(AbCd…WxYz)" for peer, or "unknown peer". */
static void peer_label(char *out, size_t size, const struct peer *peer)
{
	char b64[KEY_B64_LEN];

	if (!peer) {
		snprintf(out, size, "unknown peer");
		return;
	}
	key_to_base64(b64, peer_public_key(peer));
	snprintf(out, size, "peer(%.4s\u2026%.4s)", b64, b64 + 39);
}

void device_drop(struct device_stats *stats, enum device_drop why, const struct peer *peer,
		 unsigned long n)
{
	char who[32];

	atomic_fetch_add(&stats->drops[why], n);
	if (!log_is_verbose())
		return;
	peer_label(who, sizeof(who), peer);
	log_ratelimited("%s: dropped %lu packet%s: %s (%s)", who, n, n == 1 ? "" : "s",
			drop_texts[why], device_drop_names[why]);
}

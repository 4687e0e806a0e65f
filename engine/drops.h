/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the data path drops packets: one counter per reason, counted by
 * device_drop, which also logs the drop (rate-limited, at LOG_LEVEL=verbose)
 * with its reason and peer. The totals reach users in the UAPI get reply as
 * drop_NAME=N lines, an extension the reference tools skip, shown by our
 * `wg show IFACE json` under "drops".
 */
#ifndef ENGINE_DROPS_H
#define ENGINE_DROPS_H

#include <stdatomic.h>

struct peer;

/* X(name, what happened): name is the counter and the UAPI key after "drop_". */
#define DEVICE_DROPS(X)                                                                            \
	X(rx_bad_type, "not a WireGuard message")                                                  \
	X(rx_bad_size, "message of a wrong size")                                                  \
	X(rx_unknown_index, "no keypair with its receiver index")                                  \
	X(rx_expired_key, "keypair too old or used up")                                            \
	X(rx_no_buffer, "no receive buffer free")                                                  \
	X(rx_bad_auth, "authentication failed")                                                    \
	X(rx_replay, "counter replayed or too old")                                                \
	X(rx_bad_inner, "no whole IP packet inside")                                               \
	X(rx_bad_source, "inner source outside the peer's allowed IPs")                            \
	X(rx_handshake_dropped, "handshake queue full, or refused under load")                     \
	X(rx_handshake_bad, "handshake message invalid")                                           \
	X(tx_bad_packet, "malformed packet from the TUN device")                                   \
	X(tx_no_peer, "no peer for the destination")                                               \
	X(tx_no_buffer, "no send buffer free")                                                     \
	X(rx_queue_full, "receive queue full")                                                     \
	X(tx_queue_full, "send queue full")                                                        \
	X(tx_staged_drop, "too many packets waiting for a handshake")

enum device_drop {
#define DROP_ENUM(name, text) DROP_##name,
	DEVICE_DROPS(DROP_ENUM)
#undef DROP_ENUM
	    DEVICE_N_DROPS,
};

/* Every drop counter by name (tests read them so) and by reason (device_drop adds). */
struct device_stats {
	union {
		struct {
#define DROP_FIELD(name, text) atomic_ulong name;
			DEVICE_DROPS(DROP_FIELD)
#undef DROP_FIELD
		};
		atomic_ulong drops[DEVICE_N_DROPS];
	};
	atomic_ulong rx_cookie_sent, handshakes_done;
};

/* The counter names ("rx_bad_size"), by reason. */
extern const char *const device_drop_names[DEVICE_N_DROPS];

/*
 * Counts n packets dropped for why in stats and logs one rate-limited line at
 * LOG_LEVEL=verbose naming the reason and the peer (NULL: not known yet).
 */
void device_drop(struct device_stats *stats, enum device_drop why, const struct peer *peer,
		 unsigned long n);

#endif

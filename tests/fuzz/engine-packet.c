// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the engine's receive path through the protocol core:
 * datagrams reach "us" (a fixed identity with one known peer, "them") and go
 * through the device's dispatch: type and length checks, mac1/mac2 and cookie
 * replies, the handshake steps, data headers, keypair lookup by index,
 * decryption, the replay window and the inner packet's source check.
 *
 * The input is one flags byte, then records: an op byte, a little-endian u16
 * length and that many bytes (fewer at the end). Ops can send the bytes raw,
 * with MACs (and the receiver index) fixed up as the peer would make them,
 * sealed with the peer's session key so they reach the inner packet checks,
 * or run genuine handshakes, move the clock and switch "under load" (both ends'
 * checkers, so cookie replies go both ways).
 * Randomness is a fixed stream, reset for each input, so runs reproduce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <netinet/in.h>
#include <sodium.h>
#include "aead.h"
#include "allowedips.h"
#include "clock.h"
#include "cookie.h"
#include "index.h"
#include "messages.h"
#include "noise.h"
#include "ratelimiter.h"
#include "receive.h"
#include "replay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 64
#define MAX_DATAGRAM 65535

enum op {
	OP_RAW,		  /* the bytes as a datagram */
	OP_FIXED,	  /* the bytes with receiver index and MACs made right */
	OP_SEALED,	  /* le64 counter + plaintext, sealed by them as a data message */
	OP_THEM_INITIATE, /* them: a genuine initiation to us (we answer, they begin a session) */
	OP_US_INITIATE,	  /* us: an initiation to them; they answer into `response' */
	OP_DELIVER,	  /* their last response (again) to us */
	OP_CLOCK,	  /* le32 milliseconds forward */
	OP_LOAD,	  /* toggles under load */
	OP_CLEAR,	  /* our timers' ZERO_KEYS, or only the handshake */
	OP_PATCH,	  /* a genuine initiation or response with bytes overwritten, MACs redone */
	OP_COUNT,
};

/* One end: its identity, its view of the other end, and its device state. */
struct side {
	struct index_table *t;
	struct index_ops ops;
	struct noise_local local;
	struct noise_remote remote;
	struct cookie_checker checker;
	struct cookie_maker maker;
	struct ratelimiter *rl;
	struct allowedips aips;
};

static struct side us, them;
static struct clock_fake fake;
static bool under_load;
static struct sockaddr_storage src;
static struct message_handshake_response response;
static bool have_response;

/* ---------------------------------------------------------------- fixed randomness */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *rng_name(void)
{
	return "fuzz-splitmix64";
}

static uint32_t rng_random(void)
{
	return (uint32_t)rng_next();
}

static void rng_buf(void *const buf, const size_t size)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < size; ++i)
		p[i] = (uint8_t)(rng_next() >> 32);
}

static struct randombytes_implementation rng_impl = {
    .implementation_name = rng_name,
    .random = rng_random,
    .buf = rng_buf,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Before sodium_init, which noise_init calls. */
	if (randombytes_set_implementation(&rng_impl) || noise_init())
		abort();
	return 0;
}

/* ---------------------------------------------------------------- the two ends */

static struct noise_remote *us_lookup(void *ctx, const uint8_t *pub)
{
	(void)ctx;
	return !memcmp(pub, them.local.static_public, NOISE_PUBLIC_KEY_LEN) ? &us.remote : NULL;
}

static struct noise_remote *them_lookup(void *ctx, const uint8_t *pub)
{
	(void)ctx;
	return !memcmp(pub, us.local.static_public, NOISE_PUBLIC_KEY_LEN) ? &them.remote : NULL;
}

static void side_identity(struct side *s, uint8_t seed,
			  struct noise_remote *(*lookup)(void *, const uint8_t *))
{
	uint8_t priv[NOISE_PUBLIC_KEY_LEN];

	memset(priv, seed, sizeof(priv));
	s->t = index_table_new(64);
	if (!s->t)
		abort();
	index_table_ops(s->t, &s->ops);
	if (noise_local_init(&s->local, &s->ops, lookup, s) || cookie_checker_init(&s->checker))
		abort();
	noise_local_set_private_key(&s->local, priv);
	cookie_checker_precompute(&s->checker, s->local.static_public);
	s->rl = ratelimiter_new(1024);
	if (!s->rl)
		abort();
	allowedips_init(&s->aips);
}

/* The peer is the other side's identity; allowed IPs 10.0.0.0/24 and fd00::/64 for us. */
static void side_peer(struct side *s, const struct side *other, const uint8_t *psk)
{
	static const uint8_t v4[4] = {10, 0, 0, 0};
	static const uint8_t v6[16] = {0xfd};

	if (noise_remote_init(&s->remote, &s->local, other->local.static_public, psk, &s->remote) ||
	    cookie_maker_init(&s->maker, other->local.static_public))
		abort();
	noise_remote_precompute(&s->remote);
	if (allowedips_insert(&s->aips, AF_INET, v4, 24, &s->remote) ||
	    allowedips_insert(&s->aips, AF_INET6, v6, 64, &s->remote))
		abort();
}

static void side_free(struct side *s)
{
	allowedips_free(&s->aips);
	noise_remote_free(&s->remote);
	cookie_maker_free(&s->maker);
	cookie_checker_free(&s->checker);
	ratelimiter_free(s->rl);
	noise_local_free(&s->local);
	if (index_count(s->t))
		abort(); /* an index outlived its handshake or keypair */
	index_table_free(s->t);
}

static void setup(uint8_t flags)
{
	uint8_t psk[NOISE_SYMMETRIC_KEY_LEN];

	rng_state = flags;
	fake.mono_ns = 1000 * NSEC_PER_SEC;
	fake.wall_ns = 1700000000ULL * NSEC_PER_SEC;
	clock_fake_install(&fake);
	memset(psk, 0x5a, sizeof(psk));
	side_identity(&us, 0x11, us_lookup);
	side_identity(&them, 0x22, them_lookup);
	side_peer(&us, &them, flags & 1 ? psk : NULL);
	side_peer(&them, &us, flags & 1 ? psk : NULL);
	under_load = flags & 2;
	have_response = false;
	memset(&src, 0, sizeof(src));
	if (flags & 4) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&src;

		a->sin6_family = AF_INET6;
		a->sin6_addr.s6_addr[0] = 0x20;
		a->sin6_addr.s6_addr[15] = flags;
		a->sin6_port = htons(51820);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&src;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(0xc0000200U | flags);
		a->sin_port = htons(51820);
	}
}

/* ---------------------------------------------------------------- their replies */

/* Them, receiving our response: as the device does, MACs first. */
static void them_take_response(const struct message_handshake_response *msg)
{
	struct noise_remote *remote;

	if (cookie_checker_validate(&them.checker, msg, sizeof(*msg), (struct sockaddr *)&src,
				    false, NULL, clock_now_ns()) != COOKIE_ACCEPT)
		return;
	if (noise_consume_response(&them.local, msg, &remote))
		return;
	if (remote != &them.remote)
		abort();
	(void)noise_begin_session(remote, clock_now_ns());
}

static void us_receive(const uint8_t *data, size_t size);

/*
 * Them, receiving our initiation: under load they answer with a cookie reply
 * (which we take as the device would), else their response waits in `response'.
 */
static void them_take_initiation(const struct message_handshake_initiation *msg)
{
	struct message_handshake_cookie reply;
	struct noise_remote *remote;

	switch (cookie_checker_validate(&them.checker, msg, sizeof(*msg), (struct sockaddr *)&src,
					under_load, them.rl, clock_now_ns())) {
	case COOKIE_SEND_REPLY:
		if (!cookie_reply_create(&them.checker, &reply, msg, sizeof(*msg),
					 le32toh(msg->sender_index), (struct sockaddr *)&src,
					 clock_now_ns()))
			us_receive((const uint8_t *)&reply, sizeof(reply));
		return;
	case COOKIE_ACCEPT:
		break;
	default:
		return;
	}
	if (noise_consume_initiation(&them.local, msg, &remote, clock_now_ns()))
		return;
	if (remote != &them.remote)
		abort();
	if (noise_create_response(remote, &response))
		return;
	cookie_maker_add_macs(&them.maker, &response, sizeof(response), clock_now_ns());
	have_response = noise_begin_session(remote, clock_now_ns()) == 0;
}

/* ---------------------------------------------------------------- our receive path */

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

/* Opens a data message with kp and runs the checks that follow authentication. */
static void open_data(struct noise_keypair *kp, const uint8_t *msg, uint32_t len,
		      const struct receive_header *h)
{
	uint64_t counter = h->counter, now = clock_now_ns();
	uint32_t sealed = len - MESSAGE_DATA_HEADER_LEN, plain, l;
	uint8_t *buf;

	if (!noise_keypair_can_receive(kp, now))
		return;
	/* Exactly the sealed bytes on the heap, so ASan sees any read past them. */
	buf = malloc(sealed);
	if (!buf)
		abort();
	memcpy(buf, msg + MESSAGE_DATA_HEADER_LEN, sealed);
	if (!aead_open(buf, buf, sealed, counter, kp->recv_key) ||
	    !noise_keypair_check_counter(kp, counter))
		goto out;
	(void)noise_received_with_keypair(&us.remote, kp);
	(void)noise_keypair_wants_rekey_receive(kp, now);
	plain = sealed - AEAD_TAG_LEN;
	l = plain ? receive_inner_len(buf, plain) : 0;
	if (l && allowedips_lookup_src(&us.aips, buf, l) &&
	    allowedips_lookup_src(&us.aips, buf, l) != &us.remote)
		abort();
out:
	free(buf);
}

static void rx_data(const uint8_t *msg, uint32_t len, const struct receive_header *h)
{
	struct index_entry *e;
	struct noise_keypair *kp;

	e = index_lookup(us.t, h->index, INDEX_KEYPAIR);
	if (!e)
		return;
	kp = (struct noise_keypair *)e;
	if (e->kind != INDEX_KEYPAIR || kp->remote != &us.remote || e->peer != &us.remote)
		abort();
	open_data(kp, msg, len, h);
	noise_keypair_put(kp);
}

static void rx_cookie(const struct message_handshake_cookie *msg, const struct receive_header *h)
{
	struct index_entry *e = index_lookup(us.t, h->index, INDEX_HANDSHAKE | INDEX_KEYPAIR);

	if (!e)
		return;
	if (e->peer != &us.remote)
		abort();
	if (e->kind == INDEX_KEYPAIR)
		noise_keypair_put((struct noise_keypair *)e);
	(void)cookie_reply_consume(&us.maker, msg, clock_now_ns());
}

static void rx_initiation(const struct message_handshake_initiation *msg)
{
	struct message_handshake_response resp;
	struct noise_remote *remote;

	if (noise_consume_initiation(&us.local, msg, &remote, clock_now_ns()))
		return;
	if (remote != &us.remote)
		abort();
	if (noise_create_response(remote, &resp))
		return;
	cookie_maker_add_macs(&us.maker, &resp, sizeof(resp), clock_now_ns());
	if (noise_begin_session(remote, clock_now_ns()))
		return;
	them_take_response(&resp);
}

static void rx_response(const struct message_handshake_response *msg)
{
	struct noise_remote *remote;

	if (noise_consume_response(&us.local, msg, &remote))
		return;
	if (remote != &us.remote)
		abort();
	(void)noise_begin_session(remote, clock_now_ns());
}

/* A handshake message of exactly its struct's size, as the handshake thread gets it. */
static void rx_handshake(const uint8_t *msg, enum receive_class type, uint32_t len,
			 const struct receive_header *h)
{
	struct message_handshake_cookie reply;

	if (type == RECEIVE_COOKIE) {
		rx_cookie((const void *)msg, h);
		return;
	}
	switch (cookie_checker_validate(&us.checker, msg, len, (struct sockaddr *)&src, under_load,
					us.rl, clock_now_ns())) {
	case COOKIE_SEND_REPLY:
		if (!cookie_reply_create(&us.checker, &reply, msg, len, get_le32(msg + 4),
					 (struct sockaddr *)&src, clock_now_ns()))
			(void)cookie_reply_consume(&them.maker, &reply, clock_now_ns());
		return;
	case COOKIE_ACCEPT:
		break;
	default:
		return;
	}
	if (type == RECEIVE_INITIATION)
		rx_initiation((const void *)msg);
	else
		rx_response((const void *)msg);
}

/* One datagram, copied to a heap block of exactly its size first. */
static void us_receive(const uint8_t *data, size_t size)
{
	struct receive_header h;
	enum receive_class c;
	uint8_t *msg;

	if (size > MAX_DATAGRAM)
		return;
	msg = malloc(size ? size : 1);
	if (!msg)
		abort();
	memcpy(msg, data, size);
	/* The device's own classification: type, length and the header fields. */
	c = receive_classify(msg, (uint32_t)size, &h);
	if (c == RECEIVE_DATA)
		rx_data(msg, (uint32_t)size, &h);
	else if (c == RECEIVE_INITIATION || c == RECEIVE_RESPONSE || c == RECEIVE_COOKIE)
		rx_handshake(msg, c, (uint32_t)size, &h);
	free(msg);
	fake.mono_ns += NSEC_PER_MSEC;
	fake.wall_ns += NSEC_PER_MSEC;
}

/* ---------------------------------------------------------------- ops */

/* Our open handshake's index goes into what claims to answer it; then their MACs. */
static void op_fixed(const uint8_t *data, size_t size)
{
	uint8_t *msg = malloc(size ? size : 1);
	uint32_t idx = htole32(us.remote.handshake.entry.index);
	struct receive_header h;
	enum receive_class c = receive_classify(data, (uint32_t)size, &h);

	if (!msg)
		abort();
	memcpy(msg, data, size);
	if (c == RECEIVE_RESPONSE)
		memcpy(msg + offsetof(struct message_handshake_response, receiver_index), &idx, 4);
	if (c == RECEIVE_COOKIE)
		memcpy(msg + offsetof(struct message_handshake_cookie, receiver_index), &idx, 4);
	if (c == RECEIVE_INITIATION || c == RECEIVE_RESPONSE)
		cookie_maker_add_macs(&them.maker, msg, size, clock_now_ns());
	us_receive(msg, size);
	free(msg);
}

/* Them, sending the bytes after a le64 counter as a data message with their current keys. */
static void op_sealed(const uint8_t *data, size_t size)
{
	struct noise_keypair *kp = noise_keypair_current_get(&them.remote);
	struct message_data hdr;
	uint64_t counter = 0;
	uint8_t *msg;

	if (!kp)
		return;
	memcpy(&counter, data, size < 8 ? size : 8);
	data += size < 8 ? size : 8;
	size -= size < 8 ? size : 8;
	msg = malloc(message_data_len(size));
	if (!msg)
		abort();
	hdr.header.type = htole32(MESSAGE_DATA);
	hdr.key_idx = htole32(kp->remote_index);
	hdr.counter = counter; /* already little-endian as read */
	memcpy(msg, &hdr, sizeof(hdr));
	aead_seal(msg + sizeof(hdr), data, size, le64toh(counter), kp->send_key);
	noise_keypair_put(kp);
	us_receive(msg, message_data_len(size));
	free(msg);
}

static void op_them_initiate(void)
{
	struct message_handshake_initiation msg;

	if (noise_create_initiation(&them.remote, &msg, clock_wall_ns()))
		return;
	cookie_maker_add_macs(&them.maker, &msg, sizeof(msg), clock_now_ns());
	us_receive((const uint8_t *)&msg, sizeof(msg));
}

static void op_us_initiate(void)
{
	struct message_handshake_initiation msg;

	if (noise_create_initiation(&us.remote, &msg, clock_wall_ns()))
		return;
	cookie_maker_add_macs(&us.maker, &msg, sizeof(msg), clock_now_ns());
	them_take_initiation(&msg);
}

/*
 * data[0] picks a fresh initiation from them (even) or their last response
 * (odd), data[1] an offset after the type; the rest overwrites from there up
 * to the MACs. Lets the fuzzer reach what follows mac1: a zero or low-order
 * ephemeral, a stale timestamp, a wrong index.
 */
static void op_patch(const uint8_t *data, size_t size)
{
	union {
		struct message_handshake_initiation init;
		struct message_handshake_response resp;
	} m;
	size_t len, end, off;

	if (size < 2)
		return;
	if (!(data[0] & 1)) {
		if (noise_create_initiation(&them.remote, &m.init, clock_wall_ns()))
			return;
		len = sizeof(m.init);
	} else if (have_response) {
		m.resp = response;
		len = sizeof(m.resp);
	} else {
		return;
	}
	end = len - sizeof(struct message_macs);
	off = sizeof(struct message_header) + data[1] % (end - sizeof(struct message_header));
	size -= 2;
	memcpy((uint8_t *)&m + off, data + 2, size < end - off ? size : end - off);
	cookie_maker_add_macs(&them.maker, &m, len, clock_now_ns());
	us_receive((const uint8_t *)&m, len);
}

static void op_clock(const uint8_t *data, size_t size)
{
	uint32_t ms = 0;

	memcpy(&ms, data, size < 4 ? size : 4);
	clock_fake_advance(&fake, (uint64_t)le32toh(ms) * NSEC_PER_MSEC);
}

static void run_op(enum op op, const uint8_t *data, size_t size)
{
	switch (op) {
	case OP_RAW:
		us_receive(data, size);
		break;
	case OP_FIXED:
		op_fixed(data, size);
		break;
	case OP_SEALED:
		op_sealed(data, size);
		break;
	case OP_THEM_INITIATE:
		op_them_initiate();
		break;
	case OP_US_INITIATE:
		op_us_initiate();
		break;
	case OP_DELIVER:
		if (have_response)
			us_receive((const uint8_t *)&response, sizeof(response));
		break;
	case OP_CLOCK:
		op_clock(data, size);
		break;
	case OP_LOAD:
		under_load = !under_load;
		break;
	case OP_CLEAR:
		if (size && (data[0] & 1))
			noise_keypairs_clear(&us.remote);
		else
			noise_handshake_clear(&us.remote);
		break;
	case OP_PATCH:
		op_patch(data, size);
		break;
	case OP_COUNT:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int records = 0;

	if (!size)
		return 0;
	setup(data[0]);
	++data;
	--size;
	while (size >= 3 && records++ < MAX_RECORDS) {
		enum op op = (enum op)(data[0] % OP_COUNT);
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		run_op(op, data, len);
		data += len;
		size -= len;
	}
	side_free(&us);
	side_free(&them);
	clock_set_source(NULL);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake against an independent implementation: the Python program at
 * the end of this file (hashlib's BLAKE2s, the cryptography package's X25519
 * and ChaCha20-Poly1305, written from the whitepaper) built an initiation and
 * a response from fixed keys. With the same keys, ephemerals (through a
 * scripted libsodium RNG) and clock, ours must produce the same bytes, accept
 * theirs and derive the same transport keys.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "clock.h"
#include "../lib/engine-pair.h"

static const char vec_si[] = "0002030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f60";
static const char vec_sr[] = "60666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f8081828344";
static const char vec_ei[] = "c8cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e768";
static const char vec_er[] = "000a11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced55c";
static const char vec_psk[] = "01060b10151a1f24292e33383d42474c51565b60656a6f74797e83888d92979c";
static const char vec_init[] =
    "01000000443322114c29f4996985e80d247e80b70303824592ff9fbad74904ea7c3d2bda24e51c12197f3df1f1f385eeca7385af03e3983a5be229054fb3fdc500e176ddd622a02b9e5e64b51975fa696074da3938059ad5d1060d78a6c9458b84a0d366826c68820b3b739187224ed8fc19bb3ee818801b608a07542a64f4f7e3571e9300000000000000000000000000000000";
static const char vec_resp[] =
    "020000008877665544332211bb50ff9e82a574cfbf820e97f60fb9c143ec7415cf514f8cfd98eff59e05961459d024b67afb7e309120084e06e20e368a60a86e9c37188847ac65413b9d008e00000000000000000000000000000000";
static const char vec_i_send[] = "2650f239436f8a3b6b1dd14f32de5e8fa94cb853fe935996621a1a37934fc063";
static const char vec_i_recv[] = "45e91ab210b43ad01953cc0f3369eeab1a1d8abbd158948371e45e06d1e94e96";

static uint8_t script_buf[2][32];
static uint32_t script_random[2] = {0x11223344, 0x55667788};
static int nbuf, nrandom;

static void unhex(uint8_t *out, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2)
		*out++ = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
}

/* The scripted RNG: the two ephemerals, then the two sender indexes, in call order. */
static const char *script_name(void)
{
	return "script";
}

static uint32_t script_next_random(void)
{
	return nrandom < 2 ? script_random[nrandom++] : 0xdeadbeef;
}

static void script_fill(void *buf, size_t size)
{
	if (size == 32 && nbuf < 2)
		memcpy(buf, script_buf[nbuf++], 32);
	else
		memset(buf, 0x5a, size);
}

static struct randombytes_implementation script_rng = {
    .implementation_name = script_name,
    .random = script_next_random,
    .buf = script_fill,
};

static void test_vectors(struct pair_side *a, struct pair_side *b)
{
	uint8_t want_init[148], want_resp[92], send[32], recv[32];
	struct message_handshake_initiation mi;
	struct message_handshake_response mr;
	struct noise_remote *r;

	unhex(want_init, vec_init);
	unhex(want_resp, vec_resp);
	unhex(send, vec_i_send);
	unhex(recv, vec_i_recv);
	is_int(noise_create_initiation(&a->remote, &mi, clock_wall_ns()), 0, "initiation created");
	cookie_maker_add_macs(&a->maker, &mi, sizeof(mi), clock_now_ns());
	is_mem(&mi, want_init, sizeof(mi), "our initiation is byte for byte theirs (with mac1)");
	is_int(noise_consume_initiation(&b->local, (const void *)want_init, &r, clock_now_ns()), 0,
	       "their initiation is accepted");
	ok(r == &b->remote, "and names the right peer");
	is_int(noise_create_response(&b->remote, &mr), 0, "response created");
	cookie_maker_add_macs(&b->maker, &mr, sizeof(mr), clock_now_ns());
	is_mem(&mr, want_resp, sizeof(mr), "our response is byte for byte theirs (with mac1)");
	is_int(noise_consume_response(&a->local, (const void *)want_resp, &r), 0,
	       "their response is accepted");
	ok(!noise_begin_session(&a->remote, clock_now_ns()) &&
	       !noise_begin_session(&b->remote, clock_now_ns()),
	   "both sessions begin");
	ok(a->remote.current && !memcmp(a->remote.current->send_key, send, 32) &&
	       !memcmp(a->remote.current->recv_key, recv, 32),
	   "initiator's transport keys match theirs");
	ok(b->remote.next && !memcmp(b->remote.next->recv_key, send, 32) &&
	       !memcmp(b->remote.next->send_key, recv, 32),
	   "responder's transport keys match theirs");
}

int main(void)
{
	struct clock_fake fake = {10 * NSEC_PER_SEC, 1700000000ULL * NSEC_PER_SEC + 123456789};
	struct pair_side a, b;
	uint8_t psk[32];

	unhex(script_buf[0], vec_ei);
	unhex(script_buf[1], vec_er);
	randombytes_set_implementation(&script_rng);
	if (noise_init())
		return 1;
	clock_fake_install(&fake);
	unhex(a.priv, vec_si);
	unhex(b.priv, vec_sr);
	unhex(psk, vec_psk);
	crypto_scalarmult_curve25519_base(a.pub, a.priv);
	crypto_scalarmult_curve25519_base(b.pub, b.priv);
	if (pair_init(&a, b.pub, psk, NULL) || pair_init(&b, a.pub, psk, NULL))
		return 1;
	test_vectors(&a, &b);
	pair_free(&a);
	pair_free(&b);
	return tap_done();
}

/*
# Independent WireGuard handshake from the whitepaper, with fixed keys.
import hashlib, hmac, struct
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

def H(*parts):
    h = hashlib.blake2s(digest_size=32)
    for p in parts: h.update(p)
    return h.digest()
def MAC(key, data): return hashlib.blake2s(data, key=key, digest_size=16).digest()
def HMAC(key, data): return hmac.new(key, data, hashlib.blake2s).digest()
def KDF(n, key, inp):
    t0 = HMAC(key, inp); out = []; t = b''
    for i in range(1, n + 1):
	t = HMAC(t0, t + bytes([i])); out.append(t)
    return out
def pub(priv):
    return
X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(serialization.Encoding.Raw,
serialization.PublicFormat.Raw) def DH(priv, pubk): return
X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pubk)) def
AEAD(key, counter, pt, ad): return ChaCha20Poly1305(key).encrypt(b'\0'*4 + struct.pack('<Q',
counter), pt, ad) def clamp(b): b = bytearray(b); b[0] &= 248; b[31] = (b[31] & 127) | 64; return
bytes(b)

Si = clamp(bytes(range(1, 33)));  Sr = clamp(bytes(range(101, 133)))
Ei = clamp(bytes(range(201, 233)));  Er = clamp(bytes((7 * i + 3) & 0xff for i in range(32)))
Q = bytes((5 * i + 1) & 0xff for i in range(32))
Spub_i, Spub_r = pub(Si), pub(Sr)
I_i, I_r = 0x11223344, 0x55667788
sec, nsec = 1700000000, 123456789
ts = struct.pack('>QI', (1 << 62) + 10 + sec, nsec & ~((1 << 24) - 1))

C = H(b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s")
Hh = H(C, b"WireGuard v1 zx2c4 Jason@zx2c4.com")
Hh = H(Hh, Spub_r)
Epub_i = pub(Ei)
C, = KDF(1, C, Epub_i)
Hh = H(Hh, Epub_i)
C, k = KDF(2, C, DH(Ei, Spub_r))
enc_static = AEAD(k, 0, Spub_i, Hh); Hh = H(Hh, enc_static)
C, k = KDF(2, C, DH(Si, Spub_r))
enc_ts = AEAD(k, 0, ts, Hh); Hh = H(Hh, enc_ts)
msg = struct.pack('<I', 1) + struct.pack('<I', I_i) + Epub_i + enc_static + enc_ts
mac1 = MAC(H(b"mac1----", Spub_r), msg)
init = msg + mac1 + b'\0' * 16
assert len(init) == 148

Epub_r = pub(Er)
C, = KDF(1, C, Epub_r); Hh = H(Hh, Epub_r)
C, = KDF(1, C, DH(Er, Epub_i))
C, = KDF(1, C, DH(Er, Spub_i))
C, tau, k = KDF(3, C, Q); Hh = H(Hh, tau)
enc_nothing = AEAD(k, 0, b'', Hh); Hh = H(Hh, enc_nothing)
msg = struct.pack('<I', 2) + struct.pack('<I', I_r) + struct.pack('<I', I_i) + Epub_r + enc_nothing
mac1 = MAC(H(b"mac1----", Spub_i), msg)
resp = msg + mac1 + b'\0' * 16
assert len(resp) == 92
Ti_send, Ti_recv = KDF(2, C, b'')
def c(name, b):
    print('static const char %s[] = "%s";' % (name, b.hex()))
for n, v in [('vec_si', Si), ('vec_sr', Sr), ('vec_ei', Ei), ('vec_er', Er), ('vec_psk', Q),
('vec_init', init), ('vec_resp', resp), ('vec_i_send', Ti_send), ('vec_i_recv', Ti_recv)]: c(n, v)
*/

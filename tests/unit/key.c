// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/key: encodings against libsodium's own base64 and hex,
 * every kind of malformed key, and public keys against Debian's `wg pubkey`.
 */
#include "../lib/tap.h"
#include "key.h"

#include <ctype.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sodium.h>

#define REF_WG "/usr/bin/wg"
#define PUBKEY_ROUNDS 300

static const char good_b64[] = "EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk=";

static void test_roundtrips(void)
{
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
	char ours[KEY_B64_LEN], ref[KEY_B64_LEN], hex[KEY_HEX_LEN], refhex[KEY_HEX_LEN];
	int i, b64_ok = 1, hex_ok = 1;

	for (i = 0; i < 2000; ++i) {
		randombytes_buf(key, sizeof(key));
		key_to_base64(ours, key);
		sodium_bin2base64(ref, sizeof(ref), key, sizeof(key),
				  sodium_base64_VARIANT_ORIGINAL);
		b64_ok &= !strcmp(ours, ref) && key_from_base64(back, ours) && key_eq(back, key);
		key_to_hex(hex, key);
		sodium_bin2hex(refhex, sizeof(refhex), key, sizeof(key));
		hex_ok &= !strcmp(hex, refhex) && key_from_hex(back, hex) && key_eq(back, key);
	}
	ok(b64_ok, "base64 matches libsodium and decodes back, 2000 random keys");
	ok(hex_ok, "hex matches libsodium and decodes back, 2000 random keys");
	memset(key, 0xff, sizeof(key));
	key_to_base64(ours, key);
	is_str(ours, "//////////////////////////////////////////8=", "all ones encodes");
	memset(key, 0, sizeof(key));
	key_to_base64(ours, key);
	is_str(ours, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "all zeros encodes");
}

static void test_bad_base64(void)
{
	static const struct {
		const char *b64, *why;
	} bad[] = {
	    {"", "empty"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk", "43 chars, no padding"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mH=", "43 chars"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk==", "45 chars"},
	    {"xEH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk=", "extra leading char"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHkA", "no '=' at the end"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mH==", "two '=' of padding"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHB=", "padding bits set (B)"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHF=", "padding bits set (F)"},
	    {"!H1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHk=", "bad char first"},
	    {"EH1wxAvANDPoduKj7-pXM5Yx1a3UZuCIxykCohf4mHk=", "url-safe '-'"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4m_k=", "url-safe '_'"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4m k=", "space inside"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3U=uCIxykCohf4mHk=", "'=' inside"},
	    {"EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mH\x80=", "high-bit byte"},
	};
	uint8_t key[WG_KEY_LEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i)
		ok(!key_from_base64(key, bad[i].b64), "base64 rejected: %s", bad[i].why);
	ok(!key_from_base64(key, NULL), "base64 rejected: NULL");
	ok(key_from_base64(key, good_b64), "base64 accepted: a real key");
	ok(key_from_base64(key, "EH1wxAvANDPoduKj7+pXM5Yx1a3UZuCIxykCohf4mHE="),
	   "base64 accepted: last char E has zero padding bits");
}

static void test_hex(void)
{
	uint8_t key[WG_KEY_LEN], want[WG_KEY_LEN];
	char hex[KEY_HEX_LEN];

	ok(!key_from_hex(key, ""), "hex rejected: empty");
	ok(!key_from_hex(key, "00"), "hex rejected: short");
	memset(hex, '0', 63);
	hex[63] = '\0';
	ok(!key_from_hex(key, hex), "hex rejected: 63 digits");
	memset(hex, 'a', 64);
	hex[64] = '\0';
	ok(key_from_hex(key, hex), "hex accepted: 64 digits");
	memset(want, 0xaa, sizeof(want));
	is_mem(key, want, WG_KEY_LEN, "hex decodes aa...");
	memset(hex, 'A', 64);
	ok(key_from_hex(key, hex) && key_eq(key, want), "hex accepts upper case");
	hex[10] = 'g';
	ok(!key_from_hex(key, hex), "hex rejected: 'g'");
	hex[10] = ':';
	ok(!key_from_hex(key, hex), "hex rejected: ':' (just past '9')");
	hex[10] = '@';
	ok(!key_from_hex(key, hex), "hex rejected: '@' (just before 'A')");
	ok(!key_from_hex(key, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	   "hex rejected: 65 digits");
}

/* Every byte value in every position: accepted exactly when a hex digit, and decoded right. */
static void test_hex_every_byte(void)
{
	uint8_t key[WG_KEY_LEN];
	char hex[KEY_HEX_LEN];
	unsigned int c, pos, val;
	int all_ok = 1;

	for (pos = 0; pos < KEY_HEX_LEN - 1; ++pos) {
		for (c = 1; c < 256; ++c) {
			memset(hex, '0', KEY_HEX_LEN - 1);
			hex[KEY_HEX_LEN - 1] = '\0';
			hex[pos] = (char)c;
			if (!isxdigit((int)c)) {
				all_ok &= !key_from_hex(key, hex);
				continue;
			}
			val = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
			all_ok &= key_from_hex(key, hex) &&
				  key[pos / 2] == (pos % 2 ? val : val << 4) &&
				  sodium_is_zero(key, pos / 2) &&
				  sodium_is_zero(key + pos / 2 + 1, WG_KEY_LEN - pos / 2 - 1);
		}
	}
	ok(all_ok, "hex: every byte value at every position is accepted or rejected right");
}

static int b64_digit(unsigned int c)
{
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(alphabet, (int)c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

/* Every byte value in every data position of an all-'A' key. */
static void test_base64_every_byte(void)
{
	uint8_t key[WG_KEY_LEN], want[WG_KEY_LEN];
	char b64[KEY_B64_LEN], back[KEY_B64_LEN];
	unsigned int c, pos;
	int d, all_ok = 1;

	for (pos = 0; pos < KEY_B64_LEN - 2; ++pos) {
		for (c = 1; c < 256; ++c) {
			memset(b64, 'A', KEY_B64_LEN - 2);
			b64[KEY_B64_LEN - 2] = '=';
			b64[KEY_B64_LEN - 1] = '\0';
			b64[pos] = (char)c;
			d = b64_digit(c);
			/* The last character carries two padding bits that must be zero. */
			if (d < 0 || (pos == KEY_B64_LEN - 3 && (d & 3))) {
				all_ok &= !key_from_base64(key, b64);
				continue;
			}
			all_ok &= key_from_base64(key, b64);
			key_to_base64(back, key);
			all_ok &= !strcmp(back, b64);
			memset(want, 0, sizeof(want));
			all_ok &= d != 0 || key_eq(key, want);
		}
	}
	ok(all_ok, "base64: every byte value at every position is accepted or rejected right");
}

static void test_predicates(void)
{
	uint8_t a[WG_KEY_LEN] = {0}, b[WG_KEY_LEN] = {0};

	ok(key_is_zero(a), "zero key is zero");
	a[31] = 1;
	ok(!key_is_zero(a), "last byte set is not zero");
	ok(!key_eq(a, b), "keys differing in the last byte differ");
	b[31] = 1;
	ok(key_eq(a, b), "equal keys are equal");
}

static void test_generate(void)
{
	uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN];
	int clamped = 1, i;

	for (i = 0; i < 100; ++i) {
		key_generate_private(k1);
		clamped &= !(k1[0] & 7) && !(k1[31] & 128) && (k1[31] & 64);
	}
	ok(clamped, "generated private keys are clamped for curve25519");
	key_generate_preshared(k2);
	ok(!key_eq(k1, k2) && !key_is_zero(k2), "preshared keys are random");
}

/* Writes n random private keys, one per line, and returns them. */
static uint8_t (*write_keys(const char *path, int n))[WG_KEY_LEN]
{
	uint8_t(*keys)[WG_KEY_LEN] = calloc((size_t)n, WG_KEY_LEN);
	char b64[KEY_B64_LEN];
	FILE *f = fopen(path, "w");
	int i;

	if (!keys || !f) {
		free(keys);
		if (f)
			fclose(f);
		return NULL;
	}
	for (i = 0; i < n; ++i) {
		/* Unclamped on purpose: wg pubkey clamps, and so must we. */
		randombytes_buf(keys[i], WG_KEY_LEN);
		if (i == 0)
			memset(keys[i], 0, WG_KEY_LEN);
		key_to_base64(b64, keys[i]);
		fprintf(f, "%s\n", b64);
	}
	fclose(f);
	return keys;
}

static void test_pubkey_vs_wg(void)
{
	char dir[] = "/tmp/wgkit-key-XXXXXX", path[64], cmd[256], line[128], b64[KEY_B64_LEN];
	uint8_t(*keys)[WG_KEY_LEN], pub[WG_KEY_LEN];
	int i = 0, same = 0;
	FILE *p;

	if (access(REF_WG, X_OK)) {
		printf("ok %d # skip " REF_WG " not installed\n", ++tap_count);
		return;
	}
	if (!mkdtemp(dir))
		return (void)ok(0, "mkdtemp");
	snprintf(path, sizeof(path), "%s/keys", dir);
	keys = write_keys(path, PUBKEY_ROUNDS);
	snprintf(cmd, sizeof(cmd), "while read -r k; do echo \"$k\" | " REF_WG " pubkey; done < %s",
		 path);
	p = keys ? popen(cmd, "r") : NULL;
	while (p && i < PUBKEY_ROUNDS && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		key_public_from_private(pub, keys[i++]);
		key_to_base64(b64, pub);
		same += !strcmp(line, b64);
	}
	if (p)
		pclose(p);
	is_int(same, PUBKEY_ROUNDS, "public keys match " REF_WG " pubkey for %d keys",
	       PUBKEY_ROUNDS);
	unlink(path);
	rmdir(dir);
	free(keys);
}

int main(void)
{
	ok(key_init() == 0, "libsodium initialises");
	test_roundtrips();
	test_bad_base64();
	test_hex();
	test_hex_every_byte();
	test_base64_every_byte();
	test_predicates();
	test_generate();
	test_pubkey_vs_wg();
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * receive_classify, the one place that sorts datagrams before any lookup or
 * crypto: every type at the lengths around its own, reserved bytes, the
 * header fields it reads, and the inner-length parser that follows opening.
 */
#include <stdio.h>
#include <string.h>
#include <endian.h>
#include "../lib/tap.h"
#include "queue.h"
#include "receive.h"

static const char *const names[] = {"BAD_TYPE", "BAD_SIZE", "INITIATION",
				    "RESPONSE", "COOKIE",   "DATA"};

struct row {
	uint32_t type, len;
	enum receive_class want;
};

static const struct row rows[] = {
    {0, 148, RECEIVE_BAD_TYPE},
    {5, 32, RECEIVE_BAD_TYPE},
    {0xff, 148, RECEIVE_BAD_TYPE},
    {0x101, 148, RECEIVE_BAD_TYPE},
    {1, 147, RECEIVE_BAD_SIZE},
    {1, 148, RECEIVE_INITIATION},
    {1, 149, RECEIVE_BAD_SIZE},
    {2, 91, RECEIVE_BAD_SIZE},
    {2, 92, RECEIVE_RESPONSE},
    {2, 93, RECEIVE_BAD_SIZE},
    {3, 63, RECEIVE_BAD_SIZE},
    {3, 64, RECEIVE_COOKIE},
    {3, 65, RECEIVE_BAD_SIZE},
    {4, 31, RECEIVE_BAD_SIZE},
    {4, 32, RECEIVE_DATA},
    {4, 1500, RECEIVE_DATA},
    {4, ELEM_JUMBO_SIZE - 16, RECEIVE_DATA},
    {4, ELEM_JUMBO_SIZE - 15, RECEIVE_BAD_SIZE},
};

static void test_table(void)
{
	static uint8_t buf[ELEM_JUMBO_SIZE];
	struct receive_header h;
	int good = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
		uint32_t type = htole32(rows[i].type);
		enum receive_class got;

		memset(buf, 0xa5, sizeof(buf));
		memcpy(buf, &type, 4);
		got = receive_classify(buf, rows[i].len, &h);
		if (got == rows[i].want)
			++good;
		else
			printf("# type %#x len %u: got %s, want %s\n", rows[i].type, rows[i].len,
			       names[got], names[rows[i].want]);
	}
	is_int(good, sizeof(rows) / sizeof(rows[0]), "every type at the lengths around its own");
	for (uint32_t len = 0; len < 4; ++len)
		good += receive_classify(buf, len, &h) == RECEIVE_BAD_TYPE;
	is_int(good, sizeof(rows) / sizeof(rows[0]) + 4, "fewer than 4 bytes have no type");
}

static void test_fields(void)
{
	uint8_t msg[148] = {0};
	struct receive_header h;
	uint32_t v32;
	uint64_t v64;

	msg[0] = 4;
	v32 = htole32(0x11223344);
	memcpy(msg + 4, &v32, 4);
	v64 = htole64(0x0102030405060708ULL);
	memcpy(msg + 8, &v64, 8);
	ok(receive_classify(msg, 48, &h) == RECEIVE_DATA && h.index == 0x11223344 &&
	       h.counter == 0x0102030405060708ULL,
	   "data: the receiver index and the counter, little-endian");
	msg[0] = 3;
	ok(receive_classify(msg, 64, &h) == RECEIVE_COOKIE && h.index == 0x11223344 && !h.counter,
	   "cookie reply: the receiver index");
	msg[0] = 2;
	v32 = htole32(0x55667788);
	memcpy(msg + 8, &v32, 4);
	ok(receive_classify(msg, 92, &h) == RECEIVE_RESPONSE && h.index == 0x55667788,
	   "response: the receiver index, after the sender's");
	msg[0] = 1;
	ok(receive_classify(msg, 148, &h) == RECEIVE_INITIATION && !h.index,
	   "initiation: no index of ours");
}

static void test_inner_len(void)
{
	uint8_t p[64] = {0x45, 0, 0, 40};

	is_int(receive_inner_len(p, 48), 40, "IPv4: the header's total length, padding after it");
	is_int(receive_inner_len(p, 39), 0, "IPv4 longer than the plaintext: refused");
	p[3] = 19;
	is_int(receive_inner_len(p, 48), 0, "IPv4 shorter than its header: refused");
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	p[5] = 8;
	is_int(receive_inner_len(p, 64), 48, "IPv6: 40 bytes plus the payload length");
	p[0] = 0x50;
	is_int(receive_inner_len(p, 64), 0, "neither IPv4 nor IPv6: refused");
}

int main(void)
{
	test_table();
	test_fields();
	test_inner_len();
	return tap_done();
}

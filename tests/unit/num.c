// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/num: strict integers, and listen port, fwmark and
 * persistent keepalive values as wg(8) takes them, with its messages.
 */
#include "../lib/tap.h"
#include "num.h"

#include <stdint.h>

static void test_u16_u32(void)
{
	static const char *const bad[] = {
	    "", "-1", "+1", " 1", "1 ", "0x10", "1a", "65536", "99999999999999999999"};
	uint16_t v16 = 0;
	uint32_t v32 = 0;
	size_t i;

	ok(num_parse_u16(&v16, "0") && v16 == 0, "u16: 0");
	ok(num_parse_u16(&v16, "65535") && v16 == 65535, "u16: 65535");
	ok(num_parse_u16(&v16, "00080") && v16 == 80, "u16: leading zeros are decimal");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i)
		ok(!num_parse_u16(&v16, bad[i]), "u16 rejects `%s'", bad[i]);
	ok(!num_parse_u16(&v16, NULL), "u16 rejects NULL");
	ok(num_parse_u32(&v32, "4294967295") && v32 == UINT32_MAX, "u32: 4294967295");
	ok(!num_parse_u32(&v32, "4294967296"), "u32 rejects 4294967296");
	ok(!num_parse_u32(&v32, "-0"), "u32 rejects -0");
	ok(num_parse_u32_any(&v32, "0xffffffff") && v32 == UINT32_MAX, "u32 any: 0xffffffff");
	ok(num_parse_u32_any(&v32, "0x0000000000000001") && v32 == 1, "u32 any: long 0x01");
	ok(!num_parse_u32_any(&v32, "0x"), "u32 any rejects bare 0x");
	ok(!num_parse_u32_any(&v32, "0X10"), "u32 any rejects 0X (as wg)");
	ok(!num_parse_u32_any(&v32, "0x-1"), "u32 any rejects 0x-1");
	ok(!num_parse_u32_any(&v32, "0x100000000"), "u32 any rejects 0x100000000");
}

static void test_port(void)
{
	char msg[NUM_MSG_LEN];
	uint16_t port = 1;

	ok(num_parse_port_msg(&port, "0", msg, sizeof(msg)) && port == 0, "port 0 (random)");
	ok(num_parse_port_msg(&port, "51820", msg, sizeof(msg)) && port == 51820, "port 51820");
	ok(num_parse_port_msg(&port, "65535", msg, sizeof(msg)) && port == 65535, "port 65535");
	ok(!num_parse_port_msg(&port, "65536", msg, sizeof(msg)), "port 65536 rejected");
	is_str(msg, "Port is not in the range 0-65535: `65536'", "port 65536 message");
	ok(!num_parse_port_msg(&port, "", msg, sizeof(msg)), "empty port rejected");
	is_str(msg, "Unable to parse empty port", "empty port message as wg");
	ok(!num_parse_port_msg(&port, "foo", msg, sizeof(msg)), "unknown service rejected");
	is_str(msg, "Servname not supported for ai_socktype: `foo'", "service message as wg");
	ok(!num_parse_port_msg(&port, "-1", msg, sizeof(msg)), "port -1 rejected");
	ok(!num_parse_port_msg(&port, "0x10", msg, sizeof(msg)), "port 0x10 rejected");
	ok(num_parse_port_msg(&port, "domain", msg, sizeof(msg)) && port == 53,
	   "service name resolves as wg: domain = 53");
}

static void test_fwmark(void)
{
	char msg[NUM_MSG_LEN];
	uint32_t mark = 7;

	ok(num_parse_fwmark_msg(&mark, "off", msg, sizeof(msg)) && mark == 0, "fwmark off");
	mark = 7;
	ok(num_parse_fwmark_msg(&mark, "OfF", msg, sizeof(msg)) && mark == 0,
	   "fwmark OfF (case-insensitive, as wg)");
	ok(num_parse_fwmark_msg(&mark, "0x42", msg, sizeof(msg)) && mark == 0x42, "fwmark 0x42");
	ok(num_parse_fwmark_msg(&mark, "010", msg, sizeof(msg)) && mark == 10,
	   "fwmark 010 is decimal");
	ok(num_parse_fwmark_msg(&mark, "4294967295", msg, sizeof(msg)) && mark == UINT32_MAX,
	   "fwmark 2^32-1");
	ok(!num_parse_fwmark_msg(&mark, "4294967296", msg, sizeof(msg)), "fwmark 2^32 rejected");
	is_str(msg, "Fwmark is neither 0/off nor 0-0xffffffff: `4294967296'", "fwmark message");
	ok(!num_parse_fwmark_msg(&mark, "0x", msg, sizeof(msg)), "fwmark 0x rejected");
	ok(!num_parse_fwmark_msg(&mark, "0x1g", msg, sizeof(msg)), "fwmark 0x1g rejected");
	ok(!num_parse_fwmark_msg(&mark, " 1", msg, sizeof(msg)), "fwmark ' 1' rejected");
	ok(!num_parse_fwmark_msg(&mark, "-1", msg, sizeof(msg)), "fwmark -1 rejected");
	ok(!num_parse_fwmark_msg(&mark, "", msg, sizeof(msg)), "fwmark empty rejected");
}

static void test_keepalive(void)
{
	char msg[NUM_MSG_LEN];
	uint16_t ka = 7;

	ok(num_parse_keepalive_msg(&ka, "off", msg, sizeof(msg)) && ka == 0, "keepalive off");
	ok(num_parse_keepalive_msg(&ka, "25", msg, sizeof(msg)) && ka == 25, "keepalive 25");
	ok(num_parse_keepalive_msg(&ka, "0", msg, sizeof(msg)) && ka == 0, "keepalive 0");
	ok(num_parse_keepalive_msg(&ka, "65535", msg, sizeof(msg)) && ka == 65535,
	   "keepalive 65535");
	ok(!num_parse_keepalive_msg(&ka, "65536", msg, sizeof(msg)), "keepalive 65536 rejected");
	is_str(msg, "Persistent keepalive interval is neither 0/off nor 1-65535: `65536'",
	       "keepalive message as wg");
	ok(!num_parse_keepalive_msg(&ka, "0x5", msg, sizeof(msg)), "keepalive 0x5 rejected");
	ok(!num_parse_keepalive_msg(&ka, "-1", msg, sizeof(msg)), "keepalive -1 rejected");
	ok(!num_parse_keepalive_msg(&ka, "", msg, sizeof(msg)), "keepalive empty rejected");
	is_str(msg, "Persistent keepalive interval is neither 0/off nor 1-65535: `'",
	       "empty keepalive message as wg");
}

int main(void)
{
	test_u16_u32();
	test_port();
	test_fwmark();
	test_keepalive();
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/cidr: prefixes and bare addresses of both families, the
 * malformed ones wg(8) refuses (with its messages), printing and masking.
 */
#include "../lib/tap.h"
#include "cidr.h"

static void test_good(void)
{
	static const struct {
		const char *in, *out;
	} good[] = {
	    {"10.0.0.0/8", "10.0.0.0/8"},
	    {"10.1.2.3", "10.1.2.3/32"},
	    {"0.0.0.0/0", "0.0.0.0/0"},
	    {"fd00::/64", "fd00::/64"},
	    {"fd00::1", "fd00::1/128"},
	    {"::/0", "::/0"},
	    {"10.0.0.0/08", "10.0.0.0/8"},
	    {"FD00:0:0::1/128", "fd00::1/128"},
	    {"::ffff:1.2.3.4/128", "::ffff:1.2.3.4/128"},
	    {"192.168.1.77/24", "192.168.1.77/24"},
	};
	struct wgallowedip aip;
	char buf[CIDR_STR_LEN];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); ++i) {
		memset(&aip, 0, sizeof(aip));
		if (!ok(cidr_parse(&aip, good[i].in), "parses `%s'", good[i].in))
			continue;
		cidr_print(buf, sizeof(buf), &aip);
		is_str(buf, good[i].out, "`%s' prints canonically", good[i].in);
	}
	cidr_parse(&aip, "fd00::1/64");
	is_int(aip.family, AF_INET6, "':' means IPv6");
	cidr_parse(&aip, "10.0.0.1");
	is_int(aip.family, AF_INET, "no ':' means IPv4");
}

static void test_bad(void)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"10.0.0.0/33", "AllowedIP is not in the correct format: `10.0.0.0/33'"},
	    {"fd00::/129", "AllowedIP is not in the correct format: `fd00::/129'"},
	    {"garbage", "Unable to parse IP address: `garbage'"},
	    {"10.0.0.0/", "AllowedIP is not in the correct format: `10.0.0.0/'"},
	    {"10.0.0.0/8/8", "AllowedIP is not in the correct format: `10.0.0.0/8/8'"},
	    {"10.0.0.0/+8", "AllowedIP is not in the correct format: `10.0.0.0/+8'"},
	    {"10.0.0.0/-1", "AllowedIP is not in the correct format: `10.0.0.0/-1'"},
	    {"10.0.0.0/0x8", "AllowedIP is not in the correct format: `10.0.0.0/0x8'"},
	    {"10.0.0.0/4294967304",
	     "AllowedIP is not in the correct format: `10.0.0.0/4294967304'"},
	    {"", "Unable to parse IP address: `'"},
	    {"0/0", "Unable to parse IP address: `0'"},
	    {"1.2.3/8", "Unable to parse IP address: `1.2.3'"},
	    {"+10.0.0.0/8", "Unable to parse IP address: `+10.0.0.0'"},
	    {"256.0.0.0/8", "Unable to parse IP address: `256.0.0.0'"},
	    {"fd00:::1/64", "Unable to parse IP address: `fd00:::1'"},
	    {"/8", "Unable to parse IP address: `'"},
	};
	struct wgallowedip aip = {0};
	char msg[CIDR_MSG_LEN], longer[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
		ok(!cidr_parse_msg(&aip, bad[i].in, msg, sizeof(msg)), "rejects `%s'", bad[i].in);
		is_str(msg, bad[i].msg, "message for `%s' as wg", bad[i].in);
	}
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ok(!cidr_parse(&aip, longer), "rejects a 199-character address");
	is_int(cidr_parse_why(&aip, "10.0.0.0/99"), CIDR_BAD_PREFIX, "why: bad prefix");
	is_int(cidr_parse_why(&aip, "x/8"), CIDR_BAD_ADDRESS, "why: bad address");
}

static void test_mask(void)
{
	struct wgallowedip aip = {0};
	char buf[CIDR_STR_LEN];

	cidr_parse(&aip, "10.1.2.3/8");
	cidr_mask(&aip);
	cidr_print(buf, sizeof(buf), &aip);
	is_str(buf, "10.0.0.0/8", "mask /8");
	cidr_parse(&aip, "192.168.1.255/23");
	cidr_mask(&aip);
	cidr_print(buf, sizeof(buf), &aip);
	is_str(buf, "192.168.0.0/23", "mask /23");
	cidr_parse(&aip, "fd00:1234:5678::ffff/33");
	cidr_mask(&aip);
	cidr_print(buf, sizeof(buf), &aip);
	is_str(buf, "fd00:1234::/33", "mask v6 /33");
	cidr_parse(&aip, "1.2.3.4/0");
	cidr_mask(&aip);
	cidr_print(buf, sizeof(buf), &aip);
	is_str(buf, "0.0.0.0/0", "mask /0");
	is_int(cidr_max_len(AF_INET), 32, "v4 max 32");
	is_int(cidr_max_len(AF_INET6), 128, "v6 max 128");
	is_int(cidr_max_len(AF_UNIX), 0, "other families 0");
}

int main(void)
{
	test_good();
	test_bad();
	test_mask();
	return tap_done();
}

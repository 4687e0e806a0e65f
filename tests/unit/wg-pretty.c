// SPDX-License-Identifier: GPL-2.0
/*
 * wg show's human formats: durations, byte counts and the order peers are
 * listed in, checked against what wireguard-tools prints for the same values.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "term.h"
#include "wg/wg.h"
#include "tests/lib/tap.h"

static const char *plain(char *buf)
{
	buf[term_strip(buf, strlen(buf))] = '\0';
	return buf;
}

static void test_duration(void)
{
	static const struct {
		unsigned long long s;
		const char *want;
	} cases[] = {
	    {0, ""},
	    {1, "1 second"},
	    {59, "59 seconds"},
	    {60, "1 minute"},
	    {65, "1 minute, 5 seconds"},
	    {3661, "1 hour, 1 minute, 1 second"},
	    {86400, "1 day"},
	    {65535, "18 hours, 12 minutes, 15 seconds"},
	    {31536000, "1 year"},
	    {40000000, "1 year, 97 days, 23 hours, 6 minutes, 40 seconds"},
	    {63072001, "2 years, 1 second"},
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		pretty_duration(buf, sizeof(buf), cases[i].s);
		is_str(plain(buf), cases[i].want, "%llu seconds", cases[i].s);
	}
	pretty_duration(buf, sizeof(buf), 61);
	is_str(buf, "1 \x1b[36mminute\x1b[0m, 1 \x1b[36msecond\x1b[0m", "units are cyan");
	pretty_duration(buf, 12, 40000000);
	ok(strlen(buf) < 12, "a short buffer truncates instead of overflowing");
}

static void test_bytes(void)
{
	static const struct {
		uint64_t b;
		const char *want;
	} cases[] = {
	    {0, "0 B"},
	    {1023, "1023 B"},
	    {1024, "1.00 KiB"},
	    {1300, "1.27 KiB"},
	    {1048575, "1024.00 KiB"},
	    {1048576, "1.00 MiB"},
	    {1500000, "1.43 MiB"},
	    {1073741824ULL, "1.00 GiB"},
	    {1099511627775ULL, "1024.00 GiB"},
	    {1099511627776ULL, "1.00 TiB"},
	    {18446744073709551615ULL, "16777216.00 TiB"},
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		pretty_bytes(buf, sizeof(buf), cases[i].b);
		is_str(plain(buf), cases[i].want, "%llu bytes", (unsigned long long)cases[i].b);
	}
}

static void test_sort(void)
{
	static const long hs[][2] = {{0, 0}, {5, 0}, {5, 1}, {3, 0}, {0, 1}, {9, 9}};
	static const int want[] = {5, 2, 1, 3, 4, 0};
	struct wgdevice *dev = model_device_new();
	struct wgpeer *peer;
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); ++i) {
		peer = model_peer_append(dev);
		peer->last_handshake_time.tv_sec = hs[i][0];
		peer->last_handshake_time.tv_nsec = hs[i][1];
		peer->public_key[0] = (uint8_t)i;
	}
	pretty_sort_peers(dev);
	for_each_wgpeer (dev, peer) {
		is_int(peer->public_key[0], want[n], "position %d after sorting", n);
		++n;
	}
	is_int(n, 6, "no peer lost");
	ok(dev->last_peer && !dev->last_peer->next_peer && dev->last_peer->public_key[0] == 0,
	   "the list's tail is the peer that never shook hands");
	model_device_free(dev);
}

static void test_numbers(void)
{
	static const uint64_t nums[] = {0, 9, 10, 255, 65535, 4294967296ULL, UINT64_MAX};
	static const char *const ips[] = {"0.0.0.0", "10.0.0.1", "255.255.255.255", "192.0.2.10"};
	char buf[WG_UTOA_LEN], want[32], ip[INET_ADDRSTRLEN], ref[INET_ADDRSTRLEN];
	struct in_addr addr;
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); ++i) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)nums[i]);
		is_str(wg_utoa(buf, nums[i]), want, "wg_utoa(%s)", want);
	}
	for (i = 0; i < sizeof(ips) / sizeof(ips[0]); ++i) {
		inet_pton(AF_INET, ips[i], &addr);
		inet_ntop(AF_INET, &addr, ref, sizeof(ref));
		is_str(wg_ip4(ip, &addr), ref, "wg_ip4 prints %s as inet_ntop", ips[i]);
	}
}

int main(void)
{
	test_numbers();
	test_duration();
	test_bytes();
	test_sort();
	return tap_done();
}

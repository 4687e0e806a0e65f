// SPDX-License-Identifier: GPL-2.0
/*
 * Key age: the keystore's made= dates (written, read back, and keystores
 * from before them still loading, dated by the file's modification time),
 * the age syntax, key-max-age warnings at the name of each old key, and
 * rotating only the keys older than an age.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "wg-mesh/keyage.h"
#include "key.h"

#define DAY 86400

static struct fixture f;

static const struct {
	const char *in;
	int ok;
	uint64_t secs;
} ages[] = {
    {"90d", 1, 90 * DAY}, {"12w", 1, 84 * DAY}, {"36h", 1, 36 * 3600}, {"1y", 1, 365 * DAY},
    {"0d", 0, 0},	  {"90", 0, 0},		{"d", 0, 0},	       {"90m", 0, 0},
    {"9 d", 0, 0},	  {"-1d", 0, 0},	{"90dd", 0, 0},	       {"", 0, 0},
};

static void test_ages(void)
{
	uint64_t secs = 0;
	size_t i;

	for (i = 0; i < sizeof(ages) / sizeof(*ages); ++i) {
		bool got = sites_parse_age(&secs, ages[i].in);

		ok(got == (bool)ages[i].ok && (!got || secs == ages[i].secs), "age `%s' %s",
		   ages[i].in, ages[i].ok ? "parses" : "is refused");
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	chmod(path, 0600);
}

static void test_dates(void)
{
	char dir[] = "/tmp/tpunit.XXXXXX", path[64], line[256];
	struct timeval old[2] = {{1700000000, 0}, {1700000000, 0}};
	struct keystore ks;
	struct keystore_entry *e;
	time_t t;
	FILE *fp;

	if (!ok(mkdtemp(dir) != NULL, "a temporary directory"))
		return;
	snprintf(path, sizeof(path), "%s/sites.keys", dir);
	/* A keystore as wg-mesh wrote it before keys were dated. */
	write_file(path,
		   "# wg-mesh keystore\npsk-secret 6P3jXKSx3uWdakw3wXJrmmp9C3tuYvCiQ5d2RF2Do20=\n"
		   "site tokyo 4EOu0zfVhRknBeAa2WTk3v9LFzCFpE1RWdxeT+oyiWQ= 192.168.0.1/32\n"
		   "client phone YJe3Ll0CeWAzbj7LiM8yiIi5Hy1u2JzEvl9qqd9Pz2M=\n");
	utimes(path, old);
	is_int(keystore_load(&ks, path), 0, "a keystore without dates still loads");
	e = keystore_find(&ks, "tokyo", false);
	ok(e && e->made == 1700000000 && e->n_addrs == 1,
	   "its keys are dated by the file's modification time, addresses kept");
	ok(keystore_find(&ks, "phone", true)->made == 1700000000, "a client without addresses too");
	e->used = keystore_find(&ks, "phone", true)->used = true;
	is_int(keystore_save(&ks, path), 0, "saved again");
	keystore_free(&ks);
	fp = fopen(path, "r");
	while (fgets(line, sizeof(line), fp) && strncmp(line, "site ", 5))
		;
	fclose(fp);
	ok(strstr(line, " made=2023-11-14T22:13:20Z 192.168.0.1/32\n") != NULL,
	   "the date is written between the key and the addresses");
	is_int(keystore_load(&ks, path), 0, "and read back");
	ok(keystore_find(&ks, "tokyo", false)->made == 1700000000, "with the same date");
	keystore_free(&ks);
	write_file(path,
		   "site tokyo 4EOu0zfVhRknBeAa2WTk3v9LFzCFpE1RWdxeT+oyiWQ= made=yesterday\n");
	ok(keystore_load(&ks, path) < 0, "a damaged date is refused like any damaged line");
	keystore_free(&ks);
	ok(keystore_parse_date(&t, "2026-12-03T08:50:38Z") && t == 1796287838 &&
	       !keystore_parse_date(&t, "2026-12-03"),
	   "dates are full UTC times");
	unlink(path);
	rmdir(dir);
}

static const char yaml[] = "mesh:\n"
			   "  tunnel: [10.9.0.0/24]\n"
			   "  key-max-age: 90d\n"
			   "sites:\n"
			   "  a: {endpoint: 192.0.2.1}\n"
			   "  b: {endpoint: 192.0.2.2}\n"
			   "clients:\n"
			   "  phone: {via: a}\n";

static void test_warnings(void)
{
	time_t now = time(NULL);
	uint8_t old_b[WG_KEY_LEN];

	is_int(fixture_plan(&f, yaml, 0), 0, "key-max-age: planned");
	is_int(f.p.warnings.count, 0, "new keys: no warning");
	fixture_free(&f, 1);
	keystore_find(&f.ks, "a", false)->made = now - 100 * DAY;
	keystore_find(&f.ks, "b", false)->made = now - 80 * DAY;
	keystore_find(&f.ks, "phone", true)->made = now - 91 * DAY;
	fixture_plan(&f, yaml, 1);
	is_int(f.p.warnings.count, 2, "two keys are older than 90 days");
	ok(has_error(&f.p.warnings, 5, 3, "the key of site `a' is 100 days old (made ") &&
	       has_error(&f.p.warnings, 5, 3, "`wg-mesh plan --rotate a'"),
	   "a warning at site a's name, with the fix");
	ok(has_error(&f.p.warnings, 8, 3, "client `phone' is 91 days old"), "and at the phone's");
	is_int(f.d.count, 0, "warnings are not errors: the plan is written");
	fixture_free(&f, 1);
	memcpy(old_b, keystore_find(&f.ks, "b", false)->public_key, WG_KEY_LEN);
	is_int(keyage_rotate_older(&f.ks, 90 * DAY, now), 2, "--rotate-older-than 90d renews two");
	ok(key_eq(old_b, keystore_find(&f.ks, "b", false)->public_key),
	   "an 80-day-old key is left alone");
	ok(keystore_find(&f.ks, "a", false)->made >= now, "a rotated key is dated now");
	fixture_plan(&f, yaml, 1);
	is_int(f.p.warnings.count, 0, "after rotating: no warning");
	fixture_free(&f, 0);
}

static void test_many_and_off(void)
{
	static char big[8192];
	size_t off, i;
	int n;

	off = snprintf(big, sizeof(big),
		       "mesh:\n  tunnel: [10.9.0.0/24]\n  key-max-age: 1w\nsites:\n");
	for (i = 0; i < 12; ++i)
		off += snprintf(big + off, sizeof(big) - off, "  s%zu: {endpoint: 192.0.2.%zu}\n",
				i, i + 1);
	fixture_plan(&f, big, 0);
	fixture_free(&f, 1);
	for (i = 0; i < f.ks.n; ++i)
		f.ks.entries[i].made -= 8 * DAY;
	fixture_plan(&f, big, 1);
	n = (int)f.p.warnings.count;
	is_int(n, KEYAGE_SHOWN + 1, "12 old keys: 8 warnings one by one and one for the rest");
	ok(has_error(&f.p.warnings, 3, 16, "4 more keys are older than key-max-age 7d"),
	   "the rest at key-max-age");
	fixture_free(&f, 0);
	fixture_plan(&f, "mesh: {tunnel: [10.9.0.0/24], key-max-age: off}\nsites: {a: {}}\n", 0);
	is_int(f.m->key_max_age, 0, "key-max-age: off");
	fixture_free(&f, 0);
	fixture_plan(&f, "mesh: {tunnel: [10.9.0.0/24], key-max-age: 3 months}\n", 0);
	if (!ok(has_error(&f.d, 1, 44, "not a key age"), "a bad key-max-age at its position"))
		dump_errors(&f.d);
	fixture_free(&f, 0);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_ages();
	test_dates();
	test_warnings();
	test_many_and_off();
	return tap_done();
}

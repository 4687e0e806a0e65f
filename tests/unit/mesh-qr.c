// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh's QR output: the PNG writer's checksums against known values, the
 * PNG structure, the terminal rendering (quiet zone, explicit colours) and
 * the too-large case. Decoding with zbarimg is in tests/netns/mesh-qr.t.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/tap.h"
#include "wg-mesh/qr.h"

static void test_checksums(void)
{
	const unsigned char *s = (const unsigned char *)"123456789";

	is_int(qr_crc32(0, s, 9), 0xCBF43926UL, "CRC-32 check value");
	is_int(qr_crc32(0, (const unsigned char *)"IEND", 4), 0xAE426082UL, "CRC-32 of IEND");
	is_int(qr_adler32(1, (const unsigned char *)"Wikipedia", 9), 0x11E60398UL,
	       "Adler-32 of Wikipedia");
	is_int(qr_adler32(1, s, 0), 1, "Adler-32 of nothing");
}

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void test_png(void)
{
	static unsigned char gray[300 * 300];
	/* Stripes 7 pixels wide: 7 dark, 7 light, ... on every row. */
	unsigned char *png;
	size_t len, i;
	unsigned long idat_len;

	for (i = 0; i < sizeof(gray); ++i)
		gray[i] = ((i % 300) / 7) & 1 ? 0xff : 0;
	if (!ok(!qr_png_encode(&png, &len, gray, 300, 300), "PNG encoded"))
		return;
	ok(!memcmp(png, "\x89PNG\r\n\x1a\n", 8), "PNG signature");
	ok(!memcmp(png + 12, "IHDR", 4) && be32(png + 16) == 300 && be32(png + 20) == 300 &&
	       png[24] == 1 && png[25] == 0,
	   "IHDR: 300x300, 1-bit greyscale");
	is_int(be32(png + 29), qr_crc32(0, png + 12, 17), "IHDR CRC");
	idat_len = be32(png + 33);
	ok(!memcmp(png + 37, "IDAT", 4), "IDAT follows");
	/* 300 rows of 1 + 38 bytes = 11700: one stored block, 2 + 5 + 11700 + 4. */
	is_int(idat_len, 2 + 5 + 11700 + 4, "IDAT: zlib header, one stored block, Adler-32");
	is_int(png[41 + 2], 1, "the only block is final");
	is_int(png[41 + 2 + 5], 0, "rows start with filter type 0");
	is_int(png[41 + 2 + 5 + 1], 0x01, "pixels 0-6 dark, 7 light: 0000 0001");
	is_int(png[41 + 2 + 5 + 2], 0xfc, "then 8-13 light, 14-15 dark: 1111 1100");
	ok(!memcmp(png + len - 8, "IEND\xae\x42\x60\x82", 8), "IEND last");
	is_int(len, 8 + 25 + 12 + idat_len + 12, "no stray bytes");
	free(png);
}

static void test_terminal(void)
{
	char *out = NULL, *big;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	is_int(qr_print_terminal("[Interface]\nPrivateKey = x\n", f), 0, "QR code printed");
	fclose(f);
	ok(!strncmp(out, "\033[30;107m", 9), "explicit black on white");
	ok(!strncmp(out + 9, "      ", 6), "starts with the quiet zone");
	ok(strstr(out, "\u2580") && strstr(out, "\u2584") && strstr(out, "\u2588"),
	   "half blocks and full blocks");
	free(out);
	big = malloc(4000);
	memset(big, 'x', 3999);
	big[3999] = '\0';
	f = fopen("/dev/null", "w");
	is_int(qr_print_terminal(big, f), -EMSGSIZE, "too large for a QR code: -EMSGSIZE");
	fclose(f);
	free(big);
}

int main(void)
{
	test_checksums();
	test_png();
	test_terminal();
	return tap_done();
}

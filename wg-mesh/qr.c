// SPDX-License-Identifier: GPL-2.0
/*
 * QR codes of client configs. The symbol holds a private key, so its module
 * buffer is wiped before it is freed. PNG is written by hand: zlib is not a
 * dependency, and a QR code compresses well enough as stored (uncompressed)
 * deflate blocks guarded by CRC-32 and Adler-32.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>
#include <sodium.h>
#include "textbuf.h"
#include "outfile.h"
#include "qr.h"

/* The symbol for text, and its side in modules with the quiet zone. */
static int encode(QRcode **out, int *size, const char *text)
{
	errno = 0;
	*out = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (*out) {
		*size = (*out)->width + 2 * QR_QUIET;
		return 0;
	}
	return errno == ERANGE || errno == EINVAL ? -EMSGSIZE : -(errno ? errno : ENOMEM);
}

static void release(QRcode *qr)
{
	sodium_memzero(qr->data, (size_t)qr->width * qr->width);
	QRcode_free(qr);
}

/* Dark module at (x, y) in quiet-zone coordinates. */
static int dark(const QRcode *qr, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1;
}

int qr_print_terminal(const char *text, FILE *out)
{
	static const char *const cell[4] = {" ", "\u2580", "\u2584", "\u2588"};
	int x, y, size, ret;
	QRcode *qr;

	ret = encode(&qr, &size, text);
	if (ret)
		return ret;
	/* Two module rows per text row: the upper half block is the top module. */
	for (y = 0; y < size; y += 2) {
		fputs("\033[30;107m", out); /* black on bright white, whatever the theme */
		for (x = 0; x < size; ++x)
			fputs(cell[dark(qr, x, y) | dark(qr, x, y + 1) << 1], out);
		fputs("\033[0m\n", out);
	}
	release(qr);
	return ferror(out) ? -EIO : 0;
}

/* ---------------------------------------------------------------- PNG */

unsigned long qr_crc32(unsigned long crc, const unsigned char *p, size_t len)
{
	uint32_t c = ~(uint32_t)crc;
	int k;

	/* Bitwise, reflected polynomial 0xEDB88320: small images, no table needed. */
	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; ++k)
			c = (c >> 1) ^ (0xEDB88320U & -(c & 1));
	}
	return ~c;
}

unsigned long qr_adler32(unsigned long adler, const unsigned char *p, size_t len)
{
	uint32_t a = adler & 0xffff, b = (adler >> 16) & 0xffff;

	while (len--) {
		a = (a + *p++) % 65521;
		b = (b + a) % 65521;
	}
	return (unsigned long)b << 16 | a;
}

static void put_be32(struct textbuf *b, uint32_t v)
{
	unsigned char x[4] = {v >> 24, v >> 16, v >> 8, v};

	textbuf_add(b, x, 4);
}

/* length, type, data, CRC over type and data */
static void put_chunk(struct textbuf *b, const char *type, const unsigned char *data, size_t len)
{
	size_t start;

	put_be32(b, len);
	start = b->len;
	textbuf_add(b, type, 4);
	if (len)
		textbuf_add(b, data, len);
	if (!b->failed)
		put_be32(b, qr_crc32(0, (unsigned char *)b->p + start, len + 4));
}

/* A zlib stream of stored deflate blocks (at most 65535 bytes each). */
static void zlib_stored(struct textbuf *z, const unsigned char *raw, size_t len)
{
	size_t off = 0, n;
	unsigned char hdr[5];

	textbuf_add(z, "\x78\x01", 2); /* deflate, 32K window, no dictionary, check bits */
	do {
		n = len - off > 65535 ? 65535 : len - off;
		hdr[0] = off + n == len; /* BFINAL, BTYPE 00 */
		hdr[1] = n & 0xff;
		hdr[2] = n >> 8;
		hdr[3] = ~n & 0xff;
		hdr[4] = (~n >> 8) & 0xff;
		textbuf_add(z, hdr, 5);
		textbuf_add(z, raw + off, n);
		off += n;
	} while (off < len);
	put_be32(z, qr_adler32(1, raw, len));
}

/* One scanline: filter type 0 (none), then the pixels at one bit each, light = 1. */
static void put_row(struct textbuf *raw, const unsigned char *gray, unsigned int width)
{
	unsigned char byte = 0;
	unsigned int x;

	textbuf_add(raw, "", 1);
	for (x = 0; x < width; ++x) {
		byte |= (gray[x] >= 0x80) << (7 - x % 8);
		if (x % 8 == 7 || x == width - 1) {
			textbuf_add(raw, &byte, 1);
			byte = 0;
		}
	}
}

int qr_png_encode(unsigned char **out, size_t *out_len, const unsigned char *gray,
		  unsigned int width, unsigned int height)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t row = ((size_t)width + 7) / 8 + 1, y;
	struct textbuf png = {0}, z = {0}, raw = {0};
	/* width, height, bit depth 1, colour type 0 (greyscale), deflate, no filter, no interlace
	 */
	unsigned char ihdr[13] = {width >> 24,	width >> 16, width >> 8, width, height >> 24,
				  height >> 16, height >> 8, height,	 1};

	for (y = 0; y < height; ++y)
		put_row(&raw, gray + (size_t)y * width, width);
	zlib_stored(&z, (unsigned char *)raw.p, row * height);
	textbuf_add(&png, sig, sizeof(sig));
	put_chunk(&png, "IHDR", ihdr, sizeof(ihdr));
	put_chunk(&png, "IDAT", (unsigned char *)z.p, z.len);
	put_chunk(&png, "IEND", NULL, 0);
	textbuf_free(&raw);
	textbuf_free(&z);
	if (png.failed || raw.failed || z.failed) {
		textbuf_free(&png);
		return -ENOMEM;
	}
	*out = (unsigned char *)png.p;
	*out_len = png.len;
	return 0;
}

int qr_png_of(const char *text, unsigned char **png, size_t *png_len)
{
	unsigned char *gray;
	unsigned int size, x, y;
	QRcode *qr;
	int modules, ret = encode(&qr, &modules, text);

	if (ret)
		return ret;
	size = modules * QR_PNG_SCALE;
	gray = malloc((size_t)size * size);
	if (!gray) {
		release(qr);
		return -ENOMEM;
	}
	for (y = 0; y < size; ++y)
		for (x = 0; x < size; ++x)
			gray[y * size + x] =
			    dark(qr, x / QR_PNG_SCALE, y / QR_PNG_SCALE) ? 0x00 : 0xff;
	ret = qr_png_encode(png, png_len, gray, size, size);
	sodium_memzero(gray, (size_t)size * size);
	free(gray);
	release(qr);
	return ret;
}

int qr_write_png(const char *text, const char *path)
{
	unsigned char *png;
	size_t len;
	int ret = qr_png_of(text, &png, &len);

	if (ret)
		return ret;
	ret = outfile_write_atomic(path, png, len);
	sodium_memzero(png, len);
	free(png);
	return ret;
}

int qr_write_svg(const char *text, const char *path)
{
	struct textbuf svg = {0};
	int x, y, size, ret;
	QRcode *qr;

	ret = encode(&qr, &size, text);
	if (ret)
		return ret;
	textbuf_printf(&svg,
		       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/"
		       "2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		       "shape-rendering=\"crispEdges\">\n<rect width=\"%d\" height=\"%d\" "
		       "fill=\"#ffffff\"/>\n<path fill=\"#000000\" d=\"",
		       size, size, size * QR_PNG_SCALE, size * QR_PNG_SCALE, size, size);
	for (y = 0; y < size; ++y)
		for (x = 0; x < size; ++x)
			if (dark(qr, x, y))
				textbuf_printf(&svg, "M%d %dh1v1h-1z", x, y);
	textbuf_puts(&svg, "\"/>\n</svg>\n");
	ret = svg.failed ? -ENOMEM : outfile_write_atomic(path, svg.p, svg.len);
	textbuf_free(&svg);
	release(qr);
	return ret;
}

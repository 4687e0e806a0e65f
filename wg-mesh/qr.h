/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A config as a QR code (libqrencode): in the terminal as UTF-8 half blocks
 * in explicit black on white with a quiet zone (readable on dark and light
 * themes), or as a PNG (our own writer: stored deflate blocks) or an SVG.
 */
#ifndef MESH_QR_H
#define MESH_QR_H

#include <stdio.h>

#define QR_QUIET 4 /* modules of light border on each side, as the standard asks */
#define QR_PNG_SCALE 8

/* Each returns 0, -EMSGSIZE when the text does not fit a QR code, or -errno. */
int qr_print_terminal(const char *text, FILE *out) __attribute__((warn_unused_result));
int qr_write_png(const char *text, const char *path) __attribute__((warn_unused_result));
int qr_write_svg(const char *text, const char *path) __attribute__((warn_unused_result));

/* The PNG image of text's QR code, malloc'd (the caller wipes and frees it). */
int qr_png_of(const char *text, unsigned char **png, size_t *png_len)
    __attribute__((warn_unused_result));
/* The PNG encoder on its own: greyscale in, 1-bit black and white out, rows top to bottom. */
int qr_png_encode(unsigned char **out, size_t *out_len, const unsigned char *gray,
		  unsigned int width, unsigned int height) __attribute__((warn_unused_result));
/* As zlib's crc32() and adler32() with a zero/one start. */
unsigned long qr_crc32(unsigned long crc, const unsigned char *p, size_t len);
unsigned long qr_adler32(unsigned long adler, const unsigned char *p, size_t len);

#endif

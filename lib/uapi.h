/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cross-platform UAPI text protocol (key=value lines, keys in hex), both
 * directions: the client writes set and reads get, the server reads set and
 * writes get. Field order follows wireguard-go.
 */
#ifndef WG_UAPI_H
#define WG_UAPI_H

#include <stdio.h>
#include "model.h"

/* Client: "set=1\n", the change, and the terminating blank line. 0 or -errno. */
int uapi_write_set(FILE *out, const struct wgdevice *dev) __attribute__((warn_unused_result));
/* Client: a get reply up to the blank line into dev (zeroed first by caller or
 * not: fields are overwritten, peers appended). 0, the -errno of errno=, or -EPROTO. */
int uapi_read_get(FILE *in, struct wgdevice *dev) __attribute__((warn_unused_result));
/* Server: the body after "set=1" up to the blank line into a fresh model. */
int uapi_read_set(FILE *in, struct wgdevice **out) __attribute__((warn_unused_result));
/* Server: the get reply lines, without "errno=" and the blank line. */
int uapi_write_get(FILE *out, const struct wgdevice *dev) __attribute__((warn_unused_result));

#endif

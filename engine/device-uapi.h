/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's side of the UAPI: get reads the device into a model, set
 * applies a parsed model to it. uapi-server frames the text protocol around
 * these two calls.
 */
#ifndef ENGINE_DEVICE_UAPI_H
#define ENGINE_DEVICE_UAPI_H

#include "model.h"

struct device;

/* The current state as a model for a UAPI get. 0 or -errno. */
int device_uapi_get(struct device *dev, struct wgdevice **out) __attribute__((warn_unused_result));
/* Applies a parsed UAPI set atomically: all of it, or nothing and -errno. */
int device_uapi_set(struct device *dev, const struct wgdevice *change)
    __attribute__((warn_unused_result));

#endif

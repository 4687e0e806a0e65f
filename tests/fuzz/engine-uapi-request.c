// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the engine's UAPI request reader, the function each
 * connection thread calls (uapi_server_read_request): the input is the byte
 * stream a client sends, read request by request until the server would close
 * the connection. A GET must have been exactly "get=1\n\n"; a SET comes with
 * a model or an error, never both; the reader never reads past the stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "uapi-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 64

/* The offset of the next request: where a GET's "get=1\n\n" must start. */
static void check_get(const uint8_t *data, size_t size, long before, long after)
{
	if (before < 0 || after - before != 7 || (size_t)after > size ||
	    memcmp(data + before, "get=1\n\n", 7))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = fmemopen((void *)data, size, "r");
	enum uapi_request r;
	struct wgdevice *set;
	int err, n = 0;
	long before;

	if (!in)
		return 0;
	do {
		before = ftell(in);
		r = uapi_server_read_request(in, &set, &err);
		if (r == UAPI_REQUEST_GET)
			check_get(data, size, before, ftell(in));
		if (r == UAPI_REQUEST_SET && (!set) == !err)
			abort();
		if (r != UAPI_REQUEST_SET && (set || err))
			abort();
		model_device_free(set);
	} while (r != UAPI_REQUEST_END && ++n < MAX_REQUESTS);
	fclose(in);
	return 0;
}

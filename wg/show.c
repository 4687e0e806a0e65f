// SPDX-License-Identifier: GPL-2.0
/*
 * `wg show { IFACE | all | interfaces } [FIELD | dump | json]`: reads devices
 * through lib/ipc and hands them to the pretty, field or JSON printer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "wg.h"

void show_usage(void)
{
	fprintf(stderr,
		"Usage: %s show { <interface> | all | interfaces } [public-key | private-key | "
		"listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | "
		"latest-handshakes | transfer | persistent-keepalive | dump]\n",
		wg_prog_name);
}

static bool is_json(const char *field)
{
	return field && !strcmp(field, "json");
}

/* The names list of ipc_list_devices(), or NULL after the error message. */
static char *list_or_complain(void)
{
	char *names;
	int ret = ipc_list_devices(&names);

	if (ret < 0) {
		fprintf(stderr, "Unable to list interfaces: %s\n", strerror(-ret));
		return NULL;
	}
	return names;
}

/* Prints one device of `show all`; false stops the walk (bad field). */
static bool show_one_of_all(struct wgdevice *dev, const char *field, bool first, bool last)
{
	if (is_json(field)) {
		json_print_device(dev, first);
		return true;
	}
	if (field)
		return fields_print(dev, field, true);
	pretty_print(dev);
	if (!last)
		putchar('\n');
	return true;
}

static int show_all(const char *field)
{
	struct wgdevice *dev;
	char *names = list_or_complain(), *name;
	bool any = false, ok = true;
	size_t len;
	int ret;

	if (!names)
		return 1;
	if (is_json(field))
		json_begin();
	for (name = names; ok && (len = strlen(name)); name += len + 1) {
		ret = ipc_get_device(&dev, name);
		if (ret < 0) {
			fprintf(stderr, "Unable to access interface %s: %s\n", name,
				strerror(-ret));
			continue;
		}
		ok = show_one_of_all(dev, field, !any, !name[len + 1]);
		any = true;
		model_device_free(dev);
	}
	if (is_json(field))
		json_end(any);
	free(names);
	return ok ? 0 : 1;
}

static int show_interfaces(void)
{
	char *names = list_or_complain(), *name;
	size_t len;

	if (!names)
		return 1;
	for (name = names; (len = strlen(name)); name += len + 1)
		printf("%s%c", name, name[len + 1] ? ' ' : '\n');
	free(names);
	return 0;
}

static int show_device(const char *iface, const char *field)
{
	struct wgdevice *dev;
	int ret = ipc_get_device(&dev, iface);

	if (ret < 0) {
		fprintf(stderr, "Unable to access interface: %s\n", strerror(-ret));
		return 1;
	}
	ret = 0;
	if (is_json(field)) {
		json_begin();
		json_print_device(dev, true);
		json_end(true);
	} else if (field) {
		ret = fields_print(dev, field, false) ? 0 : 1;
	} else {
		pretty_print(dev);
	}
	model_device_free(dev);
	return ret;
}

int show_main(int argc, const char *argv[])
{
	const char *field = argc == 3 ? argv[2] : NULL;

	if (argc > 3) {
		show_usage();
		return 1;
	}
	if (argc == 1 || !strcmp(argv[1], "all"))
		return show_all(field);
	if (!strcmp(argv[1], "interfaces")) {
		if (argc > 2) {
			show_usage();
			return 1;
		}
		return show_interfaces();
	}
	if (argc == 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))) {
		show_usage();
		return 0;
	}
	return show_device(argv[1], field);
}

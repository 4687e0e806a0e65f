/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wg command's subcommands and the printers `wg show` chooses between.
 * Every output format matches wireguard-tools v1.0.20210914 byte for byte,
 * except `json`, which matches contrib's wg-json.
 */
#ifndef WG_WG_H
#define WG_WG_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "model.h"

/* argv[0] of the wg process, for usage lines ("Usage: %s show ..."). */
extern const char *wg_prog_name;

#define WG_UTOA_LEN 24
/* V in decimal, written at the end of BUF; returns where it starts. */
const char *wg_utoa(char buf[WG_UTOA_LEN], uint64_t v);
/* The dotted quad inet_ntop would print, into BUF (INET_ADDRSTRLEN bytes). */
const char *wg_ip4(char buf[INET_ADDRSTRLEN], const struct in_addr *addr);

int show_main(int argc, const char *argv[]);
int showconf_main(int argc, const char *argv[]);
int set_main(int argc, const char *argv[]);
int setconf_main(int argc, const char *argv[]);
/* Sends DEV (named) with ipc_set_device() and frees it: 0, or 1 after the message. */
int set_apply(struct wgdevice *dev);
int genkey_main(int argc, const char *argv[]);
int pubkey_main(int argc, const char *argv[]);

/* `wg show IFACE`: colours, sorted peers, human times and sizes. Sorts DEV. */
void pretty_print(struct wgdevice *dev);
/* Sorts peers by latest handshake, newest first, never-handshaked last. */
void pretty_sort_peers(struct wgdevice *dev);
/* "1 minute, 5 seconds" (with colour codes) into BUF; "" for 0. */
void pretty_duration(char *buf, size_t len, unsigned long long seconds);
/* "1.23 KiB" (with colour codes) into BUF. */
void pretty_bytes(char *buf, size_t len, uint64_t bytes);

/* `wg show IFACE FIELD`: false (after usage) for an unknown FIELD. */
bool fields_print(const struct wgdevice *dev, const char *field, bool with_interface);
/* True when FIELD is one fields_print() knows. */
bool fields_is_known(const char *field);

/* `wg show {IFACE|all} json`: wg-json's layout, one object per device. */
void json_begin(void);
void json_print_device(const struct wgdevice *dev, bool first);
void json_end(bool any);

/* The show usage line on stderr. */
void show_usage(void);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wg-quick's state: the parsed configuration (wg-quick keys plus the wg(8)
 * part as a model) and what `up` has done so far, so a failure can undo it.
 * One file per concept implements it; each prints the `[#] ...` line of the
 * command Debian's wg-quick would run for the same step.
 */
#ifndef WG_QUICK_H
#define WG_QUICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "model.h"
#include "rtnl.h"
#include "textbuf.h"

enum quick_table {
	QUICK_TABLE_AUTO, /* unset or "auto": main table, policy routing for /0 */
	QUICK_TABLE_OFF,
	QUICK_TABLE_ID,
};

enum quick_dns_via {
	QUICK_DNS_RESOLVCONF,
	QUICK_DNS_RESOLVECTL,
};

/* A growable list of strings. */
struct quick_strv {
	char **v;
	size_t n, cap;
};

struct quick {
	const char *program;
	char *config_file; /* resolved path */
	char iface[IFNAMSIZ];

	/* [Interface] keys that wg-quick handles itself. */
	struct quick_strv addresses, dns, dns_search;
	struct quick_strv pre_up, post_up, pre_down, post_down;
	uint32_t mtu; /* 0: automatic */
	enum quick_table table;
	uint32_t table_id;
	char *table_str; /* as written, NULL when unset */
	bool save_config;

	/* Everything else, for wg: the text `strip` prints and the model. */
	struct textbuf wg_config;
	struct wgdevice *device;

	/* Run time. */
	struct rtnl *rt;
	uint32_t ifindex;
	uint32_t fwmark;
	enum quick_dns_via dns_via;
	bool have_set_dns, have_set_firewall;
	int status; /* what the script would exit with: the failed command's status */
};

/* util.c */
int quick_strv_push(struct quick_strv *sv, const char *s) __attribute__((warn_unused_result));
void quick_strv_free(struct quick_strv *sv);
void quick_free(struct quick *q);
/* Prints "[#] " and the formatted command to stderr. */
void quick_echo(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "PROGRAM: " and the message to stderr. */
void quick_err(const struct quick *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Prints the kernel's refusal as ip(8) does ("Error: ...." or "RTNETLINK
 * answers: ...") and notes ip's exit status, 2.
 */
void quick_rtnl_error(struct quick *q, int err);
/* An executable's full path from PATH, or NULL (free it). */
char *quick_which(const char *name);

/*
 * run.c: runs argv (searched in PATH). input, when set, is fed through a
 * pipe at fd input_fd (0 for stdin, or 63 for "/dev/fd/63" arguments); output,
 * when set, receives the malloc'd stdout (stderr then goes to /dev/null). Returns the exit status
 * or -errno.
 */
int quick_run(const char *const argv[], const char *input, int input_fd, char **output);
/* Keeps a failed command's result (quick_run's) as wg-quick's exit status, as the
 * script exits with the status of the command that failed; 1 when it could not run.
 * Returns 0 for success, -1 for failure. */
int quick_run_result(struct quick *q, int ret);

/* conf.c: 0, or 1 after printing "FILE:LINE: reason" (or the script's message). */
int quick_conf_load(struct quick *q, const char *arg, bool parse_wg);

/* hooks.c: runs each hook through bash with %i replaced; 0, or -1 with q->status set. */
int quick_hooks_run(struct quick *q, const struct quick_strv *hooks);

/* link.c */
int quick_link_add(struct quick *q);
/* Returns ip(8)'s exit status for the same step: 0, 1 (no such device) or 2. */
int quick_link_del(struct quick *q);
int quick_link_set_config(struct quick *q);
int quick_link_set_mtu_up(struct quick *q);
int quick_link_read(struct quick *q, struct wgdevice **dev);
int quick_link_addresses(struct quick *q);

/* routes.c */
int quick_routes_add(struct quick *q);
/* Deletes the policy rules of a default route, as del_if does. */
void quick_routes_del_rules(struct quick *q);
/* 1 when an allowed IP is a default route (/0), else 0. */
int quick_routes_has_default(const struct wgdevice *dev);

/* firewall.c */
int quick_firewall_add(struct quick *q, int family, uint32_t table);
void quick_firewall_remove(struct quick *q);

/* dns.c */
/* Picks resolvconf or resolvectl; 1 after an error unless quiet (then neither is used). */
int quick_dns_check(struct quick *q, bool quiet);
int quick_dns_set(struct quick *q);
void quick_dns_unset(struct quick *q);
const char *quick_dns_iface(const struct quick *q, char *buf, size_t len);

/* up.c, down.c, save.c, strip.c */
/* Undoes what up did (DNS, firewall, policy rules) and deletes the link; ip's status. */
int quick_del_if(struct quick *q);
/* 0 when iface is a WireGuard interface, else 1 after the script's message. */
int quick_check_wireguard(struct quick *q);
int quick_up(struct quick *q);
int quick_down(struct quick *q);
int quick_save(struct quick *q);
/* Writes the live state back to the config file (temp file, fsync, rename, 0600). */
int quick_save_config(struct quick *q);
/* Appends wg showconf's text for a device (it holds the private key). */
void quick_showconf(struct textbuf *t, const struct wgdevice *dev);
int quick_strip(struct quick *q);

#endif

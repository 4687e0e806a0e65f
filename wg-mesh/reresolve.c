// SPDX-License-Identifier: GPL-2.0
/*
 * Renders the re-resolve script and its systemd units. The script needs
 * nothing but sh, date and wg: it reads `wg show IFACE latest-handshakes'
 * once, and a peer that is not on the interface is left alone (`wg set
 * ... peer KEY endpoint' would add it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "remote.h"
#include "reresolve.h"

bool reresolve_is_name(const char *endpoint)
{
	const char *colon = strrchr(endpoint, ':');
	struct in_addr a;
	char host[SITES_HOST_LEN];

	if (!colon || *endpoint == '[' || (size_t)(colon - endpoint) >= sizeof(host))
		return false;
	memcpy(host, endpoint, colon - endpoint);
	host[colon - endpoint] = '\0';
	return inet_pton(AF_INET, host, &a) != 1;
}

/* The endpoint site i gives its direct peer j, when that is a host name; else NULL. */
static const char *name_endpoint(const struct plan *p, size_t i, size_t j)
{
	const char *ep;

	if (i == j || plan_link(p, i, j) != PLAN_DIRECT)
		return NULL;
	ep = plan_peer_endpoint(p, i, j);
	return ep && reresolve_is_name(ep) ? ep : NULL;
}

bool reresolve_planned(const struct plan *p, size_t i)
{
	size_t j;

	for (j = 0; j < p->n_sites; ++j)
		if (name_endpoint(p, i, j))
			return true;
	return false;
}

void reresolve_file_name(enum reresolve_file k, const char *iface, char *buf, size_t len)
{
	if (k == RERESOLVE_SCRIPT)
		snprintf(buf, len, "%s.reresolve.sh", iface);
	else
		snprintf(buf, len, "wg-mesh-reresolve-%s.%s", iface,
			 k == RERESOLVE_SERVICE ? "service" : "timer");
}

const char *reresolve_dir(enum reresolve_file k)
{
	return k == RERESOLVE_SCRIPT ? "/etc/wireguard" : "/etc/systemd/system";
}

unsigned int reresolve_mode(enum reresolve_file k)
{
	return k == RERESOLVE_SCRIPT ? 0600 : 0644;
}

/* The part before the peers: the interface's handshakes, read once. */
#define SCRIPT_HEAD                                                                                \
	"now=$(date +%%s)\n"                                                                       \
	"if ! handshakes=$(wg show \"$iface\" latest-handshakes 2>/dev/null); then\n"              \
	"\techo \"$iface is not up: nothing to re-resolve\" >&2\n"                                 \
	"\texit 0\n"                                                                               \
	"fi\n"                                                                                     \
	"status=0\n"                                                                               \
	"\n"                                                                                       \
	"# reresolve NAME KEY HOST:PORT: the peer, if it is on the interface and its last\n"       \
	"# handshake is older than %1$d s (0: none yet), gets HOST:PORT resolved again.\n"         \
	"reresolve() {\n"                                                                          \
	"\tlast=\n"                                                                                \
	"\twhile read -r key t; do\n"                                                              \
	"\t\tif [ \"$key\" = \"$2\" ]; then\n"                                                     \
	"\t\t\tlast=$t\n"                                                                          \
	"\t\tfi\n"                                                                                 \
	"\tdone <<EOF\n"                                                                           \
	"$handshakes\n"                                                                            \
	"EOF\n"                                                                                    \
	"\tif [ -z \"$last\" ]; then\n"                                                            \
	"\t\techo \"$iface: peer $1 ($2) is not on the interface; left alone\" >&2\n"              \
	"\t\treturn 0\n"                                                                           \
	"\tfi\n"                                                                                   \
	"\tif [ \"$last\" -ne 0 ] && [ $((now - last)) -le %1$d ]; then\n"                         \
	"\t\treturn 0\n"                                                                           \
	"\tfi\n"                                                                                   \
	"\tif wg set \"$iface\" peer \"$2\" endpoint \"$3\"; then\n"                               \
	"\t\techo \"$iface: peer $1 set to $3 again\"\n"                                           \
	"\telse\n"                                                                                 \
	"\t\techo \"$iface: unable to set peer $1 to $3\" >&2\n"                                   \
	"\t\tstatus=1\n"                                                                           \
	"\tfi\n"                                                                                   \
	"}\n"                                                                                      \
	"\n"

static void render_script(const struct plan *p, size_t i, struct textbuf *b)
{
	const char *iface = p->m->interface, *ep;
	char unit[300];
	size_t j;

	reresolve_file_name(RERESOLVE_TIMER, iface, unit, sizeof(unit));
	textbuf_printf(b,
		       "#!/bin/sh\n"
		       "# Generated by wg-mesh plan for site %s. Sets the endpoint of each peer\n"
		       "# below from its host name again when its last handshake is older than\n"
		       "# %d s, or none happened yet, as wireguard-tools' contrib/reresolve-dns.\n"
		       "# Run by %s every %d s, or by hand: sh %s/%s.reresolve.sh\n"
		       "iface=",
		       p->sites[i].name, RERESOLVE_AGE, unit, RERESOLVE_PERIOD,
		       reresolve_dir(RERESOLVE_SCRIPT), iface);
	remote_quote(b, iface);
	textbuf_puts(b, "\n");
	textbuf_printf(b, SCRIPT_HEAD, RERESOLVE_AGE);
	for (j = 0; j < p->n_sites; ++j) {
		if (!(ep = name_endpoint(p, i, j)))
			continue;
		textbuf_puts(b, "reresolve ");
		remote_quote(b, p->sites[j].name);
		textbuf_printf(b, " %s ", p->sites[j].public_key);
		remote_quote(b, ep);
		textbuf_puts(b, "\n");
	}
	textbuf_puts(b, "exit \"$status\"\n");
}

static void render_service(const struct plan *p, size_t i, struct textbuf *b)
{
	const char *iface = p->m->interface;

	textbuf_printf(b,
		       "# Generated by wg-mesh plan for site %1$s.\n"
		       "[Unit]\n"
		       "Description=Re-resolve the host names of %2$s's WireGuard peers (wg-mesh)\n"
		       "After=wg-quick@%2$s.service\n"
		       "\n"
		       "[Service]\n"
		       "Type=oneshot\n"
		       "ExecStart=/bin/sh %3$s/%2$s.reresolve.sh\n",
		       p->sites[i].name, iface, reresolve_dir(RERESOLVE_SCRIPT));
}

static void render_timer(const struct plan *p, size_t i, struct textbuf *b)
{
	textbuf_printf(b,
		       "# Generated by wg-mesh plan for site %1$s.\n"
		       "[Unit]\n"
		       "Description=Re-resolve the host names of %2$s's WireGuard peers every "
		       "%3$d s (wg-mesh)\n"
		       "After=wg-quick@%2$s.service\n"
		       "\n"
		       "[Timer]\n"
		       "OnActiveSec=%3$ds\n"
		       "OnUnitActiveSec=%3$ds\n"
		       "\n"
		       "[Install]\n"
		       "WantedBy=timers.target\n",
		       p->sites[i].name, p->m->interface, RERESOLVE_PERIOD);
}

int reresolve_render(const struct plan *p, size_t i, struct reresolve_files *out)
{
	int k;

	memset(out, 0, sizeof(*out));
	if (!reresolve_planned(p, i))
		return 0;
	out->planned = true;
	render_script(p, i, &out->f[RERESOLVE_SCRIPT]);
	render_service(p, i, &out->f[RERESOLVE_SERVICE]);
	render_timer(p, i, &out->f[RERESOLVE_TIMER]);
	for (k = 0; k < RERESOLVE_N_FILES; ++k)
		if (out->f[k].failed)
			return -ENOMEM;
	return 0;
}

void reresolve_files_free(struct reresolve_files *f)
{
	int k;

	for (k = 0; k < RERESOLVE_N_FILES; ++k)
		textbuf_free(&f->f[k]);
	f->planned = false;
}

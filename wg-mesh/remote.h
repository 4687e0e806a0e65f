/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SSH transport: runs a POSIX shell script on a site with the system's
 * OpenSSH client (or $WG_MESH_SSH), under a connect and a command time limit,
 * and returns its exit status and output. Nothing but sh runs on the site.
 */
#ifndef MESH_REMOTE_H
#define MESH_REMOTE_H

#include <stddef.h>
#include "textbuf.h"

#define REMOTE_CONNECT_TIMEOUT 10     /* seconds, ssh -o ConnectTimeout */
#define REMOTE_COMMAND_TIMEOUT 120000 /* milliseconds for the whole run */

struct remote_target {
	const char *name; /* the site, for messages */
	const char *dest; /* user@host, host or ssh://[user@]host[:port], passed to ssh as is */
};

struct remote_limits {
	unsigned int connect_timeout;	 /* seconds; 0: REMOTE_CONNECT_TIMEOUT */
	unsigned int command_timeout_ms; /* connect included; 0: REMOTE_COMMAND_TIMEOUT */
};

enum remote_verdict {
	REMOTE_OK,	    /* the script ran and exited 0 */
	REMOTE_FAILED,	    /* the script ran and exited non-zero (status) */
	REMOTE_UNREACHABLE, /* it never ran: no connection, refused, host key, auth */
	REMOTE_TIMEOUT,	    /* the command time limit expired; ssh was killed */
};

struct remote_result {
	enum remote_verdict verdict;
	/*
	 * The script's exit status, or for UNREACHABLE ssh's own (255 when
	 * OpenSSH could not connect), 128 + N for a signal, -1 after a timeout.
	 */
	int status;
	/* Always NUL-terminated; may hold keys (wg showconf): wiped by remote_result_free. */
	struct textbuf out, err;
};

/*
 * Runs script with sh on t->dest. With input (which must be text ending in a
 * newline, no NUL), the script can read it exactly from the shell function
 * `wg_mesh_input' (e.g. `wg_mesh_input > "$tmp"'); the script's own stdin is
 * empty. The command is
 *   ssh -T -o BatchMode=yes -o ConnectTimeout=N DEST 'sh -c ...'
 * (an ssh:// destination as -p PORT [user@]host, which every OpenSSH takes,
 * IPv6 included) or, when $WG_MESH_SSH is set, that command line run through `sh -c' with
 * the same arguments after it (as git runs GIT_SSH_COMMAND). Host keys are
 * never accepted here: BatchMode makes an unknown one a failure.
 *
 * Returns 0 when ssh ran (the verdict says how it went) or -errno when it
 * could not be started (-EINVAL for a dest starting with '-', a bad ssh:// one or bad input).
 * r must be freed with remote_result_free either way.
 */
int remote_run(const struct remote_target *t, const char *script, const char *input,
	       size_t input_len, const struct remote_limits *lim, struct remote_result *r)
    __attribute__((warn_unused_result));
void remote_result_free(struct remote_result *r);

/* "ok", "failed", "unreachable", "timed out". */
const char *remote_verdict_str(enum remote_verdict v);
/* Appends s to b in single quotes, safe as one word of a POSIX shell command. */
void remote_quote(struct textbuf *b, const char *s);
/*
 * Appends the commands that put what the shell function func prints at path,
 * atomically: into tmp (created afresh under umask mask, never through an
 * existing file), then renamed over path. tmp must be on path's file system.
 */
void remote_install(struct textbuf *b, const char *func, const char *mask, const char *tmp,
		    const char *path);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live check: what every site runs (its `wg show IFACE dump') against
 * the plan. A pure function of the plan and one observation per site, so
 * every verdict is tested without a network: missing and extra peers, wrong
 * allowed IPs, keys and ports, roamed endpoints, and for every planned pair
 * the age of its latest handshake or why there is none.
 */
#ifndef MESH_STATUS_H
#define MESH_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "plan.h"

/* Older than this, a session's keys are gone (REJECT_AFTER_TIME). */
#define STATUS_FRESH_SECONDS 180

enum status_site_state {
	STATUS_SITE_UNCHECKED,	 /* no `ssh:' destination: seen only through its peers */
	STATUS_SITE_UP,		 /* its dump was read */
	STATUS_SITE_DOWN,	 /* reached, but the interface is not there */
	STATUS_SITE_UNREACHABLE, /* the connection failed or timed out */
	STATUS_SITE_FAILED,	 /* reached, but wg failed or printed what we cannot read */
};

/* What one site runs; the caller owns dev and why. */
struct status_obs {
	enum status_site_state state;
	struct wgdevice *dev; /* STATUS_SITE_UP only */
	int64_t now;	      /* the site's own clock (unix seconds), so skew never counts */
	const char *why;      /* not up: the reason, as one line */
};

/* Ordered from good to bad: a relayed pair takes the worse of its two legs. */
enum status_pair_state {
	STATUS_PAIR_UP,		 /* a handshake within STATUS_FRESH_SECONDS */
	STATUS_PAIR_IDLE,	 /* older, and no keepalive planned: the next packet renews it */
	STATUS_PAIR_UNCHECKED,	 /* neither side was checked */
	STATUS_PAIR_STALE,	 /* older, although a keepalive should keep it fresh */
	STATUS_PAIR_NEVER,	 /* no handshake yet */
	STATUS_PAIR_MISSING,	 /* a side does not list the other as a peer */
	STATUS_PAIR_FAILED,	 /* a side's site: wg failed there */
	STATUS_PAIR_DOWN,	 /* a side's interface is down */
	STATUS_PAIR_UNREACHABLE, /* a side's site is unreachable */
};

struct status_pair {
	size_t a, b; /* sites a < b; for a client: a is its via site, b the client */
	bool client;
	long relay; /* -1: direct; else the relay site carrying it */
	enum status_pair_state state;
	long blame;		/* the site the state comes from, or -1 */
	int64_t age;		/* seconds since the latest handshake either side saw; -1: none */
	unsigned int keepalive; /* planned on either side, seconds (0: none) */
	/* Per side (0: a's view, 1: b's), filled while reading the dumps. */
	int64_t side_age[2];
	bool side_seen[2], side_missing[2];
};

enum status_issue_kind {
	STATUS_ISSUE_KEY,	  /* the interface runs another key than planned */
	STATUS_ISSUE_PORT,	  /* it listens on another port */
	STATUS_ISSUE_MISSING,	  /* a planned peer is not there */
	STATUS_ISSUE_EXTRA,	  /* a peer that is not planned */
	STATUS_ISSUE_ALLOWED_IPS, /* a peer's allowed IPs differ */
	STATUS_ISSUE_ENDPOINT,	  /* a peer's endpoint differs (roaming): a note, not a failure */
};

struct status_issue {
	enum status_issue_kind kind;
	size_t site;
	const char *peer;     /* the planned peer's name; NULL for an extra peer */
	char *runs, *planned; /* what the site runs and what was planned, as text */
};

struct status_report {
	const struct plan *p;
	const struct status_obs *obs; /* one per site */
	struct status_pair *pairs;    /* site pairs by plan_pair_index(), then one per client */
	size_t n_pairs;
	struct status_issue *issues;
	size_t n_issues, cap_issues;
	size_t n_failed; /* failed pairs plus failing issues */
};

/* Compares; 0 or -ENOMEM. obs holds p->n_sites entries and must outlive r. */
int status_compare(struct status_report *r, const struct plan *p, const struct status_obs *obs)
    __attribute__((warn_unused_result));
void status_report_free(struct status_report *r);

/* The pair of sites a and b, or of client c. */
static inline struct status_pair *status_site_pair(const struct status_report *r, size_t a,
						   size_t b)
{
	return &r->pairs[plan_pair_index(a, b)];
}

static inline struct status_pair *status_client_pair(const struct status_report *r, size_t c)
{
	return &r->pairs[plan_site_pairs(r->p) + c];
}

/* Whether this pair makes the check fail: clients fail only when not configured or unseen. */
static inline bool status_pair_failed(const struct status_pair *x)
{
	return x->state >= (x->client ? STATUS_PAIR_MISSING : STATUS_PAIR_STALE);
}

static inline bool status_issue_fails(const struct status_issue *i)
{
	return i->kind != STATUS_ISSUE_ENDPOINT;
}

/* Short names for reports: "up", "idle", "never", "unreachable"... */
const char *status_pair_state_name(enum status_pair_state s);
const char *status_site_state_name(enum status_site_state s);
const char *status_issue_kind_name(enum status_issue_kind k);

#endif
